package org.recspark.sampledata;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Strict reader of the project's own CSV files (a header line, no quoting): every row must have
 * the header's column count, else a {@link DataFormatException} names the file and line.
 */
public final class CsvTable {
    private CsvTable() {}

    /** Reads the header, checks it has {@code requiredColumns}, then passes each row as column -> value. */
    public static List<String> forEachRow(Path file, String delimiter, List<String> requiredColumns,
                                          Consumer<Map<String, String>> action) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String headerLine = reader.readLine();
            if (headerLine == null) {
                throw new DataFormatException(file, 1, "empty file, expected a header line");
            }
            List<String> header = Arrays.asList(headerLine.split(java.util.regex.Pattern.quote(delimiter), -1));
            List<String> missing = new ArrayList<>(requiredColumns);
            missing.removeAll(header);
            if (!missing.isEmpty()) {
                throw new DataFormatException(file, 1, "missing columns " + missing + " in header " + header);
            }
            String line;
            long number = 1;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isEmpty()) {
                    continue;
                }
                String[] values = line.split(java.util.regex.Pattern.quote(delimiter), -1);
                if (values.length != header.size()) {
                    throw new DataFormatException(file, number, "expected " + header.size() + " columns " + header
                            + ", got " + values.length);
                }
                Map<String, String> row = new HashMap<>(header.size() * 2);
                for (int k = 0; k < values.length; k++) {
                    row.put(header.get(k), values[k]);
                }
                action.accept(row);
            }
            return header;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** All rows keyed by one column; a duplicate key is a {@link DataFormatException}. */
    public static Map<String, Map<String, String>> readKeyed(Path file, String delimiter, String keyColumn,
                                                             List<String> requiredColumns) {
        Map<String, Map<String, String>> rows = new HashMap<>();
        List<String> required = new ArrayList<>(requiredColumns);
        if (!required.contains(keyColumn)) {
            required.add(keyColumn);
        }
        long[] line = {1};
        forEachRow(file, delimiter, required, row -> {
            line[0]++;
            if (rows.put(row.get(keyColumn), row) != null) {
                throw new DataFormatException(file, line[0], "duplicate " + keyColumn + " '" + row.get(keyColumn) + "'");
            }
        });
        return rows;
    }
}

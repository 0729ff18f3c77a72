package org.recspark.sampledata;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Strict reader of the project's own CSV files (UTF-8, a header line, no quoting): the header must
 * name each column once and hold the required ones, and every row must have the header's column
 * count, else a {@link DataFormatException} names the file and line. Rows are unmodifiable maps
 * from column name to value, in header order.
 */
public final class CsvTable {
    private CsvTable() {}

    /** Receives a row with its 1-based line number in the file. */
    @FunctionalInterface
    private interface RowHandler {
        void accept(Map<String, String> row, long lineNumber);
    }

    /**
     * Reads the header, checks it has {@code requiredColumns}, then passes each row in file order.
     *
     * @return the header's column names
     */
    public static List<String> forEachRow(Path file, String delimiter, List<String> requiredColumns,
                                          Consumer<Map<String, String>> action) {
        return read(file, delimiter, requiredColumns, (row, lineNumber) -> action.accept(row));
    }

    /** All rows keyed by one column, in file order; a duplicate key is a {@link DataFormatException}. */
    public static Map<String, Map<String, String>> readKeyed(Path file, String delimiter, String keyColumn,
                                                             List<String> requiredColumns) {
        List<String> required = new ArrayList<>(requiredColumns);
        if (!required.contains(keyColumn)) {
            required.add(keyColumn);
        }
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        read(file, delimiter, required, (row, lineNumber) -> {
            if (rows.putIfAbsent(row.get(keyColumn), row) != null) {
                throw new DataFormatException(file, lineNumber, "duplicate " + keyColumn + " '" + row.get(keyColumn) + "'");
            }
        });
        return Collections.unmodifiableMap(rows);
    }

    private static List<String> read(Path file, String delimiter, List<String> requiredColumns, RowHandler handler) {
        if (delimiter.isEmpty()) {
            throw new IllegalArgumentException("the delimiter of " + file + " is empty");
        }
        Pattern separator = Pattern.compile(Pattern.quote(delimiter));
        List<String> header = new ArrayList<>();
        NumberedLines.forEach(file, StandardCharsets.UTF_8, (line, lineNumber) -> {
            String[] values = separator.split(line, -1);
            if (header.isEmpty()) {
                checkHeader(file, lineNumber, List.of(values), requiredColumns);
                header.addAll(List.of(values));
                return;
            }
            if (values.length != header.size()) {
                throw new DataFormatException(file, lineNumber, "expected " + header.size() + " columns " + header
                        + ", got " + values.length);
            }
            Map<String, String> row = new LinkedHashMap<>(header.size() * 2);
            for (int k = 0; k < values.length; k++) {
                row.put(header.get(k), values[k]);
            }
            handler.accept(Collections.unmodifiableMap(row), lineNumber);
        });
        if (header.isEmpty()) {
            throw new DataFormatException(file, 1, "empty file, expected a header line");
        }
        return List.copyOf(header);
    }

    private static void checkHeader(Path file, long lineNumber, List<String> header, List<String> requiredColumns) {
        Set<String> seen = new HashSet<>();
        for (String column : header) {
            if (column.isEmpty() || !seen.add(column)) {
                throw new DataFormatException(file, lineNumber, (column.isEmpty() ? "empty" : "duplicate '" + column + "'")
                        + " column name in header " + header);
            }
        }
        List<String> missing = new ArrayList<>(requiredColumns);
        missing.removeAll(seen);
        if (!missing.isEmpty()) {
            throw new DataFormatException(file, lineNumber, "missing columns " + missing + " in header " + header);
        }
    }
}

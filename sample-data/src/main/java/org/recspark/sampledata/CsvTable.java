package org.recspark.sampledata;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Strict reader of CSV tables with a header line ({@link CsvRecords}: UTF-8, RFC 4180 quoting): the
 * header must name each column once and hold the required ones, and every row must have the
 * header's column count, else a {@link DataFormatException} names the file and line. Rows are
 * unmodifiable maps from column name to value, in header order.
 */
public final class CsvTable {
    private CsvTable() {}

    /** Receives a row with the 1-based line of the file on which it starts. */
    @FunctionalInterface
    public interface RowHandler {
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

    /** As {@link #forEachRow}, passing each row's first line number too (a quoted line break makes a row span lines). */
    public static List<String> forEachNumberedRow(Path file, String delimiter, List<String> requiredColumns, RowHandler action) {
        return read(file, delimiter, requiredColumns, action);
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
        List<String> header = new ArrayList<>();
        CsvRecords.forEach(file, delimiter, (values, lineNumber) -> {
            if (header.isEmpty()) {
                checkHeader(file, lineNumber, values, requiredColumns);
                header.addAll(values);
                return;
            }
            if (values.size() != header.size()) {
                throw new DataFormatException(file, lineNumber, "expected " + header.size() + " columns " + header
                        + ", got " + values.size());
            }
            Map<String, String> row = new LinkedHashMap<>(header.size() * 2);
            for (int k = 0; k < values.size(); k++) {
                row.put(header.get(k), values.get(k));
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

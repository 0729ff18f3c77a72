package org.recspark.serving;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.proto.DataSource;
import org.recspark.config.proto.FieldSchema;
import org.recspark.storage.Locations;

/**
 * Reads a CSV item snapshot into records typed by the table's schema (INT64 as Long, DOUBLE as
 * Double, BOOL as Boolean, the rest as strings, which the feature jar splits as configured). Fields
 * are quoted with double quotes, a doubled quote inside stands for one; an empty field is missing.
 */
final class CsvItemReader {
    private CsvItemReader() {
    }

    static List<Map<String, Object>> read(Path file, DataSource source, List<FieldSchema> schema) throws IOException {
        String delimiter = source.getDelimiter();
        if (delimiter.length() != 1) {
            throw new IOException("input_config.items.source.delimiter: the item cache reads one-character delimiters, not '"
                    + delimiter + "'");
        }
        char sep = delimiter.charAt(0);
        Map<String, FieldSchema> types = new HashMap<>();
        schema.forEach(f -> types.put(f.getName(), f));
        String where = Locations.uri(file);
        List<Map<String, Object>> out = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            List<String> header;
            int line = 0;
            if (source.getHeader()) {
                String first = reader.readLine();
                line++;
                if (first == null) {
                    return out;
                }
                header = split(first, sep, where, line);
            } else {
                header = schema.stream().map(FieldSchema::getName).toList();
            }
            String text;
            while ((text = reader.readLine()) != null) {
                line++;
                if (text.isEmpty()) {
                    continue;
                }
                List<String> values = split(text, sep, where, line);
                if (values.size() != header.size()) {
                    throw new IOException(where + " line " + line + ": " + values.size() + " fields where the header has "
                            + header.size());
                }
                Map<String, Object> record = new HashMap<>(header.size() * 2);
                for (int i = 0; i < header.size(); i++) {
                    String name = header.get(i);
                    record.put(name, typed(values.get(i), types.get(name), where + " line " + line + " field '" + name + "'"));
                }
                out.add(record);
            }
        }
        return out;
    }

    private static Object typed(String value, FieldSchema field, String where) throws IOException {
        if (value.isEmpty()) {
            return null;
        }
        if (field == null) {
            return value;
        }
        try {
            return switch (field.getType()) {
                case INT64 -> Long.parseLong(value.trim());
                case DOUBLE -> Double.parseDouble(value.trim());
                case BOOL -> parseBool(value.trim());
                default -> value;
            };
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": '" + value + "' is not a " + field.getType() + " value", e);
        }
    }

    private static Boolean parseBool(String value) {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("not a boolean");
    }

    private static List<String> split(String line, char sep, String where, int lineNo) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.isEmpty()) {
                quoted = true;
            } else if (c == sep) {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new IOException(where + " line " + lineNo + ": a quoted field is not closed");
        }
        out.add(field.toString());
        return out;
    }
}

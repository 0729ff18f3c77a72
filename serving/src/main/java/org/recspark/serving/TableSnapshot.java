package org.recspark.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.recspark.config.proto.DataFormat;
import org.recspark.config.proto.FieldSchema;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.TableInput;
import org.recspark.features.RawRecord;
import org.recspark.storage.Locations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot of the items or users table that the server keeps in memory: a CSV or Parquet file, or
 * a directory of them (a Spark output), local or on any Hadoop filesystem, read with the table's
 * schema, format and duplicate-key policy from the served bundle's {@code input_config}.
 */
public final class TableSnapshot {
    private static final Logger LOG = LoggerFactory.getLogger(TableSnapshot.class);

    private final String location;
    private final String configPath;
    private final DataFormat format;
    private final TableInput table;
    private final String idField;

    private TableSnapshot(String location, String configPath, TableInput table, String idField) {
        this.location = location;
        this.configPath = configPath;
        this.table = table;
        this.format = table.getSource().getFormat();
        this.idField = idField;
        if (format != DataFormat.CSV && format != DataFormat.PARQUET) {
            throw new IllegalArgumentException(configPath + ".source.format: the server reads CSV or PARQUET snapshots, not " + format);
        }
    }

    /**
     * The items table at {@code location} (a path or URI), as {@code input_config.items} and
     * {@code item_id_field} of the bundle's input config describe it.
     */
    public static TableSnapshot items(String location, InputConfig input) {
        return new TableSnapshot(location, "input_config.items", input.getItems(), input.getItemIdField());
    }

    /** The users table at {@code location}, as {@code input_config.users} and {@code user_id_field} describe it. */
    public static TableSnapshot users(String location, InputConfig input) {
        return new TableSnapshot(location, "input_config.users", input.getUsers(), input.getUserIdField());
    }

    public String location() {
        return location;
    }

    public String idField() {
        return idField;
    }

    /** The rows by canonical id, in table order. */
    public Map<String, RawRecord> read() throws IOException {
        List<Path> files = dataFiles();
        Map<String, RawRecord> rows = new LinkedHashMap<>();
        Map<String, String> firstSeenIn = new LinkedHashMap<>();
        List<String> rejected = new ArrayList<>();
        for (Path file : files) {
            List<Map<String, Object>> records = format == DataFormat.CSV
                    ? CsvItemReader.read(file, table.getSource(), table.getSchemaList())
                    : ParquetItemReader.read(file);
            for (int i = 0; i < records.size(); i++) {
                Map<String, Object> record = records.get(i);
                String where = Locations.uri(file) + " row " + (i + 1);
                checkNullable(record, where);
                String id = ItemIds.canonical(record.get(idField));
                if (id == null) {
                    throw new IOException(where + ": the id field '" + idField + "' is missing");
                }
                if (rows.containsKey(id) || rejected.contains(id)) {
                    switch (table.getOnDuplicateKey()) {
                        case KEEP_FIRST -> {
                            continue;
                        }
                        case REJECT -> {
                            rows.remove(id);
                            rejected.add(id);
                            continue;
                        }
                        default -> throw new IOException(where + ": id '" + id + "' appears twice (first in "
                                + firstSeenIn.get(id) + "); " + configPath + ".on_duplicate_key is FAIL");
                    }
                }
                rows.put(id, RawRecord.of(record));
                firstSeenIn.put(id, where);
            }
        }
        if (!rejected.isEmpty()) {
            LOG.warn("{}: {} ids appear more than once and are left out ({}.on_duplicate_key REJECT), e.g. {}", location, configPath,
                    rejected.size(), rejected.subList(0, Math.min(5, rejected.size())));
        }
        if (rows.isEmpty() && !table.getAllowEmpty()) {
            throw new IOException(location + " holds no rows (" + configPath + ".allow_empty is false)");
        }
        return rows;
    }

    private void checkNullable(Map<String, Object> record, String where) throws IOException {
        for (FieldSchema field : table.getSchemaList()) {
            if (!field.getNullable() && ItemIds.canonical(record.get(field.getName())) == null) {
                throw new IOException(where + ": field '" + field.getName() + "' is missing and its schema says nullable: false");
            }
        }
    }

    /**
     * What changes when the snapshot is replaced: every data file's name, size and modification
     * time. The cache reloads when it differs from the loaded one's.
     */
    public String stamp() throws IOException {
        StringBuilder out = new StringBuilder();
        for (Path file : dataFiles()) {
            out.append(file.getFileName()).append(':').append(Files.size(file)).append(':')
                    .append(Files.getLastModifiedTime(file).toMillis()).append(';');
        }
        return out.toString();
    }

    private List<Path> dataFiles() throws IOException {
        Path path = Locations.of(location);
        if (!Files.exists(path)) {
            throw new IOException("table snapshot " + location + " does not exist");
        }
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        try (Stream<Path> listed = Files.list(path)) {
            List<Path> files = listed.filter(p -> {
                String name = p.getFileName().toString();
                return !name.startsWith("_") && !name.startsWith(".") && !Files.isDirectory(p);
            }).sorted().toList();
            if (files.isEmpty()) {
                throw new IOException("table snapshot " + location + " is a directory without data files");
            }
            return files;
        }
    }
}

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
 * The item table snapshot the item cache is filled from: a CSV or Parquet file, or a directory of
 * them (a Spark output), local or on any Hadoop filesystem, with the items table's schema and
 * duplicate-key policy from the served bundle's {@code input_config.items}.
 */
public final class ItemTableSource {
    private static final Logger LOG = LoggerFactory.getLogger(ItemTableSource.class);

    private final String location;
    private final DataFormat format;
    private final TableInput table;
    private final String idField;

    /**
     * @param location the snapshot (a path or URI): the command line's, else the config's own table
     * @param input    the bundle's input config: the items table's schema, format and the id field
     */
    public ItemTableSource(String location, InputConfig input) {
        this.location = location;
        this.table = input.getItems();
        this.format = table.getSource().getFormat();
        this.idField = input.getItemIdField();
        if (format != DataFormat.CSV && format != DataFormat.PARQUET) {
            throw new IllegalArgumentException("input_config.items.source.format: the item cache reads CSV or PARQUET snapshots, not "
                    + format);
        }
    }

    public String location() {
        return location;
    }

    public String idField() {
        return idField;
    }

    /** The rows by canonical item id, in table order. */
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
                    throw new IOException(where + ": the item id field '" + idField + "' is missing");
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
                        default -> throw new IOException(where + ": item id '" + id + "' appears twice (first in "
                                + firstSeenIn.get(id) + "); input_config.items.on_duplicate_key is FAIL");
                    }
                }
                rows.put(id, RawRecord.of(record));
                firstSeenIn.put(id, where);
            }
        }
        if (!rejected.isEmpty()) {
            LOG.warn("{}: {} item ids appear more than once and are left out (on_duplicate_key REJECT), e.g. {}", location,
                    rejected.size(), rejected.subList(0, Math.min(5, rejected.size())));
        }
        if (rows.isEmpty() && !table.getAllowEmpty()) {
            throw new IOException(location + " holds no items (input_config.items.allow_empty is false)");
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
            throw new IOException("item table snapshot " + location + " does not exist");
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
                throw new IOException("item table snapshot " + location + " is a directory without data files");
            }
            return files;
        }
    }
}

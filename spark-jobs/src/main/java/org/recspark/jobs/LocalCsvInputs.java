package org.recspark.jobs;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.DataFormat;
import org.recspark.config.proto.FieldSchema;
import org.recspark.config.proto.TableInput;
import org.recspark.storage.Locations;

/**
 * Resolves the CSV tables of an input config for the in-process commands; other formats, Hive
 * tables and files without a header are read by the Spark jobs. Relative paths are resolved
 * against the config's directory. The files are read as RFC 4180, quoted line breaks included
 * ({@link org.recspark.sampledata.CsvRecords}).
 */
final class LocalCsvInputs {
    private LocalCsvInputs() {}

    static Path csvPath(TableInput table, String configPath, Path baseDir) {
        var source = table.getSource();
        if (!source.hasPath()) {
            throw new ConfigException(List.of(new Violation(configPath + ".source",
                    "the local features command reads files; a Hive table needs the Spark jobs")));
        }
        if (source.getFormat() != DataFormat.CSV) {
            throw new ConfigException(List.of(new Violation(configPath + ".source.format",
                    "the local features command reads CSV; got " + source.getFormat() + " (read by the Spark jobs)")));
        }
        if (!source.getHeader()) {
            throw new ConfigException(List.of(new Violation(configPath + ".source.header",
                    "the local features command reads CSV files by their header line; a file without one (header: false) is read by the Spark jobs")));
        }
        return Locations.resolve(baseDir, source.getPath());
    }

    static List<String> columns(TableInput table) {
        return table.getSchemaList().stream().map(FieldSchema::getName).toList();
    }

    static String delimiter(TableInput table) {
        return table.getSource().getDelimiter();
    }

    static Map<String, Map<String, String>> readKeyed(TableInput table, String configPath, Path baseDir, String key) {
        return org.recspark.sampledata.CsvTable.readKeyed(csvPath(table, configPath, baseDir), delimiter(table), key, columns(table));
    }
}

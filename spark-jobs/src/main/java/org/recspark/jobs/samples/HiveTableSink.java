package org.recspark.jobs.samples;

import static org.apache.spark.sql.functions.col;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.Locations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A table of the session's catalog (the Hive metastore, in a session with Hive support),
 * partitioned by dt and written as {@link ParquetPathSink} writes a path: an insert with dynamic
 * partition overwrite replaces only the days the rows hold. An absent table is created (Parquet,
 * partitioned by dt, the rows' columns); an existing one, whatever its format, must have exactly
 * the rows' columns with the same types, and dt as its only partition column. Writes hold the lock
 * of the table's directory and remove a killed write's leftovers first ({@link #write}).
 */
public final class HiveTableSink implements SampleSink {
    private static final Logger LOG = LoggerFactory.getLogger(HiveTableSink.class);
    private static final String OVERWRITE_MODE = "spark.sql.sources.partitionOverwriteMode";

    private final SparkSession spark;
    private final String table;
    private final String namedBy;

    /** @param namedBy where the table is named (an option or a config path), for messages */
    public HiveTableSink(SparkSession spark, String table, String namedBy) {
        this.spark = spark;
        this.table = table;
        this.namedBy = namedBy;
    }

    @Override
    public void check(StructType rows) {
        List<String> problems = new ArrayList<>();
        if (spark.catalog().tableExists(table)) {
            problems.addAll(incompatibilities(spark.table(table).schema(), partitionColumns(), rows));
        } else {
            int dot = table.lastIndexOf('.');
            if (dot > 0 && !spark.catalog().databaseExists(table.substring(0, dot))) {
                problems.add("database '" + table.substring(0, dot) + "' does not exist (the table is created when absent, its database is not)");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("output table " + table, problems.stream().map(p -> new Violation(namedBy, p)).toList());
        }
    }

    private List<String> partitionColumns() {
        try {
            return spark.catalog().listColumns(table).collectAsList().stream()
                    .filter(org.apache.spark.sql.catalog.Column::isPartition).map(org.apache.spark.sql.catalog.Column::name).toList();
        } catch (AnalysisException e) {
            throw new IllegalStateException("cannot list the columns of table " + table + ", which exists", e);
        }
    }

    /**
     * What keeps rows of schema {@code rows} from being inserted into a table of schema
     * {@code table}: a partitioning other than dt alone, and every missing, extra or differently
     * typed column. Names and struct fields compare case-insensitively and nullability is ignored,
     * as the metastore keeps neither.
     */
    static List<String> incompatibilities(StructType table, List<String> partitionColumns, StructType rows) {
        List<String> problems = new ArrayList<>();
        if (!partitionColumns.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList().equals(List.of(SampleBuildJob.DT))) {
            problems.add("the table is partitioned by " + partitionColumns + ", not by " + SampleBuildJob.DT + " alone");
        }
        Map<String, StructField> tableColumns = byLowerCaseName(table);
        Map<String, StructField> rowColumns = byLowerCaseName(rows);
        for (Map.Entry<String, StructField> row : rowColumns.entrySet()) {
            StructField column = tableColumns.get(row.getKey());
            if (column == null) {
                problems.add("the table has no column '" + row.getValue().name() + "' (" + typeName(row.getValue().dataType()) + ")");
            } else if (!typeName(column.dataType()).equals(typeName(row.getValue().dataType()))) {
                problems.add("column '" + column.name() + "' is " + typeName(column.dataType()) + " in the table, but "
                        + typeName(row.getValue().dataType()) + " in the rows");
            }
        }
        for (Map.Entry<String, StructField> column : tableColumns.entrySet()) {
            if (!rowColumns.containsKey(column.getKey())) {
                problems.add("the table's column '" + column.getValue().name() + "' (" + typeName(column.getValue().dataType())
                        + ") is not among the rows' columns " + Arrays.toString(rows.fieldNames()));
            }
        }
        return problems;
    }

    private static Map<String, StructField> byLowerCaseName(StructType schema) {
        Map<String, StructField> fields = new LinkedHashMap<>();
        for (StructField field : schema.fields()) {
            fields.put(field.name().toLowerCase(Locale.ROOT), field);
        }
        return fields;
    }

    /** The type as the metastore records it: no nullability, names in any case. */
    private static String typeName(DataType type) {
        return type.catalogString().toLowerCase(Locale.ROOT);
    }

    /**
     * Creates the table when absent, then writes under the lock of the table's directory, as the
     * path sink does: a second writer of the table is refused naming the first, and the staging
     * a killed insert left in the table's directory is removed first (Spark never removes it).
     * Emptied days are dropped from the table: a managed table's files go with them; an external
     * table's stay on disk, invisible to readers of the table.
     */
    @Override
    public void write(Dataset<Row> rows, Set<String> dates, Set<String> emptiedDays) {
        createIfAbsent(rows.schema());
        Path dir = Locations.of(directory());
        try (DirectoryLock lock = DirectoryLock.acquire(dir, "write to table " + table)) {
            PartitionedOutputDirectory.at(dir, SampleBuildJob.DT).removeLeftovers();
            insert(rows);
            lock.checkHeld();
            for (String day : emptiedDays) {
                // The day comes from --date (YYYY-MM-DD) and the table name from a checked identifier: nothing to escape.
                spark.sql("ALTER TABLE " + table + " DROP IF EXISTS PARTITION (" + SampleBuildJob.DT + " = '" + day + "')");
                LOG.info("Dropped partition {}={} of table {}, if it was there: this run has no rows for it", SampleBuildJob.DT, day, table);
            }
        }
    }

    private void createIfAbsent(StructType schema) {
        if (spark.catalog().tableExists(table)) {
            return;
        }
        try {
            spark.createDataFrame(List.of(), schema).write().format("parquet").partitionBy(SampleBuildJob.DT).saveAsTable(table);
            LOG.info("Created table {} (Parquet, partitioned by {})", table, SampleBuildJob.DT);
        } catch (RuntimeException e) {
            // Another run may have created it meanwhile: then its lock decides who writes.
            if (!spark.catalog().tableExists(table)) {
                throw e;
            }
        }
    }

    /** The table's directory as the catalog records it (a URI). */
    private String directory() {
        List<Row> location = spark.sql("DESCRIBE TABLE EXTENDED " + table).where("col_name = 'Location'").collectAsList();
        if (location.isEmpty()) {
            throw new IllegalStateException("the catalog records no location for table " + table + ", so no lock can be taken on it");
        }
        return location.get(0).getString(1);
    }

    private void insert(Dataset<Row> rows) {
        // insertInto matches columns by position: select them in the table's order (partition columns last).
        Column[] ordered = Arrays.stream(spark.table(table).schema().fieldNames()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
        // A catalog table takes the mode from the session only; set for this insert, so a session in static
        // mode cannot delete the other days.
        String previous = spark.conf().get(OVERWRITE_MODE);
        spark.conf().set(OVERWRITE_MODE, "dynamic");
        try {
            rows.select(ordered).write().mode(SaveMode.Overwrite).insertInto(table);
        } finally {
            spark.conf().set(OVERWRITE_MODE, previous);
        }
    }

    @Override
    public Map<String, Long> written(SparkSession session, Set<String> dates) {
        if (dates.isEmpty()) {
            return Map.of();
        }
        session.catalog().refreshTable(table);
        return SampleSink.countPerDate(session.table(table), dates);
    }

    @Override
    public String location() {
        return "table " + table;
    }
}

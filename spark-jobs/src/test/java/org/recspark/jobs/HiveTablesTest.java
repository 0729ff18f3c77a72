package org.recspark.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.split;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.jobs.samples.HiveSupport;
import org.recspark.jobs.samples.SampleBuildJobTest;
import org.recspark.storage.DirectoryLock;

/**
 * Hive tables as the inputs and outputs of build-samples and predict, with Spark's embedded Derby
 * metastore in a temporary directory. One local[2] session with Hive support, in a JVM of its own
 * (the hive-metastore tag: see spark-jobs/pom.xml).
 */
@Tag("hive-metastore")
class HiveTablesTest {
    private static SparkSession spark;
    @TempDir
    static Path tmp;
    private static Path config;
    private static Path samples;

    @BeforeAll
    static void startHiveSession() throws IOException {
        // Derby writes its log to the working directory unless told otherwise.
        System.setProperty("derby.stream.error.file", tmp.resolve("derby.log").toString());
        spark = SparkSession.builder().master("local[2]").appName("HiveTablesTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC").config("spark.sql.sources.partitionOverwriteMode", "dynamic")
                .config("spark.sql.warehouse.dir", tmp.resolve("warehouse").toString())
                .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                        "jdbc:derby:;databaseName=" + tmp.resolve("metastore_db") + ";create=true")
                .config("spark.hadoop.hive.exec.scratchdir", tmp.resolve("hive-scratch").toString())
                .config("spark.hadoop.hive.exec.local.scratchdir", tmp.resolve("hive-local-scratch").toString())
                .enableHiveSupport().getOrCreate();
        assertTrue(HiveSupport.enabled(spark), "another class's session is still running in this JVM");
        spark.sql("CREATE DATABASE recs");
        config = SampleBuildJobTest.copySample(tmp.resolve("workspace"));
        Files.writeString(config, Files.readString(config).replace("num_epochs: 8", "num_epochs: 1"));
        samples = tmp.resolve("samples");
        RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out", samples.toString());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static Dataset<Row> csv(String name) {
        return spark.read().option("header", "true").option("inferSchema", "true")
                .csv(config.getParent().getParent().resolve("sample-data/small").resolve(name).toString());
    }

    /**
     * Rows of {@code a} not in {@code b} and of {@code b} not in {@code a}, over a's columns, with dt
     * as a string (reading a path infers dates from partition names).
     */
    private static long difference(Dataset<Row> a, Dataset<Row> b) {
        Dataset<Row> left = a.withColumn("dt", col("dt").cast("string"));
        Dataset<Row> right = b.selectExpr(a.columns()).withColumn("dt", col("dt").cast("string"));
        return left.exceptAll(right).count() + right.exceptAll(left).count();
    }

    private static Map<String, Long> countsByDt(String table) {
        Map<String, Long> counts = new TreeMap<>();
        for (Row r : spark.table(table).groupBy("dt").count().collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        return counts;
    }

    private static Set<String> files(String table, String dt) {
        return Set.of(spark.table(table).where(col("dt").equalTo(dt)).inputFiles());
    }

    private static String failing(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RecSparkCliAccess.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        assertEquals(2, code, err.toString(StandardCharsets.UTF_8));
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void hiveInputTablesGiveTheSameSamplesAsTheFiles() throws IOException {
        // A table of each kind: Spark's own (Parquet, partitioned by dt) and Hive's (STORED AS PARQUET),
        // lists and maps as Hive ARRAY and MAP columns rather than the CSV's separated strings.
        csv("impressions.csv").withColumn("ts", col("ts").cast("bigint")).withColumn("dt", col("dt").cast("string"))
                .write().format("parquet").partitionBy("dt").saveAsTable("recs.impressions");
        spark.sql("CREATE TABLE recs.users (user_id STRING, age INT, gender STRING, city STRING, occupation STRING,"
                + " interests ARRAY<STRING>, category_affinity MAP<STRING, DOUBLE>) STORED AS PARQUET");
        csv("users.csv").withColumn("interests", split(col("interests"), "[|]"))
                .withColumn("category_affinity", expr("transform_values(str_to_map(category_affinity, '[|]', ':'), (k, v) -> cast(v as double))"))
                .write().insertInto("recs.users");
        csv("items.csv").withColumn("tags", split(col("tags"), "[|]")).withColumn("publish_ts", col("publish_ts").cast("bigint"))
                .write().saveAsTable("recs.items");
        csv("behaviours.csv").withColumn("ts", col("ts").cast("bigint")).write().saveAsTable("recs.behaviours");
        Path hiveConfig = config.resolveSibling("hive_inputs.pbtxt");
        String text = Files.readString(config);
        for (String table : List.of("impressions", "users", "items", "behaviours")) {
            text = text.replace("source { path: \"../sample-data/small/" + table + ".csv\" format: CSV }",
                    "source { hive_table: \"recs." + table + "\" }");
        }
        Files.writeString(hiveConfig, text);
        assertEquals(4, HiveSupport.tablesIn(ConfigParser.load(hiveConfig).getInputConfig()).size());

        Path fromHive = tmp.resolve("samples-from-hive");
        String printed = RecSparkCliAccess.runOk("build-samples", "--config", hiveConfig.toString(), "--out", fromHive.toString());
        assertTrue(printed.contains("build-samples: 20000 samples"), printed);
        assertEquals(0, difference(spark.read().parquet(samples.toString()), spark.read().parquet(fromHive.toString())));
    }

    @Test
    void outTableReplacesOnlyTheDayItBuilds() {
        Path rejects = tmp.resolve("table-rejects");
        for (String day : List.of("2026-11-01", "2026-11-02")) {
            String printed = RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out-table", "recs.samples",
                    "--date", day, "--rejects", rejects.toString());
            assertTrue(printed.contains("build-samples: 5000 samples -> table recs.samples"), printed);
        }
        Map<String, Long> counts = Map.of("2026-11-01", 5000L, "2026-11-02", 5000L);
        assertEquals(counts, countsByDt("recs.samples"));
        Set<String> day2Files = files("recs.samples", "2026-11-02");

        RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out-table", "recs.samples",
                "--date", "2026-11-01", "--rejects", rejects.toString());
        assertEquals(counts, countsByDt("recs.samples"), "a rerun replaces its day");
        assertEquals(day2Files, files("recs.samples", "2026-11-02"), "the other day untouched");
        assertEquals(List.of("dt=2026-11-01", "dt=2026-11-02"),
                spark.sql("SHOW PARTITIONS recs.samples").collectAsList().stream().map(r -> r.getString(0)).toList());
        assertEquals(0, difference(spark.read().parquet(samples.toString()).where("dt <= '2026-11-02'"), spark.table("recs.samples")),
                "the same samples as under a path");
        assertTrue(Files.isDirectory(rejects.resolve("dt=2026-11-01")), "rejects by day under --rejects");
        String provider = spark.sql("DESCRIBE TABLE EXTENDED recs.samples").where("col_name = 'Provider'").first().getString(1);
        assertEquals("parquet", provider);
    }

    @Test
    void aSecondWriterOfATableIsRefusedNamingTheFirstAndAKilledInsertsStagingIsRemoved() throws IOException {
        String[] build = {"build-samples", "--config", config.toString(), "--out-table", "recs.locked", "--date", "2026-11-01",
                "--rejects", tmp.resolve("locked-rejects").toString()};
        RecSparkCliAccess.runOk(build);
        Path dir = Path.of(URI.create(spark.sql("DESCRIBE TABLE EXTENDED recs.locked").where("col_name = 'Location'").first().getString(1)));
        try (DirectoryLock other = DirectoryLock.acquire(dir, "write to table recs.locked by another build-samples")) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = RecSparkCliAccess.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8), build);
            assertEquals(1, code, err.toString(StandardCharsets.UTF_8));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains(dir + " is locked by 'write to table recs.locked by another build-samples'"),
                    err.toString(StandardCharsets.UTF_8));
        }
        // What an insert killed mid-write leaves in the table's directory.
        Path killed = Files.createDirectories(dir.resolve(".spark-staging-0c1d2e/dt=2026-11-01"));
        Files.writeString(killed.resolve("part-00000-0c1d2e.c000.snappy.parquet"), "half a file");

        RecSparkCliAccess.runOk(build);
        assertFalse(Files.exists(dir.resolve(".spark-staging-0c1d2e")), "the killed insert's staging is removed");
        assertFalse(Files.exists(dir.resolve(DirectoryLock.FILE)), "the lock is released");
        assertEquals(Map.of("2026-11-01", 5000L), countsByDt("recs.locked"));
    }

    @Test
    void aDayRebuiltWithoutSamplesIsDroppedFromTheTable() throws IOException {
        String rejects = tmp.resolve("emptied-rejects").toString();
        RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out-table", "recs.emptied", "--date", "2026-11-01",
                "--rejects", rejects);
        // An earlier run's rows for a day on which the inputs now hold no samples.
        spark.table("recs.emptied").where("dt = '2026-11-01'").withColumn("dt", lit("2026-12-25")).write().insertInto("recs.emptied");
        assertEquals(Map.of("2026-11-01", 5000L, "2026-12-25", 5000L), countsByDt("recs.emptied"));
        Path allowEmpty = config.resolveSibling("allow_empty.pbtxt");
        Files.writeString(allowEmpty, Files.readString(config).replaceFirst("samples \\{", "samples {\n    allow_empty: true"));

        String printed = RecSparkCliAccess.runOk("build-samples", "--config", allowEmpty.toString(), "--out-table", "recs.emptied",
                "--date", "2026-12-25", "--rejects", rejects);
        assertTrue(printed.contains("build-samples: 0 samples"), printed);
        assertEquals(Map.of("2026-11-01", 5000L), countsByDt("recs.emptied"), "the day holds what the run built: nothing");
    }

    @Test
    void predictWritesItsScoresIntoAnExistingHiveTable() {
        Path model = tmp.resolve("model");
        RecSparkCliAccess.runOk("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir", model.toString(),
                "--threads", "2");
        String bundle = model.resolve("export/final").toString();
        // Created by Hive's DDL (a Hive SerDe table), its columns in another order than predict's.
        spark.sql("CREATE TABLE recs.predictions (item_id STRING, request_id STRING, user_id STRING, ts BIGINT, score FLOAT, click DOUBLE, _split_draw DOUBLE)"
                + " PARTITIONED BY (dt STRING) STORED AS PARQUET");
        String printed = RecSparkCliAccess.runOk("predict", "--config", config.toString(), "--bundle", bundle, "--out-table", "recs.predictions",
                "--date", "2026-11-03", "--rejects", tmp.resolve("prediction-rejects").toString());
        assertTrue(printed.contains("predict: 5000 impressions scored"), printed);
        Path predictions = tmp.resolve("predictions");
        RecSparkCliAccess.runOk("predict", "--config", config.toString(), "--bundle", bundle, "--out", predictions.toString(),
                "--date", "2026-11-03");
        assertEquals(Map.of("2026-11-03", 5000L), countsByDt("recs.predictions"));
        assertEquals(0, difference(spark.read().parquet(predictions.toString()), spark.table("recs.predictions")));
    }

    @Test
    void anIncompatibleTableIsRefusedBeforeAnyWork() {
        spark.sql("CREATE TABLE recs.other (request_id STRING, user_id STRING, item_id STRING, ts BIGINT, click STRING)"
                + " PARTITIONED BY (day STRING) STORED AS PARQUET");
        Path rejects = tmp.resolve("other-rejects");
        String err = failing("build-samples", "--config", config.toString(), "--out-table", "recs.other", "--rejects", rejects.toString());
        assertTrue(err.contains("output table recs.other (6 problems)"), err);
        for (String problem : List.of("--out-table: the table is partitioned by [day], not by dt alone",
                "--out-table: column 'click' is string in the table, but double in the rows",
                "--out-table: the table has no column 'dt' (string)", "--out-table: the table has no column 'features' (struct<",
                "--out-table: the table's column 'day' (string) is not among the rows' columns")) {
            assertTrue(err.contains(problem), err);
        }
        assertFalse(Files.exists(rejects), "nothing written, not even the rejects");
        assertEquals(0, spark.table("recs.other").count());

        err = failing("build-samples", "--config", config.toString(), "--out-table", "nowhere.samples", "--rejects", rejects.toString());
        assertTrue(err.contains("--out-table: database 'nowhere' does not exist"), err);
    }
}

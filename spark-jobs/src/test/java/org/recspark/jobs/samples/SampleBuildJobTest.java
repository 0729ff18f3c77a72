package org.recspark.jobs.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.jobs.JobDescriptions;
import org.recspark.jobs.RecSparkCliAccess;
import org.recspark.sampledata.RequiredSharedData;

/** The sample job on the bundled sample, against the online path of the feature jar. One local[2] session. */
public class SampleBuildJobTest {
    static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("SampleBuildJobTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC").config("spark.sql.sources.partitionOverwriteMode", "dynamic")
                .config("spark.sql.warehouse.dir", tmp.resolve("warehouse").toString())
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    static Path repoRoot() {
        String root = System.getProperty("recspark.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    /** A copy of the example config and the sample data, laid out as in the repository, to edit freely. */
    public static Path copySample(Path dir) throws IOException {
        Path data = dir.resolve("sample-data").resolve("small");
        Files.createDirectories(data);
        for (String file : List.of("users.csv", "items.csv", "impressions.csv", "behaviours.csv")) {
            Files.copy(repoRoot().resolve("sample-data/small").resolve(file), data.resolve(file));
        }
        Path config = dir.resolve("examples").resolve("sample_pipeline.pbtxt");
        Files.createDirectories(config.getParent());
        Files.copy(repoRoot().resolve("examples/sample_pipeline.pbtxt"), config);
        return config;
    }

    static SampleBuildJob.Summary build(Path config, Path out, Optional<String> date) {
        PipelineConfig pipeline = ConfigParser.load(config);
        return new SampleBuildJob(spark, pipeline, config.getParent()).run(out.toString(), out + "_rejects", date);
    }

    /** Runs the in-process features command (the online calculator and the feature jar) and reads its output by row key. */
    static Map<String, JsonObject> onlineFeatures(Path config, Path out) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = org.recspark.jobs.RecSparkCliAccess.run(new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), "features", "--config", config.toString(), "--out", out.toString());
        assertEquals(0, code, err.toString());
        Map<String, JsonObject> rows = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("features.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            rows.put(o.get("request_id").getAsString() + "/" + o.get("item_id").getAsString(), o.getAsJsonObject("features"));
        }
        return rows;
    }

    /** Every feature of every Spark sample equals the online path's, value for value. */
    static void assertSameFeatures(Path samples, Map<String, JsonObject> online) {
        List<Row> rows = spark.read().parquet(samples.toString()).collectAsList();
        assertEquals(online.size(), rows.size());
        for (Row row : rows) {
            String key = row.getAs("request_id") + "/" + row.getAs("item_id");
            JsonObject expected = online.get(key);
            Row features = row.getAs(FeatureStage.FEATURES);
            for (String name : features.schema().fieldNames()) {
                List<Object> actual = features.getList(features.fieldIndex(name));
                JsonArray want = expected.getAsJsonArray(name);
                assertEquals(want.size(), actual.size(), key + " " + name);
                for (int k = 0; k < actual.size(); k++) {
                    Object v = actual.get(k);
                    if (v instanceof Long id) {
                        assertEquals(want.get(k).getAsLong(), id, key + " " + name);
                    } else {
                        assertEquals(want.get(k).getAsFloat(), (Float) v, key + " " + name);
                    }
                }
            }
        }
    }

    @Test
    void sparkSamplesEqualTheOnlineComputationForEverySample() throws IOException {
        Path config = copySample(tmp.resolve("parity"));
        Path out = tmp.resolve("parity-out");
        SampleBuildJob.Summary summary = build(config, out, Optional.empty());
        assertEquals(20_000, summary.totalSamples());
        assertEquals(Map.of("2026-11-01", 5000L, "2026-11-02", 5000L, "2026-11-03", 5000L, "2026-11-04", 5000L),
                summary.samplesPerDate());
        assertTrue(Files.isDirectory(out.resolve("dt=2026-11-03")));
        assertSameFeatures(out, onlineFeatures(config, tmp.resolve("parity-online")));
    }

    @Test
    void parityHoldsWithTiesAndEventsExactlyAtWindowEdges() throws IOException {
        Path config = copySample(tmp.resolve("ties"));
        Path data = config.getParent().getParent().resolve("sample-data/small");
        // Rounding every time to 10 minutes puts many events in the sample's own second (excluded)
        // and exactly at t - 1h, t - 2h, ... (included), and makes same-second events common.
        roundTimes(data.resolve("impressions.csv"), 1);
        roundTimes(data.resolve("behaviours.csv"), 3);
        Path out = tmp.resolve("ties-out");
        build(config, out, Optional.empty());
        assertSameFeatures(out, onlineFeatures(config, tmp.resolve("ties-online")));
    }

    private static void roundTimes(Path csv, int column) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        StringBuilder out = new StringBuilder(lines.get(0)).append('\n');
        for (String line : lines.subList(1, lines.size())) {
            String[] p = line.split(",", -1);
            p[column] = Long.toString(Long.parseLong(p[column]) / 600 * 600);
            out.append(String.join(",", p)).append('\n');
        }
        Files.writeString(csv, out);
    }

    @Test
    void movieLensRunsEndToEndWithOnlineParity() throws IOException {
        Path movieLens = RequiredSharedData.movieLens100k("build-samples on MovieLens-100K with online parity");
        Path dir = tmp.resolve("movielens");
        org.recspark.sampledata.MovieLensTables.write(org.recspark.sampledata.MovieLens100k.read(movieLens),
                dir.resolve("target/datasets/movielens"));
        Path config = dir.resolve("examples/movielens_samples.pbtxt");
        Files.createDirectories(config.getParent());
        Files.copy(repoRoot().resolve("examples/movielens_samples.pbtxt"), config);
        Path out = dir.resolve("samples");
        SampleBuildJob.Summary summary = build(config, out, Optional.empty());
        assertEquals(100_000, summary.totalSamples());
        assertEquals(0, summary.rejectedSamples());
        var samples = spark.read().parquet(out.toString());
        assertEquals(55_375.0, samples.agg(org.apache.spark.sql.functions.sum("rating")).first().getDouble(0),
                "label = rating >= 4");
        assertEquals("1997-09-20", summary.samplesPerDate().keySet().iterator().next());
        Map<String, JsonObject> online = new HashMap<>();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, org.recspark.jobs.RecSparkCliAccess.run(new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), "features", "--config", config.toString(),
                "--out", dir.resolve("online").toString()), err.toString());
        for (String line : Files.readAllLines(dir.resolve("online/features.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            online.put(o.get("user_id").getAsString() + "/" + o.get("item_id").getAsString(), o.getAsJsonObject("features"));
        }
        assertEquals(100_000, online.size(), "a user rates an item once");
        for (Row row : samples.collectAsList()) {
            String key = row.getAs("user_id") + "/" + row.getAs("item_id");
            Row features = row.getAs(FeatureStage.FEATURES);
            for (String name : List.of("user_rated_30d", "user_liked_30d", "item_rated_7d", "user_genre_liked_30d",
                    "user_liked_365d", "item_liked_365d", "user_genre_rated_365d")) {
                assertEquals(online.get(key).getAsJsonArray(name).get(0).getAsFloat(),
                        (Float) features.getList(features.fieldIndex(name)).get(0), key + " " + name);
            }
            assertEquals(online.get(key).getAsJsonArray("liked_items").toString(),
                    features.getList(features.fieldIndex("liked_items")).toString().replace(" ", ""), key + " liked_items");
        }
    }

    @Test
    void aDailyRunReplacesOnlyItsPartition() throws IOException {
        Path config = copySample(tmp.resolve("daily"));
        Path out = tmp.resolve("daily-out");
        build(config, out, Optional.empty());
        long day2Before = spark.read().parquet(out.resolve("dt=2026-11-02").toString()).count();
        Path day3 = out.resolve("dt=2026-11-03");
        List<Path> day3Files;
        try (var files = Files.list(day3)) {
            day3Files = files.toList();
        }
        SampleBuildJob.Summary rerun = build(config, out, Optional.of("2026-11-02"));
        assertEquals(Map.of("2026-11-02", 5000L), rerun.samplesPerDate());
        assertEquals(day2Before, spark.read().parquet(out.resolve("dt=2026-11-02").toString()).count(), "rerun is idempotent");
        assertEquals(20_000, spark.read().parquet(out.toString()).count());
        try (var files = Files.list(day3)) {
            assertEquals(day3Files, files.toList(), "other days untouched");
        }
    }

    @Test
    void everyJobOfBuildSamplesCarriesADescriptionNamingItsStep() throws IOException, TimeoutException {
        Path config = copySample(tmp.resolve("descriptions"));
        List<String> descriptions = new CopyOnWriteArrayList<>();
        SparkListener jobs = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                descriptions.add(String.valueOf(start.properties().getProperty(JobDescriptions.PROPERTY)));
            }
        };
        spark.sparkContext().addSparkListener(jobs);
        try {
            RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out", tmp.resolve("descriptions-out").toString(),
                    "--date", "2026-11-04");
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(jobs);
        }
        assertTrue(descriptions.stream().allMatch(d -> d.startsWith("build-samples: ")), descriptions.toString());
        assertTrue(descriptions.containsAll(List.of("build-samples: count rejects", "build-samples: write rejects",
                "build-samples: count samples", "build-samples: replay and write dt=2026-11-04", "build-samples: count samples per day")),
                descriptions.toString());
        assertNull(spark.sparkContext().getLocalProperty(JobDescriptions.PROPERTY), "the command's description ends with it");
    }

    @Test
    void aStepRestoresTheDescriptionBeforeIt() {
        spark.sparkContext().setJobDescription("outer");
        try {
            String inner = JobDescriptions.run(spark, "inner", () -> spark.sparkContext().getLocalProperty(JobDescriptions.PROPERTY));
            assertEquals("inner", inner, "outside a command a step's name stands alone");
            assertEquals("outer", spark.sparkContext().getLocalProperty(JobDescriptions.PROPERTY));
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
    }

    @Test
    void schemaMismatchesFailBeforeAnyWorkNamingColumnExpectedAndActual() throws IOException {
        Path config = copySample(tmp.resolve("schema"));
        Path parquet = config.getParent().resolveSibling("sample-data").resolve("schema-users.parquet");
        spark.read().option("header", "true").csv(repoRoot().resolve("sample-data/small/users.csv").toString())
                .drop("gender").write().parquet(parquet.toString());
        Files.writeString(config, Files.readString(config).replace(
                "source { path: \"../sample-data/small/users.csv\" format: CSV }", "source { path: \"" + parquet + "\" format: PARQUET }"));
        ConfigException e = assertThrows(ConfigException.class, () -> build(config, tmp.resolve("schema-out"), Optional.empty()));
        String message = e.getMessage();
        assertTrue(message.contains("input_config.users.schema[1]: column 'age' of PARQUET " + parquet + " should be INT64 but is string"), message);
        assertTrue(message.contains("input_config.users.schema[2]: column 'gender' (STRING) is missing from PARQUET " + parquet), message);
        assertTrue(!Files.exists(tmp.resolve("schema-out")), "nothing written");
    }

    @Test
    void snapshotTablesJoinAsOfTheSamplesDate() throws IOException {
        Path config = copySample(tmp.resolve("snapshots"));
        Path users = config.getParent().getParent().resolve("sample-data/small/users.csv");
        List<String> lines = Files.readAllLines(users);
        StringBuilder snapshots = new StringBuilder(lines.get(0)).append(",dt\n");
        for (String day : List.of("2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04")) {
            boolean moved = day.compareTo("2026-11-03") >= 0;
            for (String line : lines.subList(1, lines.size())) {
                String[] p = line.split(",", -1);
                if (moved) {
                    p[3] = "c_new";
                }
                snapshots.append(String.join(",", p)).append(',').append(day).append('\n');
            }
        }
        Files.writeString(users, snapshots);
        Files.writeString(config, Files.readString(config).replace(
                "    schema { name: \"category_affinity\" type: STRING_DOUBLE_MAP }\n",
                "    schema { name: \"category_affinity\" type: STRING_DOUBLE_MAP }\n    schema { name: \"dt\" type: STRING }\n"));
        Path out = tmp.resolve("snapshots-out");
        assertEquals(20_000, build(config, out, Optional.empty()).totalSamples());
        long newCity = org.recspark.features.FeatureHashing.bucket("c_new", 1000);
        for (Row r : spark.read().parquet(out.toString()).selectExpr("cast(dt as string) as dt", "features.city[0] as city")
                .groupBy("dt").agg(org.apache.spark.sql.functions.expr("sum(if(city = " + newCity + ", 1, 0))")).collectAsList()) {
            long expected = r.getString(0).compareTo("2026-11-03") >= 0 ? 5000 : 0;
            assertEquals(expected, r.getLong(1), "samples in the new city on " + r.getString(0));
        }
    }

    @Test
    void readsCatalogTablesAndOrc() throws IOException {
        Path config = copySample(tmp.resolve("catalog"));
        var items = spark.read().option("header", "true").option("inferSchema", "true")
                .csv(repoRoot().resolve("sample-data/small/items.csv").toString());
        items.write().saveAsTable("sample_items");
        Path orc = config.getParent().resolveSibling("sample-data").resolve("users.orc");
        spark.read().option("header", "true").option("inferSchema", "true")
                .csv(repoRoot().resolve("sample-data/small/users.csv").toString()).write().orc(orc.toString());
        Files.writeString(config, Files.readString(config)
                .replace("source { path: \"../sample-data/small/items.csv\" format: CSV }", "source { hive_table: \"sample_items\" }")
                .replace("source { path: \"../sample-data/small/users.csv\" format: CSV }",
                        "source { path: \"" + orc + "\" format: ORC }"));
        SampleBuildJob.Summary summary = build(config, tmp.resolve("catalog-out"), Optional.of("2026-11-04"));
        assertEquals(Map.of("2026-11-04", 5000L), summary.samplesPerDate());
    }

    /** This class's session has no Hive support (spark-hive is on the classpath, but the session was built without it). */
    @Test
    void aHiveTableWithoutHiveSupportIsAClearErrorNotTableNotFound() throws IOException {
        Path config = copySample(tmp.resolve("no-hive"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // The launcher asks for Hive support, but gets this running session.
        assertEquals(2, org.recspark.jobs.RecSparkCliAccess.run(new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), "build-samples", "--config", config.toString(),
                "--out-table", "recs.samples", "--rejects", tmp.resolve("no-hive-rejects").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("recspark build-samples: --out-table names Hive table 'recs.samples', "
                + "but this Spark session has no Hive support: it was built without it (spark.sql.catalogImplementation=in-memory)"), err.toString());

        Files.writeString(config, Files.readString(config).replace(
                "source { path: \"../sample-data/small/users.csv\" format: CSV }", "source { hive_table: \"recs.users\" }"));
        ConfigException e = assertThrows(ConfigException.class, () -> build(config, tmp.resolve("no-hive-out"), Optional.empty()));
        assertTrue(e.getMessage().contains("input_config.users.source.hive_table: names Hive table 'recs.users', but this Spark session "
                + "has no Hive support: it was built without it (spark.sql.catalogImplementation=in-memory)"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("no-hive-rejects")) && !Files.exists(tmp.resolve("no-hive-out")), "nothing written");
    }

    @Test
    void malformedRowsAreRejectedWithReasonsAndTheThresholdFailsTheJob() throws IOException {
        Path config = copySample(tmp.resolve("rejects"));
        Path impressions = config.getParent().getParent().resolve("sample-data/small/impressions.csv");
        List<String> lines = Files.readAllLines(impressions);
        lines.set(10, lines.get(10).replaceFirst(",\\d+,2026", ",yesterday,2026"));
        lines.set(20, lines.get(20).replaceFirst(",u\\d+,", ",ghost,"));
        lines.set(30, lines.get(30).replaceFirst(",\\d$", ","));
        Files.write(impressions, lines);
        Path out = tmp.resolve("rejects-out");
        TooManyRejectsException e = assertThrows(TooManyRejectsException.class, () -> build(config, out, Optional.empty()));
        assertTrue(e.getMessage().startsWith("3 of 20000 samples (0.0002) were rejected, more than input_config.rejects.max_fraction 1.0E-4"),
                e.getMessage());
        assertTrue(!Files.exists(out), "no samples written");
        List<Row> rejects = spark.read().json(out + "_rejects").orderBy("reason").collectAsList();
        assertEquals(List.of("malformed row: column ts is not an INT64 (a whole number from -2^63 to 2^63 - 1, digits only)",
                "null in non-nullable column click",
                "unknown user_id"), rejects.stream().map(r -> r.<String>getAs("reason")).toList());
        assertTrue(rejects.get(0).<String>getAs("row").contains("yesterday"));

        Files.writeString(config, Files.readString(config).replace("max_fraction: 0.0001", "max_fraction: 0.001"));
        SampleBuildJob.Summary summary = build(config, out, Optional.empty());
        assertEquals(19_997, summary.totalSamples());
        assertEquals(3, summary.rejectedSamples());
    }
}

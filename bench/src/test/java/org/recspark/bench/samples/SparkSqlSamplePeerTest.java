package org.recspark.bench.samples;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.BehaviourStatsFields;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.BehaviourStats;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.jobs.samples.ParquetPathSink;
import org.recspark.jobs.samples.SampleBuildJob;

/**
 * The plain Spark SQL peer computes the same behaviour counts as build-samples: on the bundled
 * sample with examples/sample_pipeline.pbtxt, every impression's every count (3 event types x 5
 * windows for user, item and user x category) and every joined user and item field are equal.
 * build-samples runs its own replay with the feature stage replaced by a selection of the joined
 * rows, so its counts are compared before the feature jar transforms them. One local[2] session.
 */
class SparkSqlSamplePeerTest {
    private static SparkSession spark;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("SparkSqlSamplePeerTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC").config("spark.sql.sources.partitionOverwriteMode", "dynamic")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void countsEqualBuildSamplesOnTheBundledSample() throws IOException {
        Path config = copySample(tmp.resolve("bundled"));
        assertSameAsBuildSamples(config, tmp.resolve("bundled-out"));
    }

    @Test
    void countsEqualBuildSamplesWithEventsInTheImpressionsSecondAndAtWindowEdges() throws IOException {
        Path config = copySample(tmp.resolve("ties"));
        Path data = config.getParent().getParent().resolve("sample-data/small");
        // Times rounded to 10 minutes put many events in the impression's own second (excluded) and
        // exactly at t - 1h, t - 2h, ... (included): where a frame off by one second would differ.
        roundTimes(data.resolve("impressions.csv"), 1);
        roundTimes(data.resolve("behaviours.csv"), 3);
        assertSameAsBuildSamples(config, tmp.resolve("ties-out"));
    }

    private static void assertSameAsBuildSamples(Path config, Path out) {
        PipelineConfig pipeline = ConfigParser.load(config);
        BehaviourStats stats = pipeline.getFeatureConfig().getBehaviourStats();
        String built = out.resolve("build-samples").toString();
        new SampleBuildJob(spark, pipeline, config.getParent()).run(new ParquetPathSink(built), built + "_rejects", Optional.empty(),
                (joined, keep) -> joined.select(joinedFields(joined, keep)));
        String peer = out.resolve("peer").toString();
        long written = new SparkSqlSamplePeer(spark, pipeline, config.getParent()).write(peer);
        Dataset<Row> ours = spark.read().parquet(built);
        Dataset<Row> theirs = spark.read().parquet(peer);
        assertEquals(20_000, ours.count());
        assertEquals(20_000, written);

        List<String> counts = new ArrayList<>();
        BehaviourStatsFields.userCountFields(stats).forEach(n -> counts.add(SparkSqlSamplePeer.USER_PREFIX + n));
        BehaviourStatsFields.itemFields(stats).forEach(n -> counts.add(SparkSqlSamplePeer.ITEM_PREFIX + n));
        assertEquals(45, counts.size());
        List<String> compared = new ArrayList<>(counts);
        for (String c : theirs.columns()) {
            boolean side = c.startsWith(SparkSqlSamplePeer.USER_PREFIX) || c.startsWith(SparkSqlSamplePeer.ITEM_PREFIX);
            if (side && !compared.contains(c)) {
                compared.add(c);
            }
        }
        compared.add(SparkSqlSamplePeer.DT);
        assertTrue(List.of(ours.columns()).containsAll(compared), "build-samples' rows lack some of " + compared);

        Dataset<Row> a = ours.as("a");
        Dataset<Row> b = theirs.as("b");
        Dataset<Row> pairs = a.join(b, a.col("request_id").equalTo(b.col("request_id")).and(a.col("item_id").equalTo(b.col("item_id"))),
                "full_outer");
        List<Column> aggregates = new ArrayList<>();
        aggregates.add(sum(when(a.col("request_id").isNull().or(b.col("request_id").isNull()), 1L).otherwise(0L)).as("unmatched"));
        for (String c : compared) {
            aggregates.add(sum(when(a.col(c).eqNullSafe(b.col(c)), 0L).otherwise(1L)).as(c));
        }
        Row differences = pairs.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).first();
        Map<String, Long> differing = new LinkedHashMap<>();
        for (int i = 0; i < differences.size(); i++) {
            if (differences.getLong(i) != 0) {
                differing.put(differences.schema().fieldNames()[i], differences.getLong(i));
            }
        }
        assertEquals(Map.of(), differing, "rows (impressions) differing per column between build-samples and the peer");

        // Equal zeros would prove nothing: every statistic group counts events somewhere.
        for (String prefix : List.of("user__user_click_", "item__item_click_", "item__user_cat_click_")) {
            long total = ours.agg(sum(counts.stream().filter(c -> c.startsWith(prefix)).map(c -> col(c))
                    .reduce(lit(0L), Column::plus))).first().getLong(0);
            assertTrue(total > 0, prefix + "* are all 0");
        }
    }

    /** Keys, labels, dt, and every user__ and item__ column: side fields and behaviour statistics. */
    private static Column[] joinedFields(Dataset<Row> joined, List<String> keep) {
        List<Column> fields = new ArrayList<>();
        keep.forEach(k -> fields.add(col(k)));
        for (String c : joined.columns()) {
            if (c.startsWith(SparkSqlSamplePeer.USER_PREFIX) || c.startsWith(SparkSqlSamplePeer.ITEM_PREFIX)) {
                fields.add(col(c));
            }
        }
        return fields.toArray(Column[]::new);
    }

    private static Path repoRoot() {
        String root = System.getProperty("recspark.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    /** The example config and the sample data, laid out as in the repository, to edit freely. */
    private static Path copySample(Path dir) throws IOException {
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
}

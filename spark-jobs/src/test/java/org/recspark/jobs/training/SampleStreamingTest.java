package org.recspark.jobs.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.jobs.RecSparkCliAccess;
import org.recspark.jobs.samples.SampleBuildJobTest;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;
import org.recspark.trainer.data.Batches;
import org.recspark.trainer.data.StreamingTrainingData;
import org.recspark.trainer.data.TrainingData;
import org.recspark.trainer.eval.TrainingRun;

/**
 * Streaming the bundled sample's built samples from Parquet, rewritten with small row groups and
 * read with small Spark file splits (so files are cut over partitions and partitions hold several
 * files): every split gives the rows the in-memory reader collects from the same Spark split, in
 * the same order; epochs are shuffled deterministically with bounded memory; training on the stream
 * matches training in memory.
 */
class SampleStreamingTest {
    private static final String SPLIT = "split { by_time { eval_fraction: 0.15 test_fraction: 0.15 } }";
    @TempDir
    static Path tmp;
    private static SparkSession spark;
    private static Path configFile;
    private static Path samples;

    @BeforeAll
    static void buildSamples() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("SampleStreamingTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC").getOrCreate();
        configFile = SampleBuildJobTest.copySample(tmp.resolve("workspace"));
        Path built = tmp.resolve("built");
        RecSparkCliAccess.runOk("build-samples", "--config", configFile.toString(), "--out", built.toString());
        samples = tmp.resolve("samples");
        spark.read().parquet(built.toString()).repartition(3).write().option("parquet.block.size", 32 * 1024).partitionBy("dt")
                .parquet(samples.toString());
        spark.conf().set("spark.sql.files.maxPartitionBytes", "100000");
        spark.conf().set("spark.sql.files.openCostInBytes", "10000");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static PipelineConfig config(String split) throws IOException {
        String text = Files.readString(configFile);
        assertTrue(text.contains(SPLIT));
        return ConfigParser.parseText(text.replace(SPLIT, split), configFile.toString());
    }

    private static FeatureSchema schema(PipelineConfig config) {
        return FeatureGenerator.compile(config.getFeatureConfig(), configFile.getParent()).schema();
    }

    private static Configuration hadoop() {
        return spark.sparkContext().hadoopConfiguration();
    }

    /** A row as text: every feature's ids, weights and values, the labels and the group key. */
    private static List<String> rows(Examples e) {
        List<String> out = new ArrayList<>();
        for (int r = 0; r < e.numRows(); r++) {
            StringBuilder sb = new StringBuilder();
            for (int f = 0; f < e.schema().size(); f++) {
                FeatureSpec spec = e.schema().features().get(f);
                if (spec.sparse()) {
                    SparseValues v = e.sparse(f);
                    sb.append(Arrays.toString(Arrays.copyOfRange(v.ids(), v.start(r), v.end(r))));
                    if (v.weights() != null) {
                        sb.append(Arrays.toString(Arrays.copyOfRange(v.weights(), v.start(r), v.end(r))));
                    }
                } else {
                    sb.append(Arrays.toString(Arrays.copyOfRange(e.dense(f), r * spec.denseDim(), (r + 1) * spec.denseDim())));
                }
                sb.append(';');
            }
            int row = r;
            e.labels().keySet().stream().sorted().forEach(l -> sb.append(l).append('=').append(e.label(l)[row]).append(';'));
            sb.append("user=").append(e.groupKeys()[r]);
            out.add(sb.toString());
        }
        return out;
    }

    private static List<String> all(Batches batches) {
        List<String> out = new ArrayList<>();
        try (batches) {
            batches.forEachRemaining(b -> out.addAll(rows(b)));
        }
        return out;
    }

    private static void assertStreamsTheInMemoryRows(String split) throws IOException {
        assertStreamsTheInMemoryRows(split, spark.read().parquet(samples.toString()));
    }

    private static void assertStreamsTheInMemoryRows(String split, Dataset<Row> table) throws IOException {
        PipelineConfig config = config(split);
        FeatureSchema schema = schema(config);
        List<SampleSplit.Part> parts = SampleSplit.parts(table, config.getInputConfig());
        List<SampleSource> sources = SamplePlanner.plan(spark, parts);
        long total = 0;
        for (int p = 0; p < parts.size(); p++) {
            Examples inMemory = SampleTableReader.read(parts.get(p).rows(), schema, config.getInputConfig());
            List<String> expected = rows(inMemory);
            List<String> streamed = all(ParquetSampleChunks.evaluation(sources.get(p), hadoop(), schema, config.getInputConfig()).batches(1000));
            assertEquals(inMemory.numRows(), sources.get(p).numRows(), split + ": planned rows of " + parts.get(p).name());
            assertEquals(expected, streamed, split + ": " + parts.get(p).name() + " rows in the scan's order");
            List<String> shuffled = all(ParquetSampleChunks.training(sources.get(p), hadoop(), schema, config, 0).epoch(0, 0, 256));
            assertNotEquals(expected, shuffled);
            List<String> sorted = new ArrayList<>(expected);
            sorted.sort(null);
            shuffled.sort(null);
            assertEquals(sorted, shuffled, split + ": a training epoch holds the same rows");
            total += inMemory.numRows();
            assertTrue(sources.get(p).rowGroups().stream().map(SampleRowGroup::file).distinct().count() >= 3, "several files");
        }
        assertTrue(total > 15_000, split + ": " + total + " rows in the splits");
    }

    @Test
    void aByTimeSplitStreamsTheRowsTheInMemoryReaderCollects() throws IOException {
        assertStreamsTheInMemoryRows(SPLIT);
    }

    @Test
    void partitionsReadOneByOneUnderTheirBasePathStreamAsTheirScanReadsThem() throws IOException {
        // How samples on an object store are read (PartitionedOutputDirectory.read): the partitions with their marker, each
        // named, under the table's base path.
        String[] partitions = Stream.of("2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04")
                .map(d -> samples.resolve("dt=" + d).toUri().toString()).toArray(String[]::new);
        Dataset<Row> table = spark.read().option("basePath", samples.toUri().toString()).parquet(partitions);
        assertStreamsTheInMemoryRows(SPLIT, table);
        assertStreamsTheInMemoryRows("split { random { eval_fraction: 0.2 test_fraction: 0.1 seed: 7 } }", table);
    }

    @Test
    void aRandomSplitStreamsTheRowsOfTheirOwnDraws() throws IOException {
        assertStreamsTheInMemoryRows("split { random { eval_fraction: 0.2 test_fraction: 0.1 seed: 7 } }");
    }

    @Test
    void aByDateSplitStreamsItsDaysFiles() throws IOException {
        assertStreamsTheInMemoryRows("split { by_date { train_dates: [\"2026-11-01\", \"2026-11-02\"] eval_dates: [\"2026-11-03\"] "
                + "test_dates: [\"2026-11-04\"] } }");
    }

    @Test
    void aTruncatedSamplesFileFailsTrainNamingTheFile() throws IOException {
        Path copy = tmp.resolve("truncated-samples");
        try (Stream<Path> walk = Files.walk(samples)) {
            for (Path p : walk.toList()) {
                Path target = copy.resolve(samples.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().endsWith(".crc")) {
                    Files.copy(p, target);
                }
            }
        }
        Path cut;
        try (Stream<Path> walk = Files.walk(copy.resolve("dt=2026-11-02"))) {
            cut = walk.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().findFirst().orElseThrow();
        }
        // What a full disk or a killed copy leaves: the file's first half, without its footer.
        byte[] bytes = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RecSparkCliAccess.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                "train", "--config", configFile.toString(), "--samples", copy.toString(), "--model-dir", tmp.resolve("truncated-model").toString());
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, message);
        assertTrue(message.contains(cut.getFileName().toString()), "the message names the truncated file: " + message);
    }

    @Test
    void thePlanIsDeterministicAndItsRowGroupsSpreadEvenlyOverWorkers() throws IOException {
        PipelineConfig config = config(SPLIT);
        Dataset<Row> table = spark.read().parquet(samples.toString());
        SampleSource train = SamplePlanner.plan(spark, SampleSplit.parts(table, config.getInputConfig())).get(0);
        assertEquals(train, SamplePlanner.plan(spark, SampleSplit.parts(spark.read().parquet(samples.toString()), config.getInputConfig()))
                .get(0));
        assertTrue(train.rowGroups().size() > 20, train.rowGroups().size() + " row groups");
        assertTrue(train.rowGroups().stream().anyMatch(g -> g.partitionOffset() > 0), "partitions of several row groups");
        List<SampleSource> shares = train.assign(3);
        assertEquals(shares, train.assign(3));
        long largest = train.rowGroups().stream().mapToLong(SampleRowGroup::selectedRows).max().orElseThrow();
        long[] rows = shares.stream().mapToLong(SampleSource::numRows).toArray();
        assertEquals(train.numRows(), Arrays.stream(rows).sum());
        assertTrue(Arrays.stream(rows).max().orElseThrow() - Arrays.stream(rows).min().orElseThrow() <= largest, Arrays.toString(rows));
        for (SampleSource share : shares) {
            List<SampleRowGroup> inPlanOrder = new ArrayList<>(share.rowGroups());
            inPlanOrder.sort((a, b) -> Integer.compare(train.rowGroups().indexOf(a), train.rowGroups().indexOf(b)));
            assertEquals(inPlanOrder, share.rowGroups());
        }
    }

    @Test
    void anEpochHoldsAtMostTheShuffleBufferAndTheBatchesInFlight() throws IOException {
        PipelineConfig base = config(SPLIT);
        PipelineConfig.Builder b = base.toBuilder();
        b.getTrainConfigBuilder().setShuffleBufferRows(500);
        PipelineConfig config = b.build();
        Dataset<Row> table = spark.read().parquet(samples.toString());
        SampleSource train = SamplePlanner.plan(spark, SampleSplit.parts(table, config.getInputConfig())).get(0);
        StreamingTrainingData stream = (StreamingTrainingData) ParquetSampleChunks.training(train, hadoop(), schema(config), config, 0);
        long seen = 0;
        try (Batches batches = stream.epoch(0, 0, 64)) {
            while (batches.hasNext()) {
                seen += batches.next().numRows();
            }
        }
        assertEquals(train.numRows(), seen);
        assertTrue(seen > 10_000, seen + " rows");
        assertTrue(stream.peakLiveRows() <= stream.liveRowBound(64), "held " + stream.peakLiveRows() + ", bound " + stream.liveRowBound(64));
        assertTrue(stream.liveRowBound(64) < 1300, "the buffer and 11 batches: " + stream.liveRowBound(64));
    }

    @Test
    void trainingOnTheStreamReachesTheAucOfTrainingInMemory() throws IOException {
        String text = Files.readString(configFile).replace("hidden_units: [256, 128]", "hidden_units: [64, 32]")
                .replace("batch_size: 1024", "batch_size: 256").replace("num_epochs: 8", "num_epochs: 3")
                .replace("warmup_steps: 100", "warmup_steps: 10").replace("every_steps: 10", "every_steps: 25");
        PipelineConfig config = ConfigParser.parseText(text, configFile.toString());
        FeatureSchema schema = schema(config);
        var input = config.getInputConfig();
        List<SampleSplit.Part> parts = SampleSplit.parts(spark.read().parquet(samples.toString()), input);
        List<SampleSource> sources = SamplePlanner.plan(spark, parts);
        TrainingRun.Summary inMemory = new TrainingRun(config, configFile.getParent(), schema, tmp.resolve("memory"), 2)
                .run(SampleTableReader.read(parts.get(0).rows(), schema, input), SampleTableReader.read(parts.get(1).rows(), schema, input),
                        Optional.of(SampleTableReader.read(parts.get(2).rows(), schema, input)));
        TrainingData train = ParquetSampleChunks.training(sources.get(0), hadoop(), schema, config, 0);
        TrainingRun.Summary streamed = new TrainingRun(config, configFile.getParent(), schema, tmp.resolve("stream"), 2)
                .run(train, ParquetSampleChunks.evaluation(sources.get(1), hadoop(), schema, input),
                        Optional.of(ParquetSampleChunks.evaluation(sources.get(2), hadoop(), schema, input)));
        assertEquals(inMemory.testRows(), streamed.testRows());
        double memoryAuc = inMemory.testMetrics().get("auc");
        double streamAuc = streamed.testMetrics().get("auc");
        assertTrue(memoryAuc > 0.6, "in memory " + memoryAuc);
        assertEquals(memoryAuc, streamAuc, 0.02, "test AUC in memory " + memoryAuc + ", streamed " + streamAuc);
    }
}

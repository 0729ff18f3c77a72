package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.ConfiguredMetrics;
import org.recspark.features.FeatureGenerator;
import org.recspark.jobs.prediction.Bundles;
import org.recspark.jobs.samples.SampleBuildJobTest;
import org.recspark.jobs.training.SampleTableReader;
import org.recspark.model.data.Examples;
import org.recspark.predictor.Predictor;
import org.recspark.storage.PathTrees;

/**
 * The sample data from raw logs to an exported model, then scored back: batch prediction equals
 * the model's scores of the training samples, and the consistency check finds no difference between
 * features recomputed from raw inputs and the samples, but catches samples built with a changed
 * feature config. One local[2] session.
 */
class ScoringConsistencyTest {
    private static SparkSession spark;
    @TempDir
    static Path tmp;
    private static Path config;
    private static Path samples;
    private static Path bundle;

    @BeforeAll
    static void buildTrainAndExport() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("ScoringConsistencyTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC").config("spark.sql.sources.partitionOverwriteMode", "dynamic")
                .getOrCreate();
        config = SampleBuildJobTest.copySample(tmp.resolve("workspace"));
        Files.writeString(config, Files.readString(config).replace("num_epochs: 8", "num_epochs: 1"));
        samples = tmp.resolve("samples");
        RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out", samples.toString());
        Path model = tmp.resolve("model");
        RecSparkCliAccess.runOk("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir", model.toString(), "--threads", "2");
        bundle = model.resolve("export/final");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }


    private static String key(Row r) {
        return r.getAs("request_id") + "/" + r.getAs("item_id");
    }

    @Test
    void batchPredictionGivesTheModelsScoresOfTheTrainingSamples() {
        Path predictions = tmp.resolve("predictions");
        String printed = RecSparkCliAccess.runOk("predict", "--config", config.toString(), "--bundle", bundle.toString(), "--out", predictions.toString());
        assertTrue(printed.contains("predict: 20000 impressions scored"), printed);

        PipelineConfig pipeline = ConfigParser.load(config);
        FeatureGenerator generator = FeatureGenerator.compile(pipeline.getFeatureConfig(), config.getParent());
        List<Row> stored = spark.read().parquet(samples.toString()).orderBy("request_id", "item_id").collectAsList();
        Examples examples = SampleTableReader.read(spark.read().parquet(samples.toString()).orderBy("request_id", "item_id"),
                generator.schema(), pipeline.getInputConfig());
        float[] expected = Predictor.load(bundle).score(examples).scores();
        Map<String, Float> byKey = new HashMap<>();
        for (Row r : spark.read().parquet(predictions.toString()).collectAsList()) {
            byKey.put(key(r), r.getAs("score"));
        }
        assertEquals(stored.size(), byKey.size());
        for (int i = 0; i < stored.size(); i++) {
            Float actual = byKey.get(key(stored.get(i)));
            assertEquals(expected[i], actual, 1e-6, key(stored.get(i)));
        }

        String evaluated = RecSparkCliAccess.runOk("evaluate", "--bundle", bundle.toString(), "--predictions", predictions.toString());
        Map<String, Double> single = new ConfiguredMetrics(pipeline.getEvalConfig().getMetricsList(), List.of("click"), "user_id")
                .compute(Map.of("click", expected), Map.of("click", examples.label("click")), examples.groupKeys());
        assertTrue(evaluated.startsWith("evaluate: 20000 rows: auc "), evaluated);
        for (Map.Entry<String, Double> e : single.entrySet()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(e.getKey()) + " ([0-9.]+)").matcher(evaluated);
            assertTrue(m.find(), e.getKey() + " in " + evaluated);
            assertEquals(e.getValue(), Double.parseDouble(m.group(1)), 2e-6, e.getKey() + ": distributed " + evaluated + ", single-process " + single);
        }
    }

    @Test
    void aBundleExportedAgainToTheSameDirectoryIsLoadedAgain() throws IOException {
        // Two bundles of the run at different steps (final, best/step-N, latest/step-N).
        Map<Long, Path> byStep = new HashMap<>();
        try (Stream<Path> s = Files.walk(bundle.getParent(), 2)) {
            s.filter(p -> Files.exists(p.resolve("export.pb"))).sorted()
                    .forEach(p -> byStep.putIfAbsent(Predictor.load(p).manifest().getGlobalStep(), p));
        }
        List<Path> best = byStep.values().stream().sorted().limit(2).toList();
        assertEquals(2, best.size(), "bundles at two steps under " + bundle.getParent() + ": " + byStep);
        Path served = tmp.resolve("served");
        copyTree(best.get(0), served);
        Predictor first = Bundles.predictor(served.toString());
        assertSame(first, Bundles.predictor(served.toUri().toString()), "one predictor per bundle, whatever names its location");

        PathTrees.deleteRecursively(served);
        copyTree(best.get(1), served);
        Predictor second = Bundles.predictor(served.toString());
        assertNotEquals(first.manifest().getGlobalStep(), second.manifest().getGlobalStep(), "the bundle exported later is served");
        assertEquals(Predictor.load(best.get(1)).manifest(), second.manifest());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }

    @Test
    void featuresAndScoresFromRawInputsEqualTheTrainingSamples() {
        String printed = RecSparkCliAccess.runOk("check-consistency", "--config", config.toString(), "--bundle", bundle.toString(), "--samples",
                samples.toString(), "--rows", "2000");
        assertTrue(printed.contains("check-consistency: 2000 rows checked (0 without a matching raw row), 0 feature mismatches, "
                + "0 score mismatches"), printed);
        assertTrue(printed.contains("check-consistency: consistent"), printed);
    }

    @Test
    void samplesBuiltWithAChangedFeatureConfigAreCaughtAndTheFeatureNamed() throws IOException {
        Path changedConfig = config.resolveSibling("changed.pbtxt");
        String text = Files.readString(config);
        String changed = text.replace("features { name: \"brand\" id { input: \"item.brand\" hash_bucket_size: 10000 } }",
                "features { name: \"brand\" id { input: \"item.brand\" hash_bucket_size: 10007 } }");
        assertTrue(!changed.equals(text), "the sample config's brand feature changed; update this test");
        Files.writeString(changedConfig, changed);
        Path changedSamples = tmp.resolve("changed-samples");
        RecSparkCliAccess.runOk("build-samples", "--config", changedConfig.toString(), "--out", changedSamples.toString());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = RecSparkCliAccess.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()),
                "check-consistency", "--config", config.toString(), "--bundle", bundle.toString(), "--samples", changedSamples.toString(),
                "--rows", "300");
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, printed);
        assertTrue(printed.contains("check-consistency: INCONSISTENT"), printed);
        assertTrue(printed.matches("(?s).*  feature brand: \\d+ rows differ; first: row .*"), printed);
        assertTrue(!printed.contains("feature item_id:") && !printed.contains("feature category:"), "only brand differs: " + printed);
    }
}

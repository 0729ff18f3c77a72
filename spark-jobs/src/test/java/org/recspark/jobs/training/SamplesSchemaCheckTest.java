package org.recspark.jobs.training;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.jobs.RecSparkCliAccess;
import org.recspark.jobs.samples.SampleBuildJobTest;
import org.recspark.trainer.plan.PipelinePlan;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The samples table is checked against the config's plan before training: the table build-samples
 * writes passes, and a table with a feature dropped, a feature of the wrong type or a label missing
 * fails {@code train} before any step with exit code 2, naming every mismatch and where the table is (no stack trace).
 */
class SamplesSchemaCheckTest {
    @TempDir
    static Path tmp;
    private static SparkSession spark;
    private static Path configFile;
    private static Path built;
    private static PipelinePlan plan;

    @BeforeAll
    static void buildSamples() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("SamplesSchemaCheckTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC").getOrCreate();
        configFile = SampleBuildJobTest.copySample(tmp.resolve("workspace"));
        built = tmp.resolve("built");
        RecSparkCliAccess.runOk("build-samples", "--config", configFile.toString(), "--out", built.toString());
        plan = PipelinePlan.load(configFile);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static Path rewritten(String name, UnaryOperator<Dataset<Row>> change) {
        Path out = tmp.resolve(name);
        change.apply(spark.read().parquet(built.toString())).write().parquet(out.toString());
        return out;
    }

    private static Column withoutFeature(String name) {
        return col("features").dropFields(CollectionConverters.asScala(List.of(name)).toSeq());
    }

    @Test
    void theTableBuildSamplesWritesMatchesThePlan() {
        assertEquals(List.of(), SamplesSchemaCheck.mismatches(spark.read().parquet(built.toString()).schema(), plan.samples()));
    }

    @Test
    void everyMismatchIsNamedAtOnce() {
        Path broken = rewritten("all-broken", d -> d.drop("click")
                .withColumn("features", withoutFeature("item_id").withField("log_price", col("features.log_price").cast("array<double>"))));
        SamplesSchemaException e = assertThrows(SamplesSchemaException.class,
                () -> SamplesSchemaCheck.require(spark.read().parquet(broken.toString()).schema(), plan.samples(), broken.toString()));
        assertEquals(List.of("click: missing (expected a number)", "features.item_id: missing (expected array<bigint>)",
                "features.log_price: is array<double> (expected array<float>)"), e.mismatches());
        assertTrue(e.getMessage().contains("the samples at " + broken + " do not match the config (3 problems"), e.getMessage());
    }

    @Test
    void trainFailsBeforeTrainingOnAFeatureDroppedAFeatureOfTheWrongTypeOrAMissingLabel() {
        trainRefuses(rewritten("dropped", d -> d.withColumn("features", withoutFeature("brand"))),
                "features.brand: missing (expected array<bigint>)");
        trainRefuses(rewritten("wrong-type", d -> d.withColumn("features", col("features").withField("hour", col("features.hour").cast("array<int>")))),
                "features.hour: is array<int> (expected array<bigint>)");
        trainRefuses(rewritten("no-label", d -> d.drop("click")), "click: missing (expected a number)");
    }

    private static void trainRefuses(Path samples, String mismatch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path modelDir = tmp.resolve("model-" + samples.getFileName());
        int code = RecSparkCliAccess.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "train", "--config", configFile.toString(), "--samples", samples.toString(), "--model-dir", modelDir.toString());
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, printed);
        assertTrue(printed.startsWith("recspark train: the samples at " + samples + " do not match the config (1 problem"), printed);
        assertTrue(printed.contains(mismatch), printed);
        assertFalse(printed.contains("\tat ") || printed.contains("Exception"), "a user input error, not a stack trace: " + printed);
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("training,"), "no split was planned: " + out);
        assertFalse(Files.exists(modelDir.resolve("checkpoints")), "nothing was trained into " + modelDir);
    }
}

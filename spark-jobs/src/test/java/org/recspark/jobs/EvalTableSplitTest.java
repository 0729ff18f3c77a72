package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.trainer.plan.SampleSchema;

/**
 * input_config.split.eval_table end to end: the bundled sample's impressions cut by time into a
 * samples table and an eval table, built together (the eval rows replayed over the same behaviour
 * log, so their features are those the whole table's build gives them), trained with every eval
 * table row as an evaluation row, and scored by predict --split eval.
 */
class EvalTableSplitTest {
    @TempDir
    static Path dir;
    private static int trainRows;
    private static int evalRows;

    /** The sample pipeline over a copy of the sample data, with impressions.csv cut at the 80th percentile of time. */
    @BeforeAll
    static void cutTheImpressionsByTime() throws IOException {
        Path data = dir.resolve("sample-data").resolve("small");
        Files.createDirectories(data);
        for (String file : List.of("users.csv", "items.csv", "behaviours.csv", "impressions.csv")) {
            Files.copy(RecSparkCliTest.repoRoot().resolve("sample-data/small").resolve(file), data.resolve(file));
        }
        List<String> lines = Files.readAllLines(data.resolve("impressions.csv"));
        int tsColumn = List.of(lines.get(0).split(",")).indexOf("ts");
        List<Long> times = lines.subList(1, lines.size()).stream().map(l -> Long.parseLong(l.split(",")[tsColumn])).sorted().toList();
        long cut = times.get(times.size() * 4 / 5);
        List<String> train = new ArrayList<>(List.of(lines.get(0)));
        List<String> eval = new ArrayList<>(List.of(lines.get(0)));
        for (String line : lines.subList(1, lines.size())) {
            (Long.parseLong(line.split(",")[tsColumn]) < cut ? train : eval).add(line);
        }
        Files.write(data.resolve("impressions_train.csv"), train);
        Files.write(data.resolve("impressions_eval.csv"), eval);
        trainRows = train.size() - 1;
        evalRows = eval.size() - 1;

        String pipeline = Files.readString(RecSparkCliTest.repoRoot().resolve("examples/sample_pipeline.pbtxt"))
                .replace("num_epochs: 8", "num_epochs: 1")
                .replace("every_steps: 10", "every_steps: 100");
        Files.createDirectories(dir.resolve("examples"));
        Files.writeString(dir.resolve("examples/whole.pbtxt"), pipeline);
        String samplesSchema = pipeline.substring(pipeline.indexOf("    schema { name: \"request_id\""),
                pipeline.indexOf("  }\n  users {"));
        String split = pipeline.replace("../sample-data/small/impressions.csv", "../sample-data/small/impressions_train.csv");
        String bySamplesTime = "split { by_time { eval_fraction: 0.15 test_fraction: 0.15 } }";
        assertTrue(split.contains(bySamplesTime) && split.contains("impressions_train.csv"), split);
        Files.writeString(dir.resolve("examples/split.pbtxt"), split.replace(bySamplesTime, evalTable(samplesSchema)));
        String otherDevice = samplesSchema.replace("name: \"device\" type: STRING", "name: \"device\" type: INT64");
        Files.writeString(dir.resolve("examples/mismatch.pbtxt"), split.replace(bySamplesTime, evalTable(otherDevice)));
    }

    private static String evalTable(String schema) {
        return "split { eval_table {\n    source { path: \"../sample-data/small/impressions_eval.csv\" format: CSV }\n" + schema + "  } }";
    }

    private static Path config(String name) {
        return dir.resolve("examples").resolve(name + ".pbtxt");
    }

    private static String find(String pattern, String text) {
        Matcher m = Pattern.compile(pattern).matcher(text);
        assertTrue(m.find(), "expected /" + pattern + "/ in:\n" + text);
        return m.group(1);
    }

    private static String runFailing(int code, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(code, RecSparkCliAccess.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args), out + "\n" + err);
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theEvalTableIsBuiltBesideTheSamplesAndIsWhatTrainEvaluatesAndPredictScoresAsTheEvalSplit() {
        Path samples = dir.resolve("split-samples");
        RecSparkCliAccess.runOk("build-samples", "--config", config("split").toString(), "--out", samples.toString());
        SparkSession spark = SparkSession.builder().getOrCreate();
        Dataset<Row> built = spark.read().parquet(samples.toString());
        assertEquals(trainRows, built.where(SampleSchema.EVAL_TABLE_ROW + " = 0").count(), "input_config.samples rows");
        assertEquals(evalRows, built.where(SampleSchema.EVAL_TABLE_ROW + " = 1").count(), "eval table rows");

        // Built over the same behaviour log, an eval row has the features the whole table's build gives it.
        Path whole = dir.resolve("whole-samples");
        RecSparkCliAccess.runOk("build-samples", "--config", config("whole").toString(), "--out", whole.toString());
        Dataset<Row> evalFeatures = built.where(SampleSchema.EVAL_TABLE_ROW + " = 1").select("request_id", "item_id", SampleSchema.FEATURES);
        Dataset<Row> sameRowsOfWhole = spark.read().parquet(whole.toString()).join(evalFeatures.select("request_id", "item_id"),
                new String[]{"request_id", "item_id"}).select("request_id", "item_id", SampleSchema.FEATURES);
        assertEquals(evalRows, sameRowsOfWhole.count());
        assertEquals(0, evalFeatures.except(sameRowsOfWhole).count(), "eval rows' features, behaviour statistics included, as built from one table");

        String trained = RecSparkCliAccess.runOk("train", "--config", config("split").toString(), "--samples", samples.toString(),
                "--model-dir", dir.resolve("model").toString());
        assertTrue(trained.contains("train: " + trainRows + " training, " + evalRows + " evaluation and no test samples"), trained);
        String bundle = find("exported model: (\\S+)", trained);

        Path scores = dir.resolve("eval-scores");
        String predicted = RecSparkCliAccess.runOk("predict", "--config", config("split").toString(), "--bundle", bundle,
                "--out", scores.toString(), "--split", "eval");
        assertTrue(predicted.contains("predict: " + evalRows + " impressions of the eval split scored"), predicted);
        String evaluated = RecSparkCliAccess.runOk("evaluate", "--bundle", bundle, "--predictions", scores.toString(), "--split", "eval");
        assertEquals(evalRows, Long.parseLong(find("evaluate: (\\d+) rows of the eval split", evaluated)), evaluated);

        String noTest = runFailing(2, "predict", "--config", config("split").toString(), "--bundle", bundle,
                "--out", dir.resolve("test-scores").toString(), "--split", "test");
        assertTrue(noTest.contains("--split test: input_config.split.eval_table holds out evaluation rows only"), noTest);

        // Samples built without the eval table hold none of its rows: refused by name, not trained without evaluation rows.
        String refused = runFailing(2, "train", "--config", config("split").toString(), "--samples", whole.toString(),
                "--model-dir", dir.resolve("refused-model").toString());
        assertTrue(refused.contains(SampleSchema.EVAL_TABLE_ROW + ": missing (expected a number); input_config.split.eval_table"),
                refused);
    }

    @Test
    void anEvalTableWhoseColumnsDifferFromTheSamplesIsRefusedNamingItsSchema() {
        String refused = runFailing(2, "build-samples", "--config", config("mismatch").toString(), "--out",
                dir.resolve("mismatch-samples").toString());
        assertTrue(refused.contains("input_config.split.eval_table.schema: must declare the columns of input_config.samples.schema"),
                refused);
    }
}

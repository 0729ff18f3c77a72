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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.jobs.training.SampleSplit;
import org.recspark.trainer.plan.SampleSchema;

/**
 * A Criteo-style table (a click label, dense and categorical columns; no user, item or time) through
 * the launcher: build-samples, train with a random split holding out test rows, predict --split test
 * and evaluate --split test, whose AUC is the test rows' (computed here from the scored rows, and
 * equal to the one train reports for its held-out test rows). And one column in several roles.
 */
class ContextOnlyCtrTest {
    private static final int ROWS = 3000;
    private static final String CONFIG = """
            name: "criteo_like"
            input_config {
              samples {
                source { path: "ctr.csv" format: CSV }
                schema { name: "clicked" type: INT64 nullable: false }
                schema { name: "i1" type: DOUBLE }
                schema { name: "i2" type: DOUBLE }
                schema { name: "c1" type: STRING }
                schema { name: "c2" type: STRING }
                schema { name: "c3" type: STRING }
              }
              labels { name: "clicked" }
              split { random { eval_fraction: 0.2 test_fraction: 0.2 seed: 11 } }
              %s
            }
            feature_config {
              features { name: "i1" raw { input: "context.i1" boundaries: [2, 4, 6, 8] } embedding_dim: 4 }
              features { name: "i2" raw { input: "context.i2" boundaries: [0.5] } embedding_dim: 4 }
              features { name: "c1" id { input: "%s" hash_bucket_size: 100 } embedding_dim: 4 }
              features { name: "c2" id { input: "%s" hash_bucket_size: 200 } embedding_dim: 4 }
              features { name: "c3" id { input: "context.c3" hash_bucket_size: 200 } embedding_dim: 4 }
            }
            model_config {
              feature_groups { name: "all" features: ["i1", "i2", "c1", "c2", "c3"] }
              deepfm { dnn { hidden_units: [16] } }
            }
            train_config {
              batch_size: 128
              num_epochs: 3
              sparse_optimizer { adagrad {} learning_rate { initial: 0.1 } }
              dense_optimizer { adam {} learning_rate { initial: 0.01 } }
              seed: 5
            }
            eval_config { metrics { auc {} } metrics { logloss {} } %s }
            export_config { exporters { type: FINAL } }
            """;
    @TempDir
    static Path dir;
    private static SparkSession spark;

    @BeforeAll
    static void startSparkAndWriteTheTable() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("ContextOnlyCtrTest").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4").getOrCreate();
        writeTable(dir.resolve("ctr.csv"));
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** Clicks driven by c1, c2 and i1 through a logistic model; i2 and c3 are noise. */
    private static void writeTable(Path csv) throws IOException {
        Random random = new Random(7);
        double[] c1Effect = random.doubles(20, -1.5, 1.5).toArray();
        double[] c2Effect = random.doubles(50, -1, 1).toArray();
        List<String> lines = new ArrayList<>(List.of("clicked,i1,i2,c1,c2,c3"));
        for (int r = 0; r < ROWS; r++) {
            int c1 = random.nextInt(c1Effect.length);
            int c2 = random.nextInt(c2Effect.length);
            double i1 = random.nextDouble() * 10;
            double logit = -0.5 + c1Effect[c1] + c2Effect[c2] + 0.3 * (i1 - 5);
            int clicked = random.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
            lines.add(String.format(Locale.ROOT, "%d,%.3f,%.3f,a%d,b%d,n%d", clicked, i1, random.nextDouble(), c1, c2, random.nextInt(150)));
        }
        Files.write(csv, lines);
    }

    private static Path config(String name, String inputExtra, String c1Input, String c2Input, String metricsExtra) throws IOException {
        Path config = dir.resolve(name + ".pbtxt");
        Files.writeString(config, CONFIG.formatted(inputExtra, c1Input, c2Input, metricsExtra));
        return config;
    }

    private static String find(String pattern, String text) {
        Matcher m = Pattern.compile(pattern).matcher(text);
        assertTrue(m.find(), "expected /" + pattern + "/ in:\n" + text);
        return m.group(1);
    }

    @Test
    void trainPredictAndEvaluateTheTestSplitOfATableWithoutUsersItemsOrTime() {
        Path config = configUnchecked("ctr", "", "context.c1", "context.c2", "");
        Path samples = dir.resolve("samples");
        Path model = dir.resolve("model");
        RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out", samples.toString());
        String trained = RecSparkCliAccess.runOk("train", "--config", config.toString(), "--samples", samples.toString(),
                "--model-dir", model.toString());
        long heldOut = Long.parseLong(find("train: \\d+ training, \\d+ evaluation and (\\d+) test samples", trained));
        assertTrue(heldOut > 0.15 * ROWS && heldOut < 0.25 * ROWS, "about a fifth of the rows are test rows: " + trained);
        double trainTestAuc = Double.parseDouble(find("test metrics of the exported model \\(" + heldOut + " samples\\): auc ([0-9.]+)", trained));
        String bundle = find("exported model: (\\S+)", trained);

        Path testScores = dir.resolve("test-scores");
        String predicted = RecSparkCliAccess.runOk("predict", "--config", config.toString(), "--bundle", bundle, "--out", testScores.toString(),
                "--split", "test");
        assertTrue(predicted.contains("predict: " + heldOut + " impressions of the test split scored"), predicted);
        String evaluated = RecSparkCliAccess.runOk("evaluate", "--bundle", bundle, "--predictions", testScores.toString(), "--split", "test");
        long evaluatedRows = Long.parseLong(find("evaluate: (\\d+) rows of the test split", evaluated));
        double evaluatedAuc = Double.parseDouble(find("auc ([0-9.]+)", evaluated));

        List<Row> scored = spark.read().parquet(testScores.toString()).select("score", "clicked", "split").collectAsList();
        assertEquals(heldOut, scored.size(), "predict scores exactly the rows train held out for test");
        assertEquals(heldOut, evaluatedRows);
        assertTrue(scored.stream().allMatch(r -> r.getString(2).equals("test")), "every row is named a test row");
        // The same rows, though predict reads them from the raw table in another order and partitioning than train's.
        List<Double> trainTestDraws = SampleSplit.parts(spark.read().parquet(samples.toString()), ConfigParser.load(config).getInputConfig())
                .get(2).rows().select(SampleSchema.SPLIT_DRAW).as(Encoders.DOUBLE()).collectAsList().stream().sorted().toList();
        List<Double> scoredDraws = spark.read().parquet(testScores.toString()).select(SampleSchema.SPLIT_DRAW).as(Encoders.DOUBLE())
                .collectAsList().stream().sorted().toList();
        assertEquals(trainTestDraws, scoredDraws);
        double[] scores = scored.stream().mapToDouble(r -> r.getFloat(0)).toArray();
        double[] labels = scored.stream().mapToDouble(r -> r.getDouble(1)).toArray();
        double auc = auc(scores, labels);
        assertEquals(auc, evaluatedAuc, 1e-6, "evaluate's AUC is the AUC of the scored test rows");
        assertEquals(trainTestAuc, evaluatedAuc, 1e-4, "and the AUC train reported on its held-out test rows: " + trained);
        assertTrue(auc > 0.65, "the planted signal is learned: " + auc);

        Path allScores = dir.resolve("all-scores");
        RecSparkCliAccess.runOk("predict", "--config", config.toString(), "--bundle", bundle, "--out", allScores.toString());
        String everyRow = RecSparkCliAccess.runOk("evaluate", "--bundle", bundle, "--predictions", allScores.toString());
        assertEquals(ROWS, Long.parseLong(find("evaluate: (\\d+) rows: ", everyRow)), everyRow);
        String refused = runFailing(2, "evaluate", "--bundle", bundle, "--predictions", allScores.toString(), "--split", "test");
        assertTrue(refused.contains("--split test: the predictions at " + allScores + " have no split column; score them with "
                + "predict --split test"), refused);
    }

    @Test
    void aSplitTheConfigDoesNotDefineIsRefusedNamingItsPath() throws IOException {
        Path config = config("no_test", "", "context.c1", "context.c2", "");
        Files.writeString(config, Files.readString(config).replace(" test_fraction: 0.2", ""));
        String refused = runFailing(2, "predict", "--config", config.toString(), "--bundle", dir.resolve("none").toString(),
                "--out", dir.resolve("never").toString(), "--split", "test");
        assertTrue(refused.contains("--split test: input_config.split.random.test_fraction is 0: the config holds out no test rows"), refused);
        String unknown = runFailing(2, "predict", "--config", config.toString(), "--bundle", dir.resolve("none").toString(),
                "--out", dir.resolve("never").toString(), "--split", "holdout");
        assertTrue(unknown.contains("--split must be one of train, eval, test, all, got 'holdout'"), unknown);
    }

    @Test
    void featuresWhichGroupsRequestsByUserAndTimeRefusesSamplesWithoutThemByConfigPath() {
        Path config = configUnchecked("keyless", "", "context.c1", "context.c2", "");
        String refused = runFailing(2, "features", "--config", config.toString(), "--out", dir.resolve("keyless-features").toString());
        for (String role : new String[] {"user_id_field", "item_id_field", "time_field"}) {
            assertTrue(refused.contains("input_config." + role + ": is required by features (it groups the samples into requests by "
                    + "user and time, and joins users and items), but the samples table has no column"), refused);
        }
    }

    /**
     * c1 is the user id, the request id and a user feature, c2 the item id and an item feature: each
     * column is selected once and read in every role (this crashed with COLUMN_ALREADY_EXISTS).
     */
    @Test
    void oneColumnServesSeveralRoles() {
        Path config = configUnchecked("roles", "user_id_field: \"c1\" request_id_field: \"c1\" item_id_field: \"c2\"",
                "user.c1", "item.c2", "metrics { gauc { user_field: \"c1\" } }");
        Path samples = dir.resolve("roles-samples");
        RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out", samples.toString());
        List<String> columns = Arrays.asList(spark.read().parquet(samples.toString()).columns());
        assertEquals(1, columns.stream().filter("c1"::equals).count(), columns.toString());
        assertEquals(1, columns.stream().filter("c2"::equals).count(), columns.toString());
        Path model = dir.resolve("roles-model");
        String trained = RecSparkCliAccess.runOk("train", "--config", config.toString(), "--samples", samples.toString(),
                "--model-dir", model.toString());
        double gauc = Double.parseDouble(find("test metrics of the exported model \\(\\d+ samples\\): auc [0-9.]+, logloss [0-9.]+, "
                + "gauc ([0-9.]+)", trained));
        assertTrue(gauc > 0 && gauc < 1, trained);
        String bundle = find("exported model: (\\S+)", trained);
        Path scores = dir.resolve("roles-scores");
        RecSparkCliAccess.runOk("predict", "--config", config.toString(), "--bundle", bundle, "--out", scores.toString(), "--split", "test");
        String evaluated = RecSparkCliAccess.runOk("evaluate", "--bundle", bundle, "--predictions", scores.toString(), "--split", "test");
        assertTrue(evaluated.contains("gauc "), evaluated);
    }

    private static Path configUnchecked(String name, String inputExtra, String c1Input, String c2Input, String metricsExtra) {
        try {
            return config(name, inputExtra, c1Input, c2Input, metricsExtra);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs a command that must exit with {@code code}; returns what it printed to stderr. */
    private static String runFailing(int code, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int actual = RecSparkCliAccess.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                args);
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(code, actual, out + printed);
        return printed;
    }

    /** Exact AUC with ties counted half: the probability that a positive outscores a negative. */
    private static double auc(double[] scores, double[] labels) {
        double wins = 0;
        long positives = 0;
        long negatives = 0;
        for (int i = 0; i < scores.length; i++) {
            if (labels[i] != 1) {
                negatives++;
                continue;
            }
            positives++;
            for (int j = 0; j < scores.length; j++) {
                if (labels[j] == 0) {
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }
        assertTrue(positives > 0 && negatives > 0);
        return wins / (positives * negatives);
    }
}

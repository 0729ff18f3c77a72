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
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-tower model on the bundled sample, from build-samples through train with ranking metrics
 * (early stopping and the best export on recall@20) to evaluate --samples on the exported bundle.
 * The samples are built once for the class.
 */
class RankingMetricsCommandsTest {
    @TempDir
    static Path dir;
    private static Path config;
    private static Path samples;
    private static String trainPrinted;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** The sample config with a DSSM and ranking metrics in place of its DeepFM, hpo and daily sections. */
    static String dssmConfig() throws IOException {
        String text = Files.readString(RecSparkCliTest.repoRoot().resolve("examples").resolve("sample_pipeline.pbtxt"))
                .replace("path: \"../sample-data", "path: \"" + RecSparkCliTest.repoRoot().resolve("sample-data"))
                .replace("allowed_paths: \"../sample-data/\"", "allowed_paths: \"" + RecSparkCliTest.repoRoot().resolve("sample-data") + "\"");
        int from = text.indexOf("model_config {");
        int to = text.indexOf("runtime_config {");
        return text.substring(0, from) + """
                model_config {
                  feature_groups { name: "user" features: ["user_id", "age_bucket", "gender", "city", "occupation", "interests"] }
                  feature_groups { name: "item" features: ["item_id", "category", "brand", "price_bucket"] }
                  dssm {
                    user_group: "user"
                    item_group: "item"
                    user_tower { hidden_units: [32, 16] }
                    item_tower { hidden_units: [32, 16] }
                    temperature: 0.1
                    in_batch_negatives: true
                    popularity_correction: true
                  }
                  label: "click"
                }
                train_config {
                  batch_size: 256
                  num_epochs: 2
                  sparse_optimizer { adagrad { initial_accumulator: 0.1 } learning_rate { initial: 0.05 } }
                  dense_optimizer { adam {} learning_rate { initial: 0.002 } }
                  seed: 42
                  log_every_steps: 50
                }
                eval_config {
                  metrics { recall_at_k { k: 20 } }
                  metrics { ndcg_at_k { k: 20 } }
                  metrics { auc {} }
                  every_steps: 20
                }
                export_config {
                  exporters { type: BEST keep: 1 }
                  best_metric { metric: "recall@20" }
                  early_stop { target { metric: "recall@20" } patience: 3 }
                }
                """ + text.substring(to);
    }

    @BeforeAll
    static void buildSamples() throws IOException {
        config = dir.resolve("dssm.pbtxt");
        Files.writeString(config, dssmConfig());
        samples = dir.resolve("samples");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int code = RecSparkCli.standard(new PrintStream(log, true, StandardCharsets.UTF_8), new PrintStream(log, true, StandardCharsets.UTF_8))
                .run(new String[]{"build-samples", "--config", config.toString(), "--out", samples.toString()});
        assertEquals(0, code, log.toString());
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return RecSparkCli.standard(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private static double metric(String printed, String prefix, String name) {
        Matcher m = Pattern.compile(Pattern.quote(prefix) + ".*?\\b" + Pattern.quote(name) + " ([0-9.]+)").matcher(printed);
        assertTrue(m.find(), "no " + name + " after '" + prefix + "' in: " + printed);
        return Double.parseDouble(m.group(1));
    }

    /** Trains the DSSM once for the class; returns what train printed. */
    private String trainOnce() {
        if (trainPrinted == null) {
            Path modelDir = dir.resolve("model");
            assertEquals(0, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir", modelDir.toString(),
                    "--threads", "2"), err.toString());
            trainPrinted = out.toString();
        }
        return trainPrinted;
    }

    /** The exported bundle train reports (the best export by recall@20). */
    private String trainedBundle() {
        Matcher exported = Pattern.compile("exported model: (\\S+)").matcher(trainOnce());
        assertTrue(exported.find(), trainOnce());
        return exported.group(1);
    }

    @Test
    void trainSelectsOnRecallAndEvaluateReproducesTheTestRecallOfTheExportedBundle() {
        String printed = trainOnce();
        Path modelDir = dir.resolve("model");
        assertTrue(printed.contains("train: best evaluation at step "), printed);
        double bestRecall = metric(printed, "train: best evaluation at step", "recall@20");
        assertTrue(bestRecall > 0 && bestRecall <= 1, printed);
        double testRecall = metric(printed, "test metrics of the exported model", "recall@20");
        double testNdcg = metric(printed, "test metrics of the exported model", "ndcg@20");
        Matcher exported = Pattern.compile("exported model: (\\S+)").matcher(printed);
        assertTrue(exported.find(), printed);
        assertTrue(exported.group(1).startsWith(modelDir.resolve("export/best/step-").toString()), printed);

        assertEquals(0, run("evaluate", "--bundle", exported.group(1), "--samples", samples.toString(), "--config", rankingOnly().toString()),
                err.toString());
        String evaluated = out.toString();
        assertTrue(evaluated.contains("users of the test split"), evaluated);
        assertEquals(testRecall, metric(evaluated, "evaluate: ranking over", "recall@20"), 1e-5, evaluated);
        assertEquals(testNdcg, metric(evaluated, "evaluate: ranking over", "ndcg@20"), 1e-5, evaluated);

        // The bundle's own config also has auc, which needs predict's output.
        assertEquals(2, run("evaluate", "--bundle", exported.group(1), "--samples", samples.toString()));
        assertTrue(err.toString().contains("eval_config has point-wise metrics [auc]: pass --predictions PATH"), err.toString());
    }

    /** The DSSM config with its ranking metrics only. */
    private static Path rankingOnly() {
        try {
            Path p = dir.resolve("ranking-only.pbtxt");
            Files.writeString(p, dssmConfig().replace("  metrics { auc {} }\n", ""));
            return p;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void rankingMetricsForAModelWithoutTowersAreAConfigError() throws IOException {
        Path deepfm = dir.resolve("deepfm.pbtxt");
        String text = Files.readString(RecSparkCliTest.repoRoot().resolve("examples").resolve("sample_pipeline.pbtxt"))
                .replace("path: \"../sample-data", "path: \"" + RecSparkCliTest.repoRoot().resolve("sample-data"))
                .replace("allowed_paths: \"../sample-data/\"", "allowed_paths: \"" + RecSparkCliTest.repoRoot().resolve("sample-data") + "\"")
                .replace("  metrics { auc {} }\n", "  metrics { auc {} }\n  metrics { recall_at_k { k: 20 } }\n");
        Files.writeString(deepfm, text);
        assertEquals(2, run("validate-config", deepfm.toString()));
        assertTrue(out.toString().contains("eval_config.metrics[1]: recall@20 ranks the item corpus by a two-tower model's user and item "
                + "embeddings (dssm, mf_bpr); model_config is deepfm"), out.toString());
    }

    @Test
    void retrieveRanksTheCorpusByTheExportedEmbeddingsLeavingOutTheHistory() {
        String bundle = trainedBundle();
        Path embeddings = dir.resolve("embeddings");
        assertEquals(0, run("export-embeddings", "--bundle", bundle, "--samples", samples.toString(), "--out", embeddings.toString()),
                err.toString());
        assertTrue(out.toString().startsWith("export-embeddings: "), out.toString());
        Path top = dir.resolve("top");
        assertEquals(0, run("retrieve", "--bundle", bundle, "--users", samples.toString(), "--k", "5", "--history", samples.toString(),
                "--out", top.toString()), err.toString());
        assertTrue(out.toString().startsWith("retrieve: top-5 of "), out.toString());

        SparkSession spark = SparkSession.builder().getOrCreate();
        Map<String, float[]> users = vectors(spark.read().parquet(embeddings.resolve("users").toString()), "user_id");
        Map<String, float[]> items = vectors(spark.read().parquet(embeddings.resolve("items").toString()), "item_id");
        Set<String> seen = new HashSet<>();
        for (Row r : spark.read().parquet(samples.toString()).select("user_id", "item_id").collectAsList()) {
            seen.add(r.get(0) + " " + r.get(1));
        }
        assertEquals(users.size(), spark.read().parquet(samples.toString()).select("user_id").distinct().count());
        assertEquals(items.size(), spark.read().parquet(samples.toString()).select("item_id").distinct().count());
        Map<String, List<Row>> byUser = new HashMap<>();
        for (Row r : spark.read().parquet(top.toString()).collectAsList()) {
            byUser.computeIfAbsent(r.get(r.fieldIndex("user_id")).toString(), u -> new ArrayList<>()).add(r);
        }
        assertEquals(users.size(), byUser.size(), "every user with an unseen item gets a ranking");
        for (Map.Entry<String, List<Row>> e : byUser.entrySet()) {
            float[] u = users.get(e.getKey());
            // The exact ranking of the unseen items by the exported embeddings (ties: the lower item id first).
            List<String> expected = items.keySet().stream().filter(i -> !seen.contains(e.getKey() + " " + i))
                    .sorted(Comparator.<String>comparingDouble(i -> -dot(u, items.get(i))).thenComparing(i -> i)).limit(5).toList();
            List<Row> rows = e.getValue().stream().sorted(Comparator.comparingInt(r -> r.getInt(r.fieldIndex("rank")))).toList();
            assertEquals(expected.size(), rows.size(), e.getKey());
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                assertEquals(r + 1, row.getInt(row.fieldIndex("rank")));
                String item = row.get(row.fieldIndex("item_id")).toString();
                assertTrue(!seen.contains(e.getKey() + " " + item), "a seen item is retrieved: " + row);
                assertEquals(dot(u, items.get(item)), row.getFloat(row.fieldIndex("score")), 1e-4, row.toString());
                assertEquals(dot(u, items.get(expected.get(r))), dot(u, items.get(item)), 1e-4, "rank " + (r + 1) + " of " + e.getKey());
            }
        }
    }

    @Test
    void retrieveWithTheGraphIndexFindsTheExactRankingsItemsLeavingOutTheHistory() {
        String bundle = trainedBundle();
        Path exact = dir.resolve("top-exact");
        assertEquals(0, run("retrieve", "--bundle", bundle, "--users", samples.toString(), "--k", "5", "--history", samples.toString(),
                "--out", exact.toString()), err.toString());
        Path approximate = dir.resolve("top-ann");
        // The default search list (overquery 10 x K = 50) is shorter than every user's unseen items (300 items, about 28 seen
        // per user), so the rankings go through the graph; the DSSM normalises its towers (the default): a cosine index.
        assertEquals(0, run("retrieve", "--bundle", bundle, "--users", samples.toString(), "--k", "5", "--history", samples.toString(),
                "--index", "ann", "--out", approximate.toString()), err.toString());
        assertTrue(out.toString().startsWith("retrieve: top-5 of ")
                && out.toString().contains("; graph index, cosine, degree 32, beam width 100, overquery 10) -> "), out.toString());

        SparkSession spark = SparkSession.builder().getOrCreate();
        Set<String> seen = new HashSet<>();
        for (Row r : spark.read().parquet(samples.toString()).select("user_id", "item_id").collectAsList()) {
            seen.add(r.get(0) + " " + r.get(1));
        }
        Map<String, Float> exactScores = new HashMap<>();
        for (Row r : spark.read().parquet(exact.toString()).collectAsList()) {
            exactScores.put(r.get(r.fieldIndex("user_id")) + " " + r.get(r.fieldIndex("item_id")), r.getFloat(r.fieldIndex("score")));
        }
        Map<String, List<Row>> byUser = new HashMap<>();
        for (Row r : spark.read().parquet(approximate.toString()).collectAsList()) {
            byUser.computeIfAbsent(r.get(r.fieldIndex("user_id")).toString(), u -> new ArrayList<>()).add(r);
        }
        int found = 0;
        for (Map.Entry<String, List<Row>> e : byUser.entrySet()) {
            List<Row> rows = e.getValue().stream().sorted(Comparator.comparingInt(r -> r.getInt(r.fieldIndex("rank")))).toList();
            for (int r = 0; r < rows.size(); r++) {
                String pair = e.getKey() + " " + rows.get(r).get(rows.get(r).fieldIndex("item_id"));
                assertTrue(!seen.contains(pair), "a seen item is retrieved: " + rows.get(r));
                assertEquals(r + 1, rows.get(r).getInt(rows.get(r).fieldIndex("rank")));
                if (r > 0) {
                    assertTrue(rows.get(r - 1).getFloat(rows.get(r - 1).fieldIndex("score")) >= rows.get(r).getFloat(rows.get(r).fieldIndex("score")),
                            "best first: " + rows);
                }
                if (exactScores.containsKey(pair)) {
                    found++;
                    assertEquals(exactScores.get(pair), rows.get(r).getFloat(rows.get(r).fieldIndex("score")), 1e-4, pair);
                }
            }
        }
        assertEquals(exactScores.keySet().stream().map(p -> p.substring(0, p.indexOf(' '))).distinct().count(), byUser.size(),
                "the same users get a ranking");
        double recall = (double) found / exactScores.size();
        assertTrue(recall >= 0.95, "recall@5 of the graph index against exact retrieval: " + recall);
    }

    @Test
    void retrieveForTheTestSplitLeavesOutTheEarlierPositivesAndReproducesTheTestRecall() {
        String bundle = trainedBundle();
        double testRecall = metric(trainOnce(), "test metrics of the exported model", "recall@20");
        Path top = dir.resolve("top-test");
        assertEquals(0, run("retrieve", "--bundle", bundle, "--samples", samples.toString(), "--split", "test", "--k", "20",
                "--out", top.toString()), err.toString());
        assertTrue(out.toString().startsWith("retrieve: top-20 of ") && out.toString().contains(" users of the test split ("), out.toString());

        // The sample config's split is by_time { eval_fraction: 0.15 test_fraction: 0.15 }: the test rows are the newest 15% of the time range.
        SparkSession spark = SparkSession.builder().getOrCreate();
        List<Row> rows = spark.read().parquet(samples.toString()).select("user_id", "item_id", "ts", "click").collectAsList();
        DoubleSummaryStatistics times = rows.stream().mapToDouble(r -> ((Number) r.get(2)).doubleValue()).summaryStatistics();
        double lo = times.getMin();
        double hi = times.getMax();
        double testFrom = hi - 0.15 * (hi - lo);
        Set<String> testUsers = new HashSet<>();
        Set<String> earlierPositives = new HashSet<>();
        Map<String, Set<String>> testPositives = new HashMap<>();
        for (Row r : rows) {
            boolean test = ((Number) r.get(2)).doubleValue() >= testFrom;
            boolean positive = ((Number) r.get(3)).doubleValue() > 0;
            String user = r.get(0).toString();
            if (test) {
                testUsers.add(user);
                if (positive) {
                    testPositives.computeIfAbsent(user, u -> new HashSet<>()).add(r.get(1).toString());
                }
            } else if (positive) {
                earlierPositives.add(user + " " + r.get(1));
            }
        }
        Map<String, Set<String>> retrieved = new HashMap<>();
        for (Row r : spark.read().parquet(top.toString()).collectAsList()) {
            String user = r.get(r.fieldIndex("user_id")).toString();
            String item = r.get(r.fieldIndex("item_id")).toString();
            assertTrue(!earlierPositives.contains(user + " " + item), "an earlier positive is retrieved: " + r);
            retrieved.computeIfAbsent(user, u -> new HashSet<>()).add(item);
        }
        assertEquals(testUsers, retrieved.keySet(), "the test split's users get a ranking");
        assertTrue(retrieved.values().stream().allMatch(items -> items.size() == 20));
        // Recall@20 from the written rankings, as evaluate averages it: relevant items are a user's test positives it had no earlier
        // positive row with; users left without any are skipped.
        double recall = 0;
        int queries = 0;
        for (Map.Entry<String, Set<String>> e : testPositives.entrySet()) {
            List<String> relevant = e.getValue().stream().filter(i -> !earlierPositives.contains(e.getKey() + " " + i)).toList();
            if (!relevant.isEmpty()) {
                recall += (double) relevant.stream().filter(retrieved.get(e.getKey())::contains).count() / relevant.size();
                queries++;
            }
        }
        assertTrue(queries > 0);
        assertEquals(testRecall, recall / queries, 1e-5, "recall@20 of retrieve --split test's rankings against train's test recall@20");
    }

    @Test
    void retrieveNamesItsExclusiveUserOptions() {
        String[] base = {"retrieve", "--bundle", "unused", "--k", "5", "--out", dir.resolve("unused").toString()};
        assertEquals(2, run(base));
        assertTrue(err.toString().contains("pass --users PATH (the users of a built samples table) or --samples PATH --split "
                + "train|eval|test|all"), err.toString());
        assertEquals(2, run(concat(base, "--users", "u", "--split", "test")));
        assertTrue(err.toString().contains("--users and --split are exclusive"), err.toString());
        assertEquals(2, run(concat(base, "--users", "u", "--samples", "s")));
        assertTrue(err.toString().contains("--users and --samples are exclusive"), err.toString());
        assertEquals(2, run(concat(base, "--samples", "s")));
        assertTrue(err.toString().contains("--samples needs --split train|eval|test|all"), err.toString());
        assertEquals(2, run(concat(base, "--split", "test")));
        assertTrue(err.toString().contains("--split needs --samples PATH"), err.toString());
        assertEquals(2, run(concat(base, "--samples", "s", "--split", "test", "--history", "h")));
        assertTrue(err.toString().contains("--history and --split are exclusive"), err.toString());
    }

    @Test
    void retrieveRefusesASplitTheBundlesConfigDoesNotDefine() {
        assertEquals(2, run("retrieve", "--bundle", trainedBundle(), "--samples", samples.toString(), "--split", "last", "--k", "5",
                "--out", dir.resolve("unused").toString()));
        assertTrue(err.toString().contains("--split must be one of train, eval, test, all, got 'last'"), err.toString());
    }

    @Test
    void retrieveSavesTheGraphIndexLoadsItLaterAndRefusesADamagedOrMismatchedOne() throws IOException {
        String bundle = trainedBundle();
        Path indexDir = dir.resolve("item-index");
        String[] base = {"retrieve", "--bundle", bundle, "--samples", samples.toString(), "--split", "test", "--k", "5", "--index", "ann",
                "--index-dir", indexDir.toString()};
        Path first = dir.resolve("top-saved-index");
        assertEquals(0, run(concat(base, "--out", first.toString())), err.toString());
        assertTrue(out.toString().contains("; graph index, cosine, degree 32, beam width 100, overquery 10, built and saved to " + indexDir
                + ") -> "), out.toString());
        Path second = dir.resolve("top-loaded-index");
        assertEquals(0, run(concat(base, "--out", second.toString(), "--ann-overquery", "2")), err.toString());
        assertTrue(out.toString().contains("; graph index, cosine, degree 32, beam width 100, overquery 2, loaded from " + indexDir + ") -> "),
                out.toString());
        Path third = dir.resolve("top-loaded-index-again");
        assertEquals(0, run(concat(base, "--out", third.toString())), err.toString());
        SparkSession spark = SparkSession.builder().getOrCreate();
        assertEquals(spark.read().parquet(first.toString()).collectAsList().stream().map(Row::toString).sorted().toList(),
                spark.read().parquet(third.toString()).collectAsList().stream().map(Row::toString).sorted().toList(),
                "the loaded index ranks as the one built");

        assertEquals(2, run(concat(base, "--out", dir.resolve("unused").toString(), "--ann-degree", "16")));
        assertTrue(err.toString().contains("is not of this corpus: it was built with degree 32 and beam width 100, not the degree 16 and "
                + "beam width 100 asked for"), err.toString());

        Path graph = indexDir.resolve("graph.bin");
        byte[] bytes = Files.readAllBytes(graph);
        bytes[bytes.length / 2] ^= 1;
        Files.write(graph, bytes);
        assertEquals(2, run(concat(base, "--out", dir.resolve("unused").toString())));
        assertTrue(err.toString().contains("recspark retrieve: the saved index " + indexDir + " is corrupted: graph.bin has SHA-256 "),
                err.toString());
        assertEquals(2, run("retrieve", "--bundle", bundle, "--users", samples.toString(), "--k", "5", "--index-dir", indexDir.toString(),
                "--out", dir.resolve("unused").toString()));
        assertTrue(err.toString().contains("--index-dir applies to --index ann only"), err.toString());
    }

    @Test
    void retrieveNamesABadIndexOption() {
        String[] base = {"retrieve", "--bundle", "unused", "--users", "unused", "--k", "5", "--out", dir.resolve("unused").toString()};
        assertEquals(2, run(concat(base, "--index", "hnsw")));
        assertTrue(err.toString().contains("--index must be exact or ann, got 'hnsw'"), err.toString());
        assertEquals(2, run(concat(base, "--ann-overquery", "3")));
        assertTrue(err.toString().contains("--ann-overquery applies to --index ann only"), err.toString());
        assertEquals(2, run(concat(base, "--index", "ann", "--ann-degree", "1")));
        assertTrue(err.toString().contains("--ann-degree must be >= 2, got 1"), err.toString());
        assertEquals(2, run(concat(base, "--index", "ann", "--ann-degree", "16", "--ann-beam-width", "8")));
        assertTrue(err.toString().contains("--ann-beam-width must be >= --ann-degree (16), got 8"), err.toString());
        assertEquals(2, run(concat(base, "--index", "ann", "--ann-overquery", "0")));
        assertTrue(err.toString().contains("option --ann-overquery must be a positive integer, got 0"), err.toString());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Map<String, float[]> vectors(Dataset<Row> table, String key) {
        Map<String, float[]> out = new HashMap<>();
        for (Row r : table.collectAsList()) {
            List<Float> v = r.getList(r.fieldIndex("embedding"));
            float[] f = new float[v.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = v.get(i);
            }
            assertTrue(out.put(r.get(r.fieldIndex(key)).toString(), f) == null, "one row per " + key);
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}

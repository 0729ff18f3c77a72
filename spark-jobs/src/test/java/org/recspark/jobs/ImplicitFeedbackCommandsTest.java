package org.recspark.jobs;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.jobs.samples.SparkSessions;
import org.recspark.jobs.training.SampleSplit;

/**
 * Implicit feedback end to end: the bundled sample's clicks as a positives-only table (no label
 * column) and as an interaction list ("user<TAB>item item ..."), built into samples whose label is
 * 1 on every row, a DSSM with sampled negatives trained on them, and a leave-last-out split.
 */
class ImplicitFeedbackCommandsTest {
    @TempDir
    static Path dir;
    /** The sample's clicks, (user, item, ts) in time order. */
    private static final List<String[]> CLICKS = new ArrayList<>();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void writeClicks() throws IOException {
        List<String> lines = Files.readAllLines(sampleData().resolve("small/impressions.csv"));
        List<String> header = List.of(lines.get(0).split(","));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (f[header.indexOf("click")].equals("1")) {
                CLICKS.add(new String[]{f[header.indexOf("user_id")], f[header.indexOf("item_id")], f[header.indexOf("ts")]});
            }
        }
        CLICKS.sort((a, b) -> Long.compare(Long.parseLong(a[2]), Long.parseLong(b[2])));
        StringBuilder csv = new StringBuilder("user_id,item_id,ts\n");
        Map<String, List<String>> byUser = new LinkedHashMap<>();
        for (String[] c : CLICKS) {
            csv.append(c[0]).append(',').append(c[1]).append(',').append(c[2]).append('\n');
            byUser.computeIfAbsent(c[0], u -> new ArrayList<>()).add(c[1]);
        }
        Files.writeString(dir.resolve("clicks.csv"), csv);
        StringBuilder list = new StringBuilder();
        byUser.forEach((user, items) -> list.append(user).append('\t').append(String.join(" ", items)).append('\n'));
        list.append("a line without a tab\n");
        Files.writeString(dir.resolve("clicks.txt"), list);
    }

    private static Path sampleData() {
        return RecSparkCliTest.repoRoot().resolve("sample-data");
    }

    private static String config(String samples, String model, String split) {
        return """
                name: "implicit"
                allowed_paths: "%s/"
                input_config {
                  %s
                  users {
                    source { path: "%s/small/users.csv" format: CSV }
                    schema { name: "user_id" type: STRING nullable: false }
                    schema { name: "age" type: INT64 }
                    schema { name: "gender" type: STRING }
                    schema { name: "city" type: STRING }
                    schema { name: "occupation" type: STRING }
                    schema { name: "interests" type: STRING_LIST }
                    schema { name: "category_affinity" type: STRING_DOUBLE_MAP }
                  }
                  items {
                    source { path: "%s/small/items.csv" format: CSV }
                    schema { name: "item_id" type: STRING nullable: false }
                    schema { name: "category" type: STRING }
                    schema { name: "brand" type: STRING }
                    schema { name: "price" type: DOUBLE }
                    schema { name: "tags" type: STRING_LIST }
                    schema { name: "publish_ts" type: INT64 }
                  }
                  labels { name: "click" }
                  positives_only: true
                  %s
                  rejects { max_fraction: 0.01 }
                }
                feature_config {
                  features { name: "user_id" id { input: "user.user_id" hash_bucket_size: 100000 } }
                  features { name: "gender" id { input: "user.gender" vocab_list: ["M", "F"] } }
                  features { name: "occupation" id { input: "user.occupation" hash_bucket_size: 100 } }
                  features { name: "interests" tag { input: "user.interests" hash_bucket_size: 1000 } shared_embedding: "category" }
                  features { name: "item_id" id { input: "item.item_id" hash_bucket_size: 100000 } }
                  features { name: "category" id { input: "item.category" hash_bucket_size: 1000 } shared_embedding: "category" }
                  features { name: "brand" id { input: "item.brand" hash_bucket_size: 10000 } }
                }
                model_config {
                  feature_groups { name: "user" features: ["user_id", "gender", "occupation", "interests"] }
                  feature_groups { name: "item" features: ["item_id", "category", "brand"] }
                  %s
                  label: "click"
                }
                train_config {
                  batch_size: 128
                  num_epochs: 3
                  sparse_optimizer { adagrad { initial_accumulator: 0.1 } learning_rate { initial: 0.05 } }
                  dense_optimizer { adam {} learning_rate { initial: 0.002 } }
                  seed: 42
                  log_every_steps: 50
                }
                eval_config { metrics { recall_at_k { k: 20 } } }
                export_config { exporters { type: FINAL } }
                """.formatted(sampleData(), samples, sampleData(), sampleData(), split, model);
    }

    private static final String CSV_SAMPLES = """
            samples {
                source { path: "clicks.csv" format: CSV }
                schema { name: "user_id" type: STRING nullable: false }
                schema { name: "item_id" type: STRING nullable: false }
                schema { name: "ts" type: INT64 nullable: false }
              }""";
    private static final String LIST_SAMPLES = """
            samples {
                source { path: "clicks.txt" format: INTERACTION_LIST }
                schema { name: "user_id" type: STRING nullable: false }
                schema { name: "item_id" type: STRING nullable: false }
                schema { name: "position" type: INT64 nullable: false }
              }""";
    private static final String SAMPLED_DSSM = """
            dssm {
                user_group: "user"
                item_group: "item"
                user_tower { hidden_units: [32, 16] }
                item_tower { hidden_units: [32, 16] }
                temperature: 0.1
                negative_sampler { distribution: POPULARITY num_negatives: 64 }
              }""";

    private int run(String... args) {
        out.reset();
        err.reset();
        return RecSparkCli.standard(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void positivesOnlyClicksBuildIntoSamplesLabelledOneAndTrainADssmWithSampledNegatives() throws IOException {
        Path config = write("csv.pbtxt", config(CSV_SAMPLES, SAMPLED_DSSM, "split { by_time { eval_fraction: 0.2 } }"));
        Path samples = dir.resolve("csv-samples");
        assertEquals(0, run("build-samples", "--config", config.toString(), "--out", samples.toString()), err.toString());
        Dataset<Row> built = SparkSession.builder().getOrCreate().read().parquet(samples.toString());
        assertEquals(CLICKS.size(), built.count(), "one sample per click");
        assertEquals(List.of(1.0), built.select("click").distinct().collectAsList().stream().map(r -> r.getDouble(0)).toList(),
                "every label is 1");

        assertEquals(0, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir",
                dir.resolve("model").toString()), err.toString());
        Matcher recall = Pattern.compile("recall@20 ([0-9.]+)").matcher(out.toString());
        assertTrue(recall.find(), out.toString());
        double value = Double.parseDouble(recall.group(1));
        assertTrue(value > 0 && value <= 1, out.toString());
    }

    @Test
    void anInteractionListIsExplodedIntoOneSamplePerItemWithItsPositionAsTheTimeField() throws IOException {
        Path config = write("list.pbtxt", config(LIST_SAMPLES, SAMPLED_DSSM,
                "time_field: \"position\" split { by_time { eval_fraction: 0.2 } }"));
        Path samples = dir.resolve("list-samples");
        assertEquals(0, run("build-samples", "--config", config.toString(), "--out", samples.toString()), err.toString());
        Dataset<Row> built = SparkSession.builder().getOrCreate().read().parquet(samples.toString());
        assertEquals(CLICKS.size(), built.count(), "one sample per listed item");
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (String[] c : CLICKS) {
            expected.computeIfAbsent(c[0], u -> new ArrayList<>()).add(c[1]);
        }
        Map<String, String[]> byUserAndPosition = new LinkedHashMap<>();
        for (Row r : built.select("user_id", "position", "item_id", "click").collectAsList()) {
            byUserAndPosition.put(r.getString(0) + "#" + r.getLong(1), new String[]{r.getString(2), Double.toString(r.getDouble(3))});
        }
        expected.forEach((user, items) -> {
            for (int k = 0; k < items.size(); k++) {
                String[] row = byUserAndPosition.get(user + "#" + k);
                assertEquals(items.get(k), row == null ? null : row[0], user + "'s item at position " + k);
                assertEquals("1.0", row[1]);
            }
        });
        List<String> rejects = SparkSession.builder().getOrCreate().read().option("recursiveFileLookup", true)
                .json(dir.resolve("list-samples_rejects").toString()).toJSON().collectAsList();
        assertEquals(1, rejects.size(), rejects.toString());
        assertTrue(rejects.get(0).contains("a line without a tab") && rejects.get(0).contains("malformed row"), rejects.toString());
    }

    private static final String ARRAY_SAMPLES = """
            samples {
                source { path: "%s" format: PARQUET }
                item_array: true
                schema { name: "user_id" type: STRING nullable: false }
                schema { name: "item_id" type: STRING nullable: false }
                schema { name: "position" type: INT64 nullable: false }
              }""";

    /**
     * One Parquet row per user: (user_id, item_id array, an extra column), plus the given rows; with
     * elements of type double, an item "i276" is 276.0.
     */
    private static Path writeItemArrays(String name, DataType elementType, List<Row> extraRows) {
        StructType schema = new StructType().add("user_id", DataTypes.StringType).add("item_id", DataTypes.createArrayType(elementType))
                .add("device", DataTypes.StringType);
        Map<String, List<String>> byUser = new LinkedHashMap<>();
        for (String[] c : CLICKS) {
            byUser.computeIfAbsent(c[0], u -> new ArrayList<>()).add(c[1]);
        }
        List<Row> rows = new ArrayList<>();
        byUser.forEach((user, items) -> rows.add(RowFactory.create(user, elementType.equals(DataTypes.DoubleType)
                ? items.stream().map(i -> Double.parseDouble(i.substring(1))).toArray() : items.toArray(), "ios")));
        rows.addAll(extraRows);
        Path path = dir.resolve(name);
        SparkSessions.getOrCreate("item arrays").createDataFrame(rows, schema).repartition(3).write().parquet(path.toString());
        return path;
    }

    @Test
    void aParquetItemArrayIsExplodedLikeTheTextListAndItsBadRowsAreRejectedWithTheirReason() throws IOException {
        String firstUser = CLICKS.get(0)[0];
        Path table = writeItemArrays("clicks-arrays.parquet", DataTypes.StringType, List.of(
                RowFactory.create(null, new Object[]{"i1"}, "web"),
                RowFactory.create(firstUser, null, "web"),
                RowFactory.create(firstUser, new Object[0], "web"),
                RowFactory.create(firstUser, new Object[]{CLICKS.get(0)[1], null}, "web")));
        Path config = write("arrays.pbtxt", config(ARRAY_SAMPLES.formatted(table.getFileName()), SAMPLED_DSSM,
                "time_field: \"position\" split { by_time { eval_fraction: 0.2 } }"));
        Path samples = dir.resolve("array-samples");
        assertEquals(0, run("build-samples", "--config", config.toString(), "--out", samples.toString()), err.toString());
        Dataset<Row> built = SparkSession.builder().getOrCreate().read().parquet(samples.toString());
        assertEquals(CLICKS.size() + 1, built.count(), "one sample per array element: the clicks and the bad row's non-null element");
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (String[] c : CLICKS) {
            expected.computeIfAbsent(c[0], u -> new ArrayList<>()).add(c[1]);
        }
        Map<String, Long> perUserAndPosition = new LinkedHashMap<>();
        for (Row r : built.select("user_id", "position", "item_id", "click").collectAsList()) {
            perUserAndPosition.merge(r.getString(0) + "#" + r.getLong(1) + "#" + r.getString(2) + "#" + r.getDouble(3), 1L, Long::sum);
        }
        expected.forEach((user, items) -> {
            for (int k = 0; k < items.size(); k++) {
                assertTrue(perUserAndPosition.containsKey(user + "#" + k + "#" + items.get(k) + "#1.0"), user + "'s item at position " + k);
            }
        });
        String extraKey = firstUser + "#0#" + CLICKS.get(0)[1] + "#1.0";
        assertEquals(2L, perUserAndPosition.get(extraKey), "the bad row's first element is a sample, at its own position 0");

        List<String> rejects = SparkSession.builder().getOrCreate().read().option("recursiveFileLookup", true)
                .json(dir.resolve("array-samples_rejects").toString()).toJSON().collectAsList();
        assertEquals(4, rejects.size(), rejects.toString());
        String all = String.join("\n", rejects);
        for (String reason : List.of("null user in column user_id of PARQUET clicks-arrays.parquet",
                "null item array in column item_id of PARQUET clicks-arrays.parquet",
                "empty item array in column item_id of PARQUET clicks-arrays.parquet",
                "null element at position 1 of the item array in column item_id of PARQUET clicks-arrays.parquet")) {
            assertTrue(all.contains(reason), reason + " in " + all);
        }
        assertTrue(all.contains("\\\"item_id\\\":[]"), "a rejected row is written whole, as JSON: " + all);
    }

    @Test
    void anItemArrayOfTheWrongTypeIsAnErrorNamingTheFileAndColumn() throws IOException {
        Path table = writeItemArrays("clicks-doubles.parquet", DataTypes.DoubleType, List.of());
        Path config = write("doubles.pbtxt", config(ARRAY_SAMPLES.formatted(table.getFileName()), SAMPLED_DSSM,
                "time_field: \"position\" split { by_time { eval_fraction: 0.2 } }"));
        assertEquals(2, run("build-samples", "--config", config.toString(), "--out", dir.resolve("double-samples").toString()));
        assertTrue(err.toString().contains("input_config.samples.schema[1]: column 'item_id' of PARQUET clicks-doubles.parquet should be an "
                + "array of string (item_array: true, item type STRING) but is array<double>"), err.toString());
    }

    /**
     * The item table and hard negatives (the sample's impressions without a click, and one pair of an
     * unknown item) are built beside the samples and trained on.
     */
    @Test
    void negativesFromTheItemTableAndHardNegativesAreBuiltBesideTheSamplesAndTrainedOn() throws IOException {
        List<String> impressions = Files.readAllLines(sampleData().resolve("small/impressions.csv"));
        List<String> header = List.of(impressions.get(0).split(","));
        StringBuilder shown = new StringBuilder("user_id,item_id\n");
        long notClicked = 0;
        for (String line : impressions.subList(1, impressions.size())) {
            String[] f = line.split(",");
            if (f[header.indexOf("click")].equals("0")) {
                shown.append(f[header.indexOf("user_id")]).append(',').append(f[header.indexOf("item_id")]).append('\n');
                notClicked++;
            }
        }
        shown.append(CLICKS.get(0)[0]).append(",no_such_item\n");
        Files.writeString(dir.resolve("shown.csv"), shown);
        String hardNegatives = """
                hard_negatives {
                    source { path: "shown.csv" format: CSV }
                    schema { name: "user_id" type: STRING nullable: false }
                    schema { name: "item_id" type: STRING nullable: false }
                  }
                """;
        Path config = write("item-table.pbtxt", config(CSV_SAMPLES, SAMPLED_DSSM.replace("negative_sampler { distribution: POPULARITY",
                        "negative_sampler { pool: ITEM_TABLE hard_negatives_per_user: 4 distribution: POPULARITY"),
                hardNegatives + " split { by_time { eval_fraction: 0.2 } }"));
        Path samples = dir.resolve("item-table-samples");
        assertEquals(0, run("build-samples", "--config", config.toString(), "--out", samples.toString()), err.toString());
        long itemRows = Files.readAllLines(sampleData().resolve("small/items.csv")).size() - 1;
        assertTrue(out.toString().contains("build-samples: " + itemRows + " items of input_config.items with their features -> "
                + samples + "_items"), out.toString());
        assertTrue(out.toString().contains("build-samples: " + notClicked + " hard negatives with their item features -> " + samples
                + "_hard_negatives; rejected 1 of an item not in input_config.items and 0 malformed rows -> " + samples
                + "_rejects_hard_negatives"), out.toString());
        List<Row> hardRejects = SparkSession.builder().getOrCreate().read().json(samples + "_rejects_hard_negatives").collectAsList();
        assertEquals(1, hardRejects.size(), "the unknown item's pair is written to the rejects");
        assertEquals("item not in input_config.items", hardRejects.get(0).getAs("reason"));
        assertTrue(hardRejects.get(0).<String>getAs("row").contains("no_such_item"), hardRejects.get(0).toString());
        Dataset<Row> items = SparkSession.builder().getOrCreate().read().parquet(samples + "_items");
        List<String> ids = items.select("item_id").distinct().collectAsList().stream().map(r -> r.getString(0)).toList();
        assertEquals(itemRows, ids.size(), "one row per item of the items table");
        assertTrue(ids.stream().anyMatch(id -> CLICKS.stream().noneMatch(c -> c[1].equals(id))),
                "the item table holds items no click names, which the training rows' items would not");

        assertEquals(0, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir",
                dir.resolve("item-table-model").toString()), err.toString());
        assertTrue(out.toString().contains("recall@20 "), out.toString());
        Files.move(Path.of(samples + "_items"), dir.resolve("moved_items"));
        assertEquals(2, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir",
                dir.resolve("item-table-model-2").toString()));
        assertTrue(err.toString().contains("draws negatives from the item table that build-samples writes beside the samples, but "
                + samples + "_items does not exist"), err.toString());

        Files.writeString(dir.resolve("shown.csv"), "user_id,item_id\n" + CLICKS.get(0)[0] + ",gone_1\n" + CLICKS.get(0)[0] + ",gone_2\n");
        assertNotEquals(0, run("build-samples", "--config", config.toString(), "--out", dir.resolve("unknown-samples").toString()));
        assertTrue(err.toString().contains("2 of 2 rows of input_config.hard_negatives (1.0000) were rejected, more than "
                + "input_config.rejects.max_fraction 0.01"), err.toString());
    }

    @Test
    void aFullSoftmaxDssmTrainsOverTheItemTableBuiltBesideTheSamplesAndRefusesALargerCatalogue() throws IOException {
        String fullSoftmax = SAMPLED_DSSM.replace("negative_sampler { distribution: POPULARITY num_negatives: 64 }",
                "full_softmax { exclude_user_items: true }");
        Path config = write("full-softmax.pbtxt", config(CSV_SAMPLES, fullSoftmax, "split { by_time { eval_fraction: 0.2 } }"));
        Path samples = dir.resolve("full-softmax-samples");
        assertEquals(0, run("build-samples", "--config", config.toString(), "--out", samples.toString()), err.toString());
        long itemRows = Files.readAllLines(sampleData().resolve("small/items.csv")).size() - 1;
        assertTrue(out.toString().contains("build-samples: " + itemRows + " items of input_config.items with their features -> "
                + samples + "_items"), out.toString());

        assertEquals(0, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir",
                dir.resolve("full-softmax-model").toString()), err.toString());
        Matcher recall = Pattern.compile("recall@20 ([0-9.]+)").matcher(out.toString());
        assertTrue(recall.find(), out.toString());
        double value = Double.parseDouble(recall.group(1));
        assertTrue(value > 0 && value <= 1, out.toString());

        Path small = write("full-softmax-small.pbtxt", Files.readString(config).replace("full_softmax { exclude_user_items: true }",
                "full_softmax { max_items: " + (itemRows - 1) + " }"));
        assertNotEquals(0, run("train", "--config", small.toString(), "--samples", samples.toString(), "--model-dir",
                dir.resolve("full-softmax-model-2").toString()));
        assertTrue(err.toString().contains("max_items"), err.toString());
    }

    @Test
    void aModelThatNeedsLabelsIsRefusedBeforeAnyJob() throws IOException {
        Path config = write("lr.pbtxt", config(CSV_SAMPLES, "lr {}", "split { by_time { eval_fraction: 0.2 } }")
                .replace("feature_groups { name: \"user\"", "feature_groups { name: \"wide\" type: WIDE features: [\"user_id\", \"item_id\"] }\n"
                        + "  feature_groups { name: \"user\"")
                .replace("metrics { recall_at_k { k: 20 } }", "metrics { auc {} }"));
        assertEquals(2, run("validate-config", config.toString()));
        assertTrue(out.toString().contains("input_config.positives_only: every row is a positive, so the model must make its own negatives"),
                out + "\n" + err);
        assertTrue(out.toString().contains("eval_config.metrics[0]: input_config.positives_only: every label is 1, so auc has no negatives"),
                out + "\n" + err);
    }

    @Test
    void leaveLastOutHoldsOutEachUsersLastClickForTestAndTheOneBeforeForEvaluation() throws IOException {
        Path config = write("last.pbtxt", config(CSV_SAMPLES, SAMPLED_DSSM, "split { leave_last_out { test: true } }"));
        Path samples = dir.resolve("last-samples");
        assertEquals(0, run("build-samples", "--config", config.toString(), "--out", samples.toString()), err.toString());
        Map<String, List<Long>> times = new LinkedHashMap<>();
        for (String[] c : CLICKS) {
            times.computeIfAbsent(c[0], u -> new ArrayList<>()).add(Long.parseLong(c[2]));
        }
        long[] expected = new long[3];
        times.values().forEach(ts -> {
            long last = ts.stream().mapToLong(Long::longValue).max().orElseThrow();
            long before = ts.stream().mapToLong(Long::longValue).filter(t -> t < last).max().orElse(last);
            for (long t : ts) {
                expected[t >= last ? 2 : t >= before ? 1 : 0]++;
            }
        });
        assertTrue(expected[1] > 0 && expected[2] >= times.size(), java.util.Arrays.toString(expected));

        List<SampleSplit.Part> parts = SampleSplit.parts(SparkSession.builder().getOrCreate().read().parquet(samples.toString()),
                ConfigParser.load(config).getInputConfig());
        for (int p = 0; p < 3; p++) {
            assertEquals(expected[p], parts.get(p).rows().count(), parts.get(p).name() + " rows, selected by Spark");
        }
        assertEquals(0, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir",
                dir.resolve("last-model").toString()), err.toString());
        assertTrue(out.toString().contains("train: %d training, %d evaluation and %d test samples".formatted(expected[0], expected[1], expected[2])),
                "the streamed splits count the same rows: " + out);
        assertTrue(Pattern.compile("test metrics of the exported model \\(" + expected[2] + " samples\\): recall@20 ").matcher(out.toString()).find(),
                out.toString());
    }
}

package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.jobs.samples.SampleBuildJobTest;
import org.recspark.serving.ScoringServer;
import org.recspark.serving.ServeSettings;

/**
 * The scores {@code recspark serve} gives equal the batch {@code predict} command's for the same
 * impressions, bit for bit: one day of the bundled sample is scored by batch prediction, then each of
 * its requests is posted to a real server on 127.0.0.1 as a recommender would send it (the user by id,
 * completed from the users table; the context; the items by id, from the item cache).
 *
 * <p>The model is trained on the sample pipeline without its behaviour statistics: those are replayed
 * per impression by batch jobs, and item-side ones (such as an item's clicks in the last hour) cannot
 * be sent with an item named by id, so with them the two paths would not get the same inputs.
 */
class ServedScoresEqualBatchPredictionTest {
    private static final String DAY = "2026-11-04";
    private static SparkSession spark;
    @TempDir
    static Path tmp;
    private static Path config;
    private static Path bundle;
    private static ScoringServer server;
    private static final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void trainAndServe() throws IOException, InterruptedException {
        spark = SparkSession.builder().master("local[2]").appName("ServedScoresEqualBatchPredictionTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC").config("spark.sql.sources.partitionOverwriteMode", "dynamic")
                .getOrCreate();
        config = SampleBuildJobTest.copySample(tmp.resolve("workspace"));
        Files.writeString(config, withoutBehaviourStatistics(Files.readString(config)));
        Path samples = tmp.resolve("samples");
        RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out", samples.toString());
        Path model = tmp.resolve("model");
        RecSparkCliAccess.runOk("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir", model.toString(),
                "--threads", "2");
        bundle = model.resolve("export/final");
        Path data = config.getParent().resolveSibling("sample-data/small");
        server = ScoringServer.start(new ServeSettings(bundle.toString(), Optional.of(data.resolve("items.csv").toString()),
                Optional.of(data.resolve("users.csv").toString()), "127.0.0.1", 0, -1, 1000, 1 << 20, 2, 16, Duration.ofSeconds(30),
                Duration.ofHours(1), Duration.ofSeconds(5), 3), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        spark.stop();
    }

    /** The sample config with one epoch and without behaviour_stats and the features that read them. */
    private static String withoutBehaviourStatistics(String text) {
        String changed = replaceOnce(text, "num_epochs: 8", "num_epochs: 1");
        changed = replaceOnce(changed, "(?s)  # Replayed from input_config\\.behaviours.*?\n  behaviour_stats \\{.*?\n  }\n", "");
        changed = replaceOnce(changed, "(?s)  # Behaviour statistics.*?\n\n", "");
        changed = replaceOnce(changed, ", \"user_category_clicks_1d\"]", "]");
        changed = replaceOnce(changed, "(?s)features: \\[\"log_price\", \"interest_match\", \"category_affinity\",.*?]",
                "features: [\"log_price\", \"interest_match\", \"category_affinity\"]");
        changed = replaceOnce(changed, "(?s)  feature_groups \\{\n    name: \"history\".*?\n  }\n", "");
        for (String input : List.of("user.user_click", "user.user_seq", "item.user_cat_click", "item.item_click", "behaviour_stats")) {
            assertTrue(!changed.contains(input), input + " left in\n" + changed);
        }
        return changed;
    }

    private static String replaceOnce(String text, String regex, String replacement) {
        String changed = text.replaceFirst(regex, java.util.regex.Matcher.quoteReplacement(replacement));
        assertTrue(!changed.equals(text), "the sample config no longer has /" + regex + "/; update this test");
        return changed;
    }

    /** One request of the day: its context and, per item id, the batch score. */
    private record BatchRequest(String userId, String device, Long hour, Map<String, Float> scores) {
    }

    @Test
    void servedScoresEqualBatchScoresOfTheSameImpressions() throws Exception {
        Path predictions = tmp.resolve("predictions");
        String printed = RecSparkCliAccess.runOk("predict", "--config", config.toString(), "--bundle", bundle.toString(), "--out",
                predictions.toString(), "--date", DAY);
        assertTrue(printed.contains("predict: 5000 impressions scored"), printed);

        Dataset<Row> impressions = spark.read().option("header", "true").option("inferSchema", "true")
                .csv(config.getParent().resolveSibling("sample-data/small/impressions.csv").toString())
                .where("dt = '" + DAY + "'").select("request_id", "item_id", "device", "hour");
        Dataset<Row> scored = spark.read().parquet(predictions.toString()).select("request_id", "user_id", "item_id", "score");
        List<Row> rows = scored.join(impressions, scored.col("request_id").equalTo(impressions.col("request_id"))
                .and(scored.col("item_id").equalTo(impressions.col("item_id"))), "left")
                .select(scored.col("request_id"), scored.col("user_id"), scored.col("item_id"), impressions.col("device"),
                        impressions.col("hour"), scored.col("score"))
                .orderBy("request_id", "item_id").collectAsList();
        assertEquals(5000, rows.size(), "one batch score per impression of " + DAY + ", each matched to its impression once");

        Map<String, BatchRequest> requests = new LinkedHashMap<>();
        for (Row r : rows) {
            String requestId = r.getString(0);
            assertTrue(!r.isNullAt(4), "impression " + requestId + "/" + r.getString(2) + " not found in impressions.csv");
            BatchRequest request = requests.computeIfAbsent(requestId, id -> new BatchRequest(r.getString(1), r.isNullAt(3) ? null : r.getString(3),
                    ((Number) r.get(4)).longValue(), new LinkedHashMap<>()));
            assertEquals(request.userId(), r.getString(1), requestId + ": one user per request");
            request.scores().put(r.getString(2), r.getFloat(5));
        }

        int compared = 0;
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, BatchRequest> e : requests.entrySet()) {
            BatchRequest batch = e.getValue();
            List<String> itemIds = List.copyOf(batch.scores().keySet());
            HttpResponse<String> response = post(servingRequest(e.getKey(), batch, itemIds).toString());
            assertEquals(200, response.statusCode(), e.getKey() + ": " + response.body());
            JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
            JsonArray served = body.getAsJsonArray("scores").get(0).getAsJsonObject().getAsJsonArray("scores");
            assertEquals(itemIds.size(), served.size(), e.getKey() + ": " + response.body());
            for (int i = 0; i < itemIds.size(); i++) {
                float batchScore = batch.scores().get(itemIds.get(i));
                float servedScore = served.get(i).getAsFloat();
                if (Float.compare(batchScore, servedScore) != 0) {
                    differences.add(e.getKey() + "/" + itemIds.get(i) + ": batch " + batchScore + ", served " + servedScore);
                }
                compared++;
            }
        }
        assertEquals(5000, compared, "every impression of " + DAY + " was served");
        assertTrue(requests.size() >= 200, requests.size() + " requests");
        assertEquals(List.of(), differences.subList(0, Math.min(20, differences.size())),
                differences.size() + " of " + compared + " served scores differ from the batch scores");
    }

    private static JsonObject servingRequest(String requestId, BatchRequest batch, List<String> itemIds) {
        JsonObject request = new JsonObject();
        request.addProperty("request_id", requestId);
        JsonObject user = new JsonObject();
        user.addProperty("user_id", batch.userId());
        request.add("user", user);
        JsonObject context = new JsonObject();
        if (batch.device() != null) {
            context.addProperty("device", batch.device());
        }
        context.addProperty("hour", batch.hour());
        request.add("context", context);
        JsonArray items = new JsonArray();
        for (String id : itemIds) {
            JsonObject item = new JsonObject();
            item.addProperty("id", id);
            items.add(item);
        }
        request.add("items", items);
        return request;
    }

    private static HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/score"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.jobs.samples.SampleBuildJobTest;
import org.recspark.serving.ScoringServer;
import org.recspark.serving.ServeSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scores {@code recspark serve} gives equal the batch {@code predict} command's for the same
 * impressions, bit for bit: one day of the bundled sample is scored by batch prediction, then each of
 * its requests is posted to a real server on 127.0.0.1 as a recommender would send it (the user by id,
 * completed from the users table; the context; the items by id, from the item cache), its items in the
 * order batch prediction scored them, then in reverse.
 *
 * <p>The model is trained on the sample pipeline without its behaviour statistics: those are replayed
 * per impression by batch jobs, and item-side ones (such as an item's clicks in the last hour) cannot
 * be sent with an item named by id, so with them the two paths would not get the same inputs.
 */
class ServedScoresEqualBatchPredictionTest {
    private static final Logger LOG = LoggerFactory.getLogger(ServedScoresEqualBatchPredictionTest.class);
    private static final String DAY = "2026-11-04";
    /**
     * An item's score depends, in its last bits, on its row in the 1 x N call (OpenBLAS's sgemm
     * computes rows in blocks with different kernels: equal input rows differ in the last bit by
     * position), so items sent in another order
     * than batch prediction scored them get scores up to 2 ulp away (measured here, reversed and sorted
     * by item id): the bound is that measurement, so a change in how requests are scored shows.
     */
    private static final int MAX_REORDERED_ULPS = 2;
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

    /** One request of the day: its user and context, and its items in the order batch prediction scored them. */
    private record BatchRequest(String userId, String device, Long hour, List<String> itemIds, List<Float> scores) {
    }

    @Test
    void servedScoresEqualBatchScoresOfTheSameImpressions() throws Exception {
        Path predictions = tmp.resolve("predictions");
        String printed = RecSparkCliAccess.runOk("predict", "--config", config.toString(), "--bundle", bundle.toString(), "--out",
                predictions.toString(), "--date", DAY);
        assertTrue(printed.contains("predict: 5000 impressions scored"), printed);

        Map<String, Row> impressions = new HashMap<>();
        for (Row r : spark.read().option("header", "true").option("inferSchema", "true")
                .csv(config.getParent().resolveSibling("sample-data/small/impressions.csv").toString())
                .where("dt = '" + DAY + "'").select("request_id", "item_id", "device", "hour").collectAsList()) {
            assertNull(impressions.put(r.getString(0) + "/" + r.getString(1), r), "one impression per request and item");
        }
        // Unsorted: a request's rows are read back in the order its one predict call scored them.
        List<Row> scored = spark.read().parquet(predictions.toString()).select("request_id", "user_id", "item_id", "score").collectAsList();
        assertEquals(impressions.size(), scored.size(), "one batch score per impression of " + DAY);
        Map<String, BatchRequest> requests = new LinkedHashMap<>();
        for (Row r : scored) {
            String key = r.getString(0) + "/" + r.getString(2);
            Row impression = impressions.get(key);
            assertNotNull(impression, key + " scored but not in impressions.csv");
            BatchRequest request = requests.computeIfAbsent(r.getString(0), id -> new BatchRequest(r.getString(1), impression.getString(2),
                    ((Number) impression.get(3)).longValue(), new ArrayList<>(), new ArrayList<>()));
            assertEquals(request.userId(), r.getString(1), key + ": one user per request");
            request.itemIds().add(r.getString(2));
            request.scores().add(r.getFloat(3));
        }
        assertTrue(requests.size() >= 200, requests.size() + " requests");

        int compared = 0;
        List<String> differences = new ArrayList<>();
        int worstReorderedUlps = 0;
        for (Map.Entry<String, BatchRequest> e : requests.entrySet()) {
            BatchRequest batch = e.getValue();
            float[] served = serve(e.getKey(), batch, batch.itemIds());
            for (int i = 0; i < served.length; i++) {
                if (Float.compare(batch.scores().get(i), served[i]) != 0) {
                    differences.add(e.getKey() + "/" + batch.itemIds().get(i) + ": batch " + batch.scores().get(i) + ", served " + served[i]);
                }
                compared++;
            }
            List<String> reversedIds = new ArrayList<>(batch.itemIds());
            Collections.reverse(reversedIds);
            float[] reversed = serve(e.getKey(), batch, reversedIds);
            for (int i = 0; i < reversed.length; i++) {
                worstReorderedUlps = Math.max(worstReorderedUlps, ulps(batch.scores().get(reversed.length - 1 - i), reversed[i]));
            }
        }
        assertEquals(scored.size(), compared, "every impression of " + DAY + " was served");
        assertEquals(List.of(), differences.subList(0, Math.min(20, differences.size())),
                differences.size() + " of " + compared + " served scores differ from the batch scores");
        LOG.info("Items served in reverse order: scores within {} ulp of the batch scores", worstReorderedUlps);
        assertTrue(worstReorderedUlps <= MAX_REORDERED_ULPS, "items served in reverse order: a score " + worstReorderedUlps
                + " ulp from the batch score");
    }

    /** How many floats lie between two positive scores. */
    private static int ulps(float a, float b) {
        return Math.abs(Float.floatToIntBits(a) - Float.floatToIntBits(b));
    }

    /** The served scores of a batch request's items in the given order. */
    private static float[] serve(String requestId, BatchRequest batch, List<String> itemIds) throws IOException, InterruptedException {
        HttpResponse<String> response = post(servingRequest(requestId, batch, itemIds).toString());
        assertEquals(200, response.statusCode(), requestId + ": " + response.body());
        JsonArray tasks = JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("scores");
        assertEquals(1, tasks.size(), response.body());
        JsonArray values = tasks.get(0).getAsJsonObject().getAsJsonArray("scores");
        assertEquals(itemIds.size(), values.size(), requestId + ": " + response.body());
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).getAsFloat();
        }
        return out;
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

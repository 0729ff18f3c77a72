package org.recspark.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.features.MapRecord;
import org.recspark.features.RawRecord;
import org.recspark.predictor.Predictor;
import org.recspark.serving.proto.ItemRef;
import org.recspark.serving.proto.ScoreRequest;
import org.recspark.serving.proto.ScoreResponse;

/**
 * A real server on an ephemeral port of 127.0.0.1, called with java.net.http and a gRPC client:
 * served scores equal {@link Predictor#predict}'s, and every bad request gets a 4xx naming its field.
 */
class ScoringServerTest {
    private static final int MAX_ITEMS = 300;
    private static final int MAX_BODY = 64 * 1024;
    /** Users 0-49 are in the users table; 50-99 only in the synthetic data. */
    private static final int USERS_STORED = 50;

    @TempDir
    static Path dir;
    private static ScoringServer server;
    private static Predictor predictor;
    private static final HttpClient client = HttpClient.newHttpClient();
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        Path bundle = ServingFixture.mmoe(dir.resolve("mmoe"));
        Path items = ServingFixture.itemsCsv(dir.resolve("items/items.csv"));
        Path users = ServingFixture.usersCsv(dir.resolve("users/users.csv"), USERS_STORED);
        predictor = Predictor.load(bundle);
        server = ScoringServer.start(ServingFixture.settings(bundle, Optional.of(items), Optional.of(users), MAX_ITEMS, MAX_BODY, 2, 16), Clock.systemUTC());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    static HttpResponse<String> post(int port, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/score"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return post(server.httpPort(), body);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** User 3 of the synthetic data as request JSON. */
    static JsonObject userJson(int user) {
        MapRecord u = ServingFixture.raw().user(user);
        JsonObject o = new JsonObject();
        o.addProperty("user_id", (Long) u.get("user_id"));
        o.addProperty("seq_items", (String) u.get("seq_items"));
        o.addProperty("seq_categories", (String) u.get("seq_categories"));
        return o;
    }

    static JsonObject request(int user, List<Integer> ids, String hour) {
        JsonObject o = new JsonObject();
        o.addProperty("request_id", "r-" + user);
        o.add("user", userJson(user));
        JsonObject context = new JsonObject();
        context.addProperty("hour", hour);
        o.add("context", context);
        JsonArray items = new JsonArray();
        for (int id : ids) {
            JsonObject item = new JsonObject();
            item.addProperty("id", Integer.toString(id));
            items.add(item);
        }
        o.add("items", items);
        return o;
    }

    static float[] scores(JsonObject response, String task) {
        for (var t : response.getAsJsonArray("scores")) {
            JsonObject o = t.getAsJsonObject();
            if (o.get("task").getAsString().equals(task)) {
                JsonArray values = o.getAsJsonArray("scores");
                float[] out = new float[values.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = values.get(i).getAsFloat();
                }
                return out;
            }
        }
        throw new AssertionError("no task " + task + " in " + response);
    }

    static List<Integer> ids(int n) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add((i * 7) % ServingFixture.ITEMS);
        }
        return ids;
    }

    static Predictor.Scores expected(Predictor predictor, int user, List<Integer> ids, String hour) {
        List<RawRecord> items = ids.stream().map(i -> (RawRecord) ServingFixture.raw().item(i)).toList();
        return predictor.predict(ServingFixture.raw().user(user), items, ServingFixture.raw().context(hour));
    }

    @Test
    void scoresOfCachedItemsEqualThePredictors() throws Exception {
        List<Integer> ids = ids(200);
        HttpResponse<String> response = post(request(3, ids, "evening").toString());
        assertEquals(200, response.statusCode(), response.body());
        JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
        Predictor.Scores expected = expected(predictor, 3, ids, "evening");
        assertArrayEquals(expected.task("ctr"), scores(body, "ctr"));
        assertArrayEquals(expected.task("cvr"), scores(body, "cvr"));
        assertEquals("r-3", body.get("request_id").getAsString());
        assertEquals(server.model().version(), body.get("model_version").getAsString());
        assertTrue(body.getAsJsonObject("timing").get("total_ms").getAsDouble() > 0, response.body());
    }

    @Test
    void itemsGivenAsRecordsScoreAsTheCachedOnesAndTasksCanBeSelected() throws Exception {
        List<Integer> ids = ids(20);
        JsonObject request = request(5, ids, "night");
        JsonArray records = new JsonArray();
        for (int id : ids) {
            MapRecord item = ServingFixture.raw().item(id);
            JsonObject fields = new JsonObject();
            fields.addProperty("item_id", (Long) item.get("item_id"));
            fields.addProperty("category", (String) item.get("category"));
            fields.addProperty("quality", (Double) item.get("quality"));
            JsonObject ref = new JsonObject();
            ref.add("record", fields);
            records.add(ref);
        }
        request.add("items", records);
        JsonArray tasks = new JsonArray();
        tasks.add("cvr");
        request.add("tasks", tasks);
        HttpResponse<String> response = post(request.toString());
        assertEquals(200, response.statusCode(), response.body());
        JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
        assertEquals(1, body.getAsJsonArray("scores").size(), "only the selected task");
        assertArrayEquals(expected(predictor, 5, ids, "night").task("cvr"), scores(body, "cvr"));
    }

    @Test
    void grpcScoresEqualThePredictorsAndRefusalsNameTheField() {
        List<Integer> ids = ids(50);
        ScoreRequest.Builder request = ScoreRequest.newBuilder();
        try {
            com.google.protobuf.util.JsonFormat.parser().merge(request(7, ids, "noon").toString(), request);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        ScoreResponse response = ClientCalls.blockingUnaryCall(channel, GrpcEndpoint.SCORE, CallOptions.DEFAULT.withDeadlineAfter(10,
                TimeUnit.SECONDS), request.build());
        Predictor.Scores expected = expected(predictor, 7, ids, "noon");
        float[] click = new float[ids.size()];
        for (int i = 0; i < click.length; i++) {
            click[i] = response.getScores(0).getScores(i);
        }
        assertEquals("ctr", response.getScores(0).getTask());
        assertArrayEquals(expected.task("ctr"), click);

        ScoreRequest unknown = request.build().toBuilder().setItems(2, ItemRef.newBuilder().setId("no-such-item")).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, GrpcEndpoint.SCORE, CallOptions.DEFAULT, unknown));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("items[2].id: no item 'no-such-item'"), e.getStatus().getDescription());
        ScoreRequest empty = ScoreRequest.newBuilder().build();
        e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(channel, GrpcEndpoint.SCORE,
                CallOptions.DEFAULT, empty));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("items:"), e.getStatus().getDescription());
    }

    private static void assertRefused(int status, String error, String field, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
        assertEquals(error, body.get("error").getAsString(), response.body());
        assertEquals(field, body.has("field") ? body.get("field").getAsString() : "", response.body());
        assertTrue(body.has("message") && !body.get("message").getAsString().isEmpty(), response.body());
    }

    @Test
    void aRawFieldTheModelDoesNotKnowIsRefusedInsteadOfScoredAsMissing() throws Exception {
        JsonObject user = request(1, ids(2), "noon");
        user.getAsJsonObject("user").addProperty("seq_itemz", "1|2");
        assertRefused(400, "unknown_field", "user.seq_itemz", post(user.toString()));
        JsonObject context = request(1, ids(2), "noon");
        context.getAsJsonObject("context").addProperty("hourz", "noon");
        assertRefused(400, "unknown_field", "context.hourz", post(context.toString()));
        JsonObject record = request(1, ids(2), "noon");
        JsonObject item = new JsonObject();
        JsonObject fields = new JsonObject();
        fields.addProperty("item_idd", "7");
        item.add("record", fields);
        record.getAsJsonArray("items").set(1, item);
        HttpResponse<String> refused = post(record.toString());
        assertRefused(400, "unknown_field", "items[1].record.item_idd", refused);
        assertTrue(refused.body().contains("its fields are ["), refused.body());
    }

    @Test
    void badRequestsGetA4xxNamingTheField() throws Exception {
        assertRefused(400, "malformed_request", "", post("{\"items\": [{\"id\": \"1\"}"));
        assertRefused(400, "malformed_request", "", post(""));
        assertRefused(400, "malformed_request", "itemz", post("{\"itemz\": []}"));
        JsonObject wrongType = request(1, ids(2), "noon");
        wrongType.addProperty("deadline_ms", "soon");
        HttpResponse<String> typed = post(wrongType.toString());
        assertEquals(400, typed.statusCode(), typed.body());
        assertTrue(typed.body().contains("deadline_ms"), typed.body());
        assertRefused(400, "missing_field", "items", post(request(1, List.of(), "noon").toString()));
        JsonObject noRef = request(1, ids(3), "noon");
        noRef.getAsJsonArray("items").set(1, new JsonObject());
        assertRefused(400, "missing_field", "items[1]", post(noRef.toString()));
        JsonObject unknown = request(1, ids(3), "noon");
        unknown.getAsJsonArray("items").get(2).getAsJsonObject().addProperty("id", "999999");
        assertRefused(404, "unknown_item", "items[2].id", post(unknown.toString()));
        JsonObject task = request(1, ids(3), "noon");
        JsonArray tasks = new JsonArray();
        tasks.add("ctr");
        tasks.add("purchase");
        task.add("tasks", tasks);
        assertRefused(400, "unknown_task", "tasks[1]", post(task.toString()));
        assertRefused(413, "too_many_items", "items", post(request(1, ids(MAX_ITEMS + 1), "noon").toString()));
        JsonObject big = request(1, ids(3), "noon");
        big.addProperty("request_id", "x".repeat(MAX_BODY));
        assertRefused(413, "body_too_large", "", post(big.toString()));
        HttpResponse<String> form = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/v1/score"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertRefused(415, "unsupported_media_type", "", form);
        assertRefused(405, "method_not_allowed", "", get("/v1/score"));
        assertRefused(404, "not_found", "", get("/v2/score"));
        // the server still answers after all of them
        assertEquals(200, post(request(1, ids(3), "noon").toString()).statusCode());
    }

    @Test
    void aKnownUserIsCompletedFromTheUsersTableAndTheRequestsFieldsWin() throws Exception {
        List<Integer> ids = ids(30);
        JsonObject byId = request(8, ids, "noon");
        byId.add("user", new JsonObject());
        byId.getAsJsonObject("user").addProperty("user_id", 8);
        HttpResponse<String> r = post(byId.toString());
        assertEquals(200, r.statusCode(), r.body());
        assertArrayEquals(expected(predictor, 8, ids, "noon").task("ctr"), scores(JsonParser.parseString(r.body()).getAsJsonObject(), "ctr"));

        MapRecord stored = ServingFixture.raw().user(8);
        MapRecord other = ServingFixture.raw().user(9);
        byId.getAsJsonObject("user").addProperty("seq_items", (String) other.get("seq_items"));
        r = post(byId.toString());
        java.util.Map<String, Object> overlaid = new java.util.HashMap<>(stored.fields());
        overlaid.put("seq_items", other.get("seq_items"));
        List<RawRecord> items = ids.stream().map(i -> (RawRecord) ServingFixture.raw().item(i)).toList();
        float[] expected = predictor.predict(RawRecord.of(overlaid), items, ServingFixture.raw().context("noon")).task("ctr");
        assertArrayEquals(expected, scores(JsonParser.parseString(r.body()).getAsJsonObject(), "ctr"), "the request's seq_items wins");

        JsonObject unknown = request(70, ids, "noon");
        unknown.add("user", new JsonObject());
        unknown.getAsJsonObject("user").addProperty("user_id", 70);
        r = post(unknown.toString());
        assertEquals(200, r.statusCode(), r.body());
        float[] alone = predictor.predict(RawRecord.of(java.util.Map.of("user_id", 70.0)), items, ServingFixture.raw().context("noon"))
                .task("ctr");
        assertArrayEquals(alone, scores(JsonParser.parseString(r.body()).getAsJsonObject(), "ctr"), "a new user: the request's fields");
        String metrics = get("/metrics").body();
        assertTrue(metrics.contains("recspark_serve_user_table_users 50"), metrics);
        assertTrue(!metrics.contains("recspark_serve_user_table_misses_total 0\n"), "the unknown user is counted");
    }

    @Test
    void pipelinedRequestsAreAnsweredInTheirOrder() throws Exception {
        byte[] score = request(6, ids(MAX_ITEMS), "noon").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String requests = "POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + score.length + "\r\n\r\n" + new String(score, java.nio.charset.StandardCharsets.UTF_8)
                + "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                + "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.httpPort())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(requests.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            String answers = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            List<String> statusLines = java.util.regex.Pattern.compile("HTTP/1\\.1 \\d{3} [A-Za-z ]+\r\n").matcher(answers).results()
                    .map(m -> m.group().strip()).toList();
            assertEquals(List.of("HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found"), statusLines);
            int scores = answers.indexOf("\"model_version\"");
            int live = answers.indexOf("live\n");
            assertTrue(scores > 0 && live > scores, "the slow score comes back before the fast health check:\n"
                    + answers.substring(0, Math.min(300, answers.length())));
        }
    }

    @Test
    void healthAndMetrics() throws Exception {
        assertEquals(200, get("/health/live").statusCode());
        HttpResponse<String> ready = get("/health/ready");
        assertEquals(200, ready.statusCode());
        assertTrue(ready.body().contains(server.model().version()), ready.body());
        post(request(2, ids(10), "noon").toString());
        post(request(2, List.of(), "noon").toString());
        String metrics = get("/metrics").body();
        for (String name : List.of("recspark_serve_requests_total ", "recspark_serve_errors_total{kind=\"missing_field\"} ",
                "recspark_serve_request_seconds_bucket{le=\"0.02\"} ", "recspark_serve_request_seconds_count ",
                "recspark_serve_items_scored_total ", "recspark_serve_item_cache_hit_ratio ", "recspark_serve_model_info{version=\"",
                "recspark_serve_model_age_seconds ", "recspark_serve_item_cache_items 150")) {
            assertTrue(metrics.contains(name), name + " in\n" + metrics);
        }
        assertNotEquals(0, server.metrics().scoredCount());
        assertTrue(server.metrics().errorCount(RequestError.MISSING_FIELD) >= 1);
    }
}

package org.recspark.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One scoring thread and a short queue: a burst gets 429s, never unbounded latency or a 5xx; a
 * request past its deadline gets 504; shutdown answers the requests it already took.
 */
class OverloadAndShutdownTest {
    private static final int ITEMS = 2000;

    @TempDir
    static Path dir;
    private static Path bundle;
    private static Path items;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void bundle() throws Exception {
        bundle = ServingFixture.deepFm(dir.resolve("deepfm"));
        items = ServingFixture.itemsCsv(dir.resolve("items.csv"));
    }

    private static ScoringServer start(int queue) throws Exception {
        return ScoringServer.start(ServingFixture.settings(bundle, Optional.of(items), Optional.empty(), ITEMS, 4 << 20, 1, queue), Clock.systemUTC());
    }

    private static String request(int deadlineMs) {
        var request = ScoringServerTest.request(1, ScoringServerTest.ids(ITEMS), "noon");
        request.addProperty("deadline_ms", deadlineMs);
        return request.toString();
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(int port, String body) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/score"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> r) {
        return JsonParser.parseString(r.body()).getAsJsonObject().get("error").getAsString();
    }

    @Test
    void aBurstOverTheQueueIsShedWith429() throws Exception {
        try (ScoringServer server = start(1)) {
            String body = request(0);
            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                burst.add(postAsync(server.httpPort(), body));
            }
            int ok = 0;
            int shed = 0;
            for (CompletableFuture<HttpResponse<String>> f : burst) {
                HttpResponse<String> r = f.get();
                if (r.statusCode() == 200) {
                    ok++;
                } else {
                    assertEquals(429, r.statusCode(), r.body());
                    assertEquals("overloaded", error(r));
                    shed++;
                }
            }
            assertTrue(ok >= 1 && shed >= 1, ok + " scored, " + shed + " shed");
            assertEquals(shed, server.metrics().errorCount(RequestError.OVERLOADED));
        }
    }

    @Test
    void aRequestPastItsDeadlineGets504() throws Exception {
        try (ScoringServer server = start(8)) {
            HttpResponse<String> r = postAsync(server.httpPort(), request(1)).get();
            assertEquals(504, r.statusCode(), r.body());
            assertEquals("deadline_exceeded", error(r));
            assertEquals(200, postAsync(server.httpPort(), request(0)).get().statusCode(), "a request within the deadline is scored");
        }
    }

    @Test
    void shutdownAnswersTheRequestsItTookThenRefusesConnections() throws Exception {
        ScoringServer server = start(16);
        int port = server.httpPort();
        String body = request(0);
        List<CompletableFuture<HttpResponse<String>>> taken = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            taken.add(postAsync(port, body));
        }
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (server.metrics().render(server::model).contains("recspark_serve_requests_total 6\n") == false) {
            assertTrue(System.nanoTime() < end, "the server took the 6 requests");
            Thread.sleep(5);
        }
        server.close();
        for (CompletableFuture<HttpResponse<String>> f : taken) {
            assertEquals(200, f.get().statusCode(), "a request taken before shutdown is answered");
        }
        assertTrue(!server.ready());
        Exception refused = assertThrows(Exception.class, () -> postAsync(port, body).get());
        assertTrue(refused.getCause() instanceof ConnectException, refused.toString());
    }
}

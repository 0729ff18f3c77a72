package org.recspark.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.features.MapRecord;
import org.recspark.features.RawRecord;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.predictor.Predictor;

/**
 * Hot updates under load: the server watches a daily work directory's current.json; moving it to
 * a new bundle swaps the model with zero failed requests, a corrupt bundle is refused while the old
 * model keeps serving, and a new item snapshot replaces the cache (a broken one is refused).
 */
class HotSwapTest {
    @TempDir
    static Path dir;

    private static void point(Path workDir, Path bundle) throws Exception {
        Path tmp = workDir.resolve(".current.json.tmp");
        Files.writeString(tmp, "{\"bundle\": \"" + bundle.toAbsolutePath() + "\", \"date\": \"2026-12-03\"}");
        Files.move(tmp, workDir.resolve("current.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void swapsUnderLoadWithZeroFailedRequestsAndRefusesABadBundle() throws Exception {
        Path first = ServingFixture.bundle(org.recspark.trainer.model.ZooConfigs.MMOE, 1, dir.resolve("days/1/run/export/final"));
        Path second = ServingFixture.bundle(org.recspark.trainer.model.ZooConfigs.MMOE, 2, dir.resolve("days/2/run/export/final"));
        Path corrupt = dir.resolve("days/3/run/export/final");
        copy(second, corrupt);
        try (Stream<Path> weights = Files.walk(corrupt.resolve(ExportBundle.WEIGHTS))) {
            Path file = weights.filter(Files::isRegularFile).findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(file);
            bytes[bytes.length / 2] ^= 0x5a;
            Files.write(file, bytes);
        }
        Path items = ServingFixture.itemsCsv(dir.resolve("items/items.csv"));
        Path workDir = dir;
        point(workDir, first);
        ServeSettings settings = new ServeSettings(workDir.toString(), Optional.of(items.toString()), Optional.empty(), "127.0.0.1", 0, -1, 1000, 1 << 20,
                2, 64, Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofSeconds(5), 3);
        Predictor secondPredictor = Predictor.load(second);
        try (ScoringServer server = ScoringServer.start(settings, Clock.systemUTC())) {
            String firstVersion = server.model().version();
            List<Integer> ids = ScoringServerTest.ids(100);
            String request = ScoringServerTest.request(4, ids, "morning").toString();
            AtomicBoolean stop = new AtomicBoolean();
            List<String> failures = Collections.synchronizedList(new ArrayList<>());
            Set<String> versions = ConcurrentHashMap.newKeySet();
            AtomicInteger served = new AtomicInteger();
            ExecutorService load = Executors.newFixedThreadPool(3);
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                clients.add(load.submit(() -> {
                    while (!stop.get()) {
                        try {
                            HttpResponse<String> r = ScoringServerTest.post(server.httpPort(), request);
                            if (r.statusCode() != 200) {
                                failures.add(r.statusCode() + " " + r.body());
                            } else {
                                versions.add(JsonParser.parseString(r.body()).getAsJsonObject().get("model_version").getAsString());
                                served.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                    return null;
                }));
            }
            await("requests on the first model", () -> served.get() > 20 || !failures.isEmpty());
            assertEquals(List.of(), failures.subList(0, Math.min(3, failures.size())));
            point(workDir, second);
            await("the swap to the second bundle", () -> server.model().bundle().equals(second.toAbsolutePath().toString()));
            int atSwap = served.get();
            await("requests on the second model", () -> served.get() > atSwap + 20);
            point(workDir, corrupt);
            await("the refusal of the corrupt bundle", () -> server.metrics().render(server::model)
                    .contains("recspark_serve_model_refusals_total 1"));
            int atRefusal = served.get();
            await("requests after the refusal", () -> served.get() > atRefusal + 20);
            stop.set(true);
            for (Future<?> f : clients) {
                f.get();
            }
            load.shutdown();

            assertEquals(List.of(), failures.subList(0, Math.min(3, failures.size())), failures.size() + " requests failed during the swaps");
            String secondVersion = server.model().version();
            assertNotEquals(firstVersion, secondVersion);
            assertEquals(second.toAbsolutePath().toString(), server.model().bundle(), "the corrupt bundle was refused");
            assertTrue(versions.containsAll(List.of(firstVersion, secondVersion)), "served by both: " + versions);
            HttpResponse<String> after = ScoringServerTest.post(server.httpPort(), request);
            JsonObject body = JsonParser.parseString(after.body()).getAsJsonObject();
            assertArrayEquals(ScoringServerTest.expected(secondPredictor, 4, ids, "morning").task("ctr"), ScoringServerTest.scores(body, "ctr"));
        }
    }

    @Test
    void aNewItemSnapshotReplacesTheCacheAndABrokenOneIsRefused() throws Exception {
        Path bundle = ServingFixture.deepFm(dir.resolve("deepfm"));
        Path items = ServingFixture.itemsCsv(dir.resolve("snapshot/items.csv"));
        ServeSettings settings = new ServeSettings(bundle.toString(), Optional.of(items.getParent().toString()), Optional.empty(), "127.0.0.1", 0, -1, 1000,
                1 << 20, 2, 64, Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofSeconds(5), 3);
        Predictor predictor = Predictor.load(bundle);
        try (ScoringServer server = ScoringServer.start(settings, Clock.systemUTC())) {
            assertEquals(ServingFixture.ITEMS, server.model().items().size());
            List<String> lines = new ArrayList<>(Files.readAllLines(items));
            lines.set(1, "0,c3,0.25");
            lines.remove(lines.size() - 1);
            Path tmp = items.resolveSibling(".items.tmp");
            Files.write(tmp, lines);
            Files.move(tmp, items, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            server.checkForUpdates();
            assertEquals(ServingFixture.ITEMS - 1, server.model().items().size());
            HttpResponse<String> gone = ScoringServerTest.post(server.httpPort(), ScoringServerTest.request(9, List.of(0, 149), "noon").toString());
            assertEquals(404, gone.statusCode(), "item 149 left the snapshot: " + gone.body());

            HttpResponse<String> r = ScoringServerTest.post(server.httpPort(), ScoringServerTest.request(9, List.of(0, 148), "noon").toString());
            assertEquals(200, r.statusCode(), r.body());
            List<RawRecord> records = List.of(new MapRecord(Map.of("item_id", 0L, "category", "c3", "quality", 0.25)),
                    ServingFixture.raw().item(148));
            float[] expected = predictor.predict(ServingFixture.raw().user(9), records, ServingFixture.raw().context("noon")).scores();
            float[] actual = ScoringServerTest.scores(JsonParser.parseString(r.body()).getAsJsonObject(),
                    predictor.tasks().get(0));
            assertArrayEquals(expected, actual);

            lines.add("149,c1,not-a-number");
            Files.write(tmp, lines);
            Files.move(tmp, items, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            server.checkForUpdates();
            assertEquals(ServingFixture.ITEMS - 1, server.model().items().size(), "the broken snapshot is refused");
            assertTrue(server.metrics().render(server::model).contains("recspark_serve_item_reload_failures_total 1"));
        }
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}

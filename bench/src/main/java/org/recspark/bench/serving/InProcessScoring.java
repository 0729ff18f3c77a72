package org.recspark.bench.serving;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.recspark.features.RawRecord;
import org.recspark.predictor.Predictor;
import org.recspark.serving.ItemCatalog;
import org.recspark.serving.TableSnapshot;
import org.recspark.storage.Locations;

/**
 * The in-process peer of bench/serve-load: the request bodies the load test posts, scored by
 * {@link Predictor#predict} directly from N threads, with the items as the server's cache holds them
 * (precomputed) and as raw records: each mode warmed up for SECONDS, then three alternating rounds of
 * SECONDS/2 each, the median reported. Prints one tab-separated line per body and mode:
 * {@code inprocess <items> <mode> <items/s> <requests/s>}; first, the heap an item of the snapshot takes in
 * the server's cache (raw record and precomputed features, measured over 100 copies of the snapshot):
 * {@code cache <items measured> <heap bytes per item> <precomputed bytes per item>}.
 *
 * <p>Usage: {@code InProcessScoring BUNDLE ITEMS_SNAPSHOT SECONDS THREADS BODY.json...}
 */
public final class InProcessScoring {
    private InProcessScoring() {
    }

    public static void main(String[] args) throws Exception {
        Predictor predictor = Predictor.load(Locations.of(args[0]));
        TableSnapshot source = TableSnapshot.items(args[1], predictor.config().getInputConfig());
        Map<String, RawRecord> rows = source.read();
        ItemCatalog catalog = ItemCatalog.build(rows, predictor.featureGenerator(), args[1], source.stamp());
        cacheFootprint(rows, predictor);
        double seconds = Double.parseDouble(args[2]);
        int threads = Integer.parseInt(args[3]);
        for (int b = 4; b < args.length; b++) {
            JsonObject body = JsonParser.parseString(Files.readString(Locations.of(args[b]), StandardCharsets.UTF_8)).getAsJsonObject();
            RawRecord user = record(body.getAsJsonObject("user"));
            RawRecord context = record(body.getAsJsonObject("context"));
            List<RawRecord> precomputed = new ArrayList<>();
            List<RawRecord> raw = new ArrayList<>();
            for (JsonElement item : body.getAsJsonArray("items")) {
                String id = item.getAsJsonObject().get("id").getAsString();
                precomputed.add(catalog.get(id));
                raw.add(rows.get(id));
            }
            List<Map.Entry<String, List<RawRecord>>> modes = List.of(Map.entry("precomputed", precomputed), Map.entry("raw", raw));
            for (var mode : modes) {
                measure(predictor, user, mode.getValue(), context, seconds, threads);
            }
            // Rounds alternate between the modes, so a burst of other load on the machine hits both; the median is reported.
            Map<String, List<Long>> rounds = new HashMap<>();
            for (int round = 0; round < 3; round++) {
                for (var mode : modes) {
                    rounds.computeIfAbsent(mode.getKey(), k -> new ArrayList<>())
                            .add(measure(predictor, user, mode.getValue(), context, seconds / 2, threads));
                }
            }
            for (var mode : modes) {
                List<Long> counts = rounds.get(mode.getKey());
                counts.sort(null);
                double perSecond = counts.get(1) / (seconds / 2);
                System.out.printf(Locale.ROOT, "inprocess\t%d\t%s\t%.0f\t%.1f%n", precomputed.size(), mode.getKey(),
                        perSecond * precomputed.size(), perSecond);
            }
        }
    }

    /** The heap of a catalog of 100 copies of the snapshot's rows (new ids, copied records), per item. */
    private static void cacheFootprint(Map<String, RawRecord> rows, Predictor predictor) {
        String idField = predictor.config().getInputConfig().getItemIdField();
        long before = usedHeapAfterGc();
        Map<String, RawRecord> copies = new HashMap<>();
        for (int copy = 0; copy < 100; copy++) {
            for (Map.Entry<String, RawRecord> row : rows.entrySet()) {
                Map<String, Object> fields = new HashMap<>(((org.recspark.features.MapRecord) row.getValue()).fields());
                String id = row.getKey() + "_" + copy;
                fields.put(idField, id);
                copies.put(id, RawRecord.of(fields));
            }
        }
        ItemCatalog catalog = ItemCatalog.build(copies, predictor.featureGenerator(), "copies", "");
        long after = usedHeapAfterGc();
        System.out.printf(Locale.ROOT, "cache\t%d\t%d\t%d%n", catalog.size(), (after - before) / catalog.size(),
                catalog.precomputedBytes() / catalog.size());
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Requests scored by {@code threads} threads in {@code seconds}. */
    private static long measure(Predictor predictor, RawRecord user, List<RawRecord> items, RawRecord context, double seconds,
                                int threads) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Long>> counts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            counts.add(pool.submit(() -> {
                long n = 0;
                while (!stop.get()) {
                    predictor.predict(user, items, context);
                    n++;
                }
                return n;
            }));
        }
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        long total = 0;
        for (Future<Long> f : counts) {
            total += f.get();
        }
        pool.shutdown();
        return total;
    }

    /** A JSON object as the server reads it: numbers as Double, strings, booleans. */
    private static RawRecord record(JsonObject json) {
        Map<String, Object> fields = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            var p = e.getValue().getAsJsonPrimitive();
            fields.put(e.getKey(), p.isNumber() ? (Object) p.getAsDouble() : p.isBoolean() ? (Object) p.getAsBoolean() : p.getAsString());
        }
        return RawRecord.of(fields);
    }
}

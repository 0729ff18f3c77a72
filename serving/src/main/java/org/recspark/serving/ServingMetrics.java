package org.recspark.serving;

import java.time.Clock;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The server's counters, rendered in the Prometheus text format at {@code GET /metrics}. Thread-safe
 * (adders and atomic counters only); rendering reads a consistent-enough view for monitoring.
 */
public final class ServingMetrics {
    /** Upper bounds of the latency histogram's buckets, in seconds. */
    private static final double[] LATENCY_BUCKETS = {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2};

    private final Clock clock;
    private final LongAdder requests = new LongAdder();
    private final LongAdder scored = new LongAdder();
    private final Map<RequestError, LongAdder> errors = new EnumMap<>(RequestError.class);
    private final LongAdder[] latencyBuckets = new LongAdder[LATENCY_BUCKETS.length + 1];
    private final LongAdder latencyMicros = new LongAdder();
    private final LongAdder itemsScored = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder itemRecords = new LongAdder();
    private final LongAdder modelSwaps = new LongAdder();
    private final LongAdder modelRefusals = new LongAdder();
    private final LongAdder itemReloads = new LongAdder();
    private final LongAdder itemReloadFailures = new LongAdder();
    private final LongAdder userHits = new LongAdder();
    private final LongAdder userMisses = new LongAdder();
    private final LongAdder userReloads = new LongAdder();
    private final LongAdder userReloadFailures = new LongAdder();

    public ServingMetrics(Clock clock) {
        this.clock = clock;
        for (RequestError e : RequestError.values()) {
            errors.put(e, new LongAdder());
        }
        for (int i = 0; i < latencyBuckets.length; i++) {
            latencyBuckets[i] = new LongAdder();
        }
    }

    /** A scoring request arrived (any outcome). */
    void request() {
        requests.increment();
    }

    void error(RequestError error) {
        errors.get(error).increment();
    }

    /** A request scored: its latency within the server, items scored, from the cache and as records. */
    void scored(long nanos, int items, int fromCache) {
        scored.increment();
        double seconds = nanos / 1e9;
        int b = 0;
        while (b < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[b]) {
            b++;
        }
        latencyBuckets[b].increment();
        latencyMicros.add(nanos / 1000);
        itemsScored.add(items);
        cacheHits.add(fromCache);
        itemRecords.add(items - fromCache);
    }

    void modelSwapped() {
        modelSwaps.increment();
    }

    void modelRefused() {
        modelRefusals.increment();
    }

    void itemsReloaded() {
        itemReloads.increment();
    }

    void itemReloadFailed() {
        itemReloadFailures.increment();
    }

    /** A request's user id was looked up in the users table: found or not. */
    void userLookup(boolean found) {
        (found ? userHits : userMisses).increment();
    }

    void usersReloaded() {
        userReloads.increment();
    }

    void userReloadFailed() {
        userReloadFailures.increment();
    }

    long errorCount(RequestError error) {
        return errors.get(error).sum();
    }

    long scoredCount() {
        return scored.sum();
    }

    /** The metrics in the Prometheus text exposition format; {@code model} may give null before the first load. */
    public String render(Supplier<ServedModel> model) {
        StringBuilder out = new StringBuilder(4096);
        counter(out, "recspark_serve_requests_total", "Scoring requests received (HTTP and gRPC), whatever their outcome.",
                requests.sum());
        header(out, "recspark_serve_errors_total", "Requests answered with an error, by kind.", "counter");
        errors.forEach((e, n) -> out.append("recspark_serve_errors_total{kind=\"").append(e.label()).append("\"} ")
                .append(n.sum()).append('\n'));
        header(out, "recspark_serve_request_seconds", "Latency of scored requests within the server, from arrival to response.",
                "histogram");
        long cumulative = 0;
        for (int i = 0; i < LATENCY_BUCKETS.length; i++) {
            cumulative += latencyBuckets[i].sum();
            out.append("recspark_serve_request_seconds_bucket{le=\"").append(LATENCY_BUCKETS[i]).append("\"} ")
                    .append(cumulative).append('\n');
        }
        cumulative += latencyBuckets[LATENCY_BUCKETS.length].sum();
        out.append("recspark_serve_request_seconds_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        out.append("recspark_serve_request_seconds_sum ").append(format(latencyMicros.sum() / 1e6)).append('\n');
        out.append("recspark_serve_request_seconds_count ").append(cumulative).append('\n');
        counter(out, "recspark_serve_items_scored_total", "Items scored.", itemsScored.sum());
        counter(out, "recspark_serve_item_cache_hits_total", "Items given by id and found in the item cache.", cacheHits.sum());
        counter(out, "recspark_serve_item_records_total", "Items given as full records (not from the cache).", itemRecords.sum());
        long hits = cacheHits.sum();
        long misses = errors.get(RequestError.UNKNOWN_ITEM).sum();
        gauge(out, "recspark_serve_item_cache_hit_ratio", "Cache hits over item-id lookups (an unknown id is a miss).",
                hits + misses == 0 ? 1.0 : hits / (double) (hits + misses));
        counter(out, "recspark_serve_model_swaps_total", "New bundles loaded, warmed and swapped in.", modelSwaps.sum());
        counter(out, "recspark_serve_model_refusals_total", "New bundles refused (failed to load, verify or warm up).",
                modelRefusals.sum());
        counter(out, "recspark_serve_item_reloads_total", "Item snapshots reloaded into the cache.", itemReloads.sum());
        counter(out, "recspark_serve_item_reload_failures_total", "Item snapshots that failed to load (the old cache kept).",
                itemReloadFailures.sum());
        counter(out, "recspark_serve_user_table_hits_total", "Request user ids found in the users table.", userHits.sum());
        counter(out, "recspark_serve_user_table_misses_total", "Request user ids not in the users table (scored with the request's "
                + "fields alone).", userMisses.sum());
        counter(out, "recspark_serve_user_reloads_total", "Users snapshots reloaded.", userReloads.sum());
        counter(out, "recspark_serve_user_reload_failures_total", "Users snapshots that failed to load (the old table kept).",
                userReloadFailures.sum());
        ServedModel served = model.get();
        if (served != null) {
            header(out, "recspark_serve_model_info", "The served model (value 1).", "gauge");
            out.append("recspark_serve_model_info{version=\"").append(escape(served.version())).append("\",bundle=\"")
                    .append(escape(served.bundle())).append("\"} 1\n");
            long now = clock.millis();
            gauge(out, "recspark_serve_model_age_seconds", "Seconds since the served bundle was exported.",
                    (now - served.predictor().manifest().getCreatedUnixMillis()) / 1000.0);
            gauge(out, "recspark_serve_model_loaded_seconds", "Seconds since the served bundle was swapped in.",
                    (now - served.loadedAt().toEpochMilli()) / 1000.0);
            gauge(out, "recspark_serve_item_cache_items", "Items in the cache.", served.items().size());
            gauge(out, "recspark_serve_item_cache_precomputed_bytes", "Bytes of the cached items' precomputed features.",
                    served.items().precomputedBytes());
            gauge(out, "recspark_serve_user_table_users", "Users in the users table.", served.users().size());
        }
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        header(out, name, help, "counter");
        out.append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, double value) {
        header(out, name, help, "gauge");
        out.append(name).append(' ').append(format(value)).append('\n');
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%.6f", value);
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

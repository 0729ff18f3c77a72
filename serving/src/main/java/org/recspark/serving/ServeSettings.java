package org.recspark.serving;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The runtime settings of {@code recspark serve}, validated at once: every bad value is reported
 * together, naming its command-line option.
 *
 * @param bundle         an export bundle, or a daily work directory whose current.json names one (path or URI)
 * @param items          the item table snapshot to cache (path or URI), or empty for items as full records only
 * @param users          the users table snapshot (path or URI) completing a request's user by id, or empty
 * @param host           the address to listen on
 * @param httpPort       the HTTP port; 0 for any free one
 * @param grpcPort       the gRPC port; 0 for any free one, -1 for no gRPC
 * @param maxItems       items per request at most
 * @param maxBodyBytes   bytes of an HTTP request body at most
 * @param threads        scoring threads
 * @param queueCapacity  requests waiting for a scoring thread at most; more are refused (429)
 * @param deadline       a request not answered by then gets 504 (gRPC DEADLINE_EXCEEDED)
 * @param pollInterval   how often the bundle location and item snapshot are checked for changes
 * @param drainTimeout   how long shutdown waits for requests in flight
 * @param warmupRequests requests scored with a new model before it serves
 */
public record ServeSettings(String bundle, Optional<String> items, Optional<String> users, String host, int httpPort, int grpcPort, int maxItems,
                            int maxBodyBytes, int threads, int queueCapacity, Duration deadline, Duration pollInterval,
                            Duration drainTimeout, int warmupRequests) {

    public ServeSettings {
        List<String> problems = new ArrayList<>();
        if (bundle == null || bundle.isEmpty()) {
            problems.add("--bundle: required (an export bundle or a daily work directory)");
        }
        if (httpPort < 0 || httpPort > 65535) {
            problems.add("--port: " + httpPort + " is not a port (0-65535; 0 for any free port)");
        }
        if (grpcPort < -1 || grpcPort > 65535) {
            problems.add("--grpc-port: " + grpcPort + " is not a port (0-65535; 0 for any free port, -1 for none)");
        }
        if (maxItems < 1) {
            problems.add("--max-items: " + maxItems + " must be at least 1");
        }
        if (maxBodyBytes < 1024) {
            problems.add("--max-body-bytes: " + maxBodyBytes + " must be at least 1024");
        }
        if (threads < 1) {
            problems.add("--threads: " + threads + " must be at least 1");
        }
        if (queueCapacity < 1) {
            problems.add("--queue: " + queueCapacity + " must be at least 1");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            problems.add("--deadline-ms: " + deadline.toMillis() + " must be positive");
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            problems.add("--poll-ms: " + pollInterval.toMillis() + " must be positive");
        }
        if (drainTimeout.isNegative()) {
            problems.add("--drain-ms: " + drainTimeout.toMillis() + " must not be negative");
        }
        if (warmupRequests < 1) {
            problems.add("--warmup: " + warmupRequests + " must be at least 1");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** Defaults for everything but the bundle and the item snapshot: 127.0.0.1:8080 (HTTP), 8081 (gRPC). */
    public static ServeSettings defaults(String bundle, Optional<String> items, Optional<String> users) {
        return new ServeSettings(bundle, items, users, "127.0.0.1", 8080, 8081, 2000, 4 << 20, Runtime.getRuntime().availableProcessors(),
                64, Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(20), 20);
    }
}

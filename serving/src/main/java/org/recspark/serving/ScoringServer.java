package org.recspark.serving;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code recspark serve}: loads and warms the model (and its item cache), then serves it over HTTP
 * and gRPC while {@link ModelUpdater} swaps in new bundles and item snapshots. Ready
 * ({@code /health/ready}) once the first model is warm and until shutdown starts. {@link #close}
 * drains: it stops accepting, lets queued and running requests finish (up to the drain timeout),
 * then stops.
 */
public final class ScoringServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScoringServer.class);

    private final ServeSettings settings;
    private final ServingMetrics metrics;
    private final ModelUpdater models;
    private final ScoringQueue queue;
    private final InFlightRequests inFlight = new InFlightRequests();
    private final HttpEndpoint http;
    private final GrpcEndpoint grpc;
    private volatile boolean ready;
    private volatile boolean closed;
    private int httpPort;
    private int grpcPort = -1;

    private ScoringServer(ServeSettings settings, Clock clock) {
        this.settings = settings;
        this.metrics = new ServingMetrics(clock);
        this.models = new ModelUpdater(new BundleSource(settings.bundle()), settings.items(), settings.users(), settings.warmupRequests(),
                metrics, clock);
        this.queue = new ScoringQueue(new Scorer(models, metrics, settings.maxItems()), settings.threads(), settings.queueCapacity());
        this.http = new HttpEndpoint(queue, inFlight, metrics, models, () -> ready, settings.maxBodyBytes(), settings.deadline());
        this.grpc = settings.grpcPort() >= 0 ? new GrpcEndpoint(queue, inFlight, metrics, settings.deadline()) : null;
    }

    /**
     * Loads the first model, binds the endpoints and starts watching for updates.
     *
     * @throws IOException when the bundle or the item snapshot cannot be read, or a port cannot be bound
     */
    public static ScoringServer start(ServeSettings settings, Clock clock) throws IOException, InterruptedException {
        ScoringServer server = new ScoringServer(settings, clock);
        try {
            server.httpPort = server.http.start(settings.host(), settings.httpPort());
            if (server.grpc != null) {
                server.grpcPort = server.grpc.start(settings.host(), settings.grpcPort(), settings.maxBodyBytes());
            }
            long started = System.nanoTime();
            ServedModel model = server.models.loadInitial();
            server.models.watch(settings.pollInterval());
            server.ready = true;
            LOG.info("Ready: serving {} from {} with {} cached items, {} scoring threads, queue {}, deadline {} ms (loaded and warmed in {} ms)",
                    model.version(), model.bundle(), model.items().size(), settings.threads(), settings.queueCapacity(),
                    settings.deadline().toMillis(), (System.nanoTime() - started) / 1_000_000);
            return server;
        } catch (IOException | RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    public int httpPort() {
        return httpPort;
    }

    /** The gRPC port, or -1 without gRPC. */
    public int grpcPort() {
        return grpcPort;
    }

    public boolean ready() {
        return ready;
    }

    public ServedModel model() {
        return models.current();
    }

    public ServingMetrics metrics() {
        return metrics;
    }

    /** Checks the bundle location and the item snapshot now (tests; the server also polls on its own). */
    public void checkForUpdates() {
        models.poll();
    }

    /** Drains and stops; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        LOG.info("Shutting down: draining {} requests in flight (at most {} ms)", inFlight.count(), settings.drainTimeout().toMillis());
        http.stopAccepting();
        if (grpc != null) {
            grpc.stopAccepting();
        }
        try {
            if (!inFlight.drain(settings.drainTimeout())) {
                LOG.warn("{} requests still in flight after {} ms; stopping them", inFlight.count(), settings.drainTimeout().toMillis());
            }
            queue.drain(Duration.ZERO);
            if (grpc != null) {
                grpc.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            queue.close();
            http.close();
            models.close();
        }
        LOG.info("Stopped");
    }
}

package org.recspark.serving;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.recspark.serving.proto.ScoreRequest;
import org.recspark.serving.proto.ScoreResponse;

/**
 * The scoring threads and their bounded queue, shared by the HTTP and gRPC endpoints: a request that
 * finds the queue full is refused at once ({@link RequestError#OVERLOADED}: HTTP 429, gRPC
 * UNAVAILABLE) instead of waiting without bound, and one still queued at its deadline is not
 * scored.
 */
public final class ScoringQueue implements AutoCloseable {
    private final Scorer scorer;
    private final int capacity;
    private final ThreadPoolExecutor pool;

    public ScoringQueue(Scorer scorer, int threads, int capacity) {
        this.scorer = scorer;
        this.capacity = capacity;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity), r -> {
            Thread t = new Thread(r, "recspark-score-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        pool.prestartAllCoreThreads();
    }

    /**
     * Queues a request. The future fails with a {@link RequestException} (or a
     * {@link java.util.concurrent.TimeoutException} when its deadline passes before a response).
     *
     * @throws RequestException OVERLOADED when the queue is full, SHUTTING_DOWN after {@link #close}
     */
    public CompletableFuture<ScoreResponse> submit(ScoreRequest request, long arrivedNanos, Duration deadline) {
        long deadlineNanos = arrivedNanos + deadline.toNanos();
        CompletableFuture<ScoreResponse> result = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                long started = System.nanoTime();
                if (result.isDone()) {
                    return;
                }
                if (started - deadlineNanos > 0) {
                    result.completeExceptionally(new RequestException(RequestError.DEADLINE_EXCEEDED, "",
                            "waited " + (started - arrivedNanos) / 1_000_000 + " ms for a scoring thread, past the deadline of "
                                    + deadline.toMillis() + " ms"));
                    return;
                }
                try {
                    result.complete(scorer.score(request, arrivedNanos, started));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            if (pool.isShutdown()) {
                throw new RequestException(RequestError.SHUTTING_DOWN, "", "the server is shutting down");
            }
            throw new RequestException(RequestError.OVERLOADED, "", "overloaded: " + capacity
                    + " requests already wait for a scoring thread; retry later");
        }
        long remaining = deadlineNanos - System.nanoTime();
        return result.orTimeout(Math.max(0, remaining), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops taking requests and waits up to {@code timeout} for the queued and running ones to finish
     * (the server drains its endpoints first, so by then there are none).
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        pool.shutdown();
        return pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

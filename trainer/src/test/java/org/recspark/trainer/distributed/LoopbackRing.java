package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Runs one body per rank, each on a thread of its own, in a ring formed on 127.0.0.1. */
final class LoopbackRing {
    static final String SESSION = "stage-2-attempt-0";

    /** What one rank does once it has joined. */
    interface RankBody<T> {
        T run(RingCollective ring) throws Exception;
    }

    /** One rank's result or failure, and how long its body (join excluded) took. */
    record Outcome<T>(int rank, T value, Throwable error, long bodyNanos) {
        T get() {
            if (error != null) {
                throw new AssertionError("rank " + rank + " failed: " + error, error);
            }
            return value;
        }

        CollectiveException failure() {
            if (error instanceof CollectiveException c) {
                return c;
            }
            return fail("rank " + rank + " should have failed with a CollectiveException, got "
                    + (error == null ? "success" : error.toString()), error);
        }
    }

    private LoopbackRing() {}

    static <T> List<Outcome<T>> run(int size, CollectiveSettings settings, RankBody<T> body) {
        RingSecret secret = RingSecret.generate();
        return run(size, rank -> new RingMember(SESSION, secret, rank, size), settings, body);
    }

    static <T> List<Outcome<T>> run(int size, IntFunction<RingMember> memberOfRank, CollectiveSettings settings, RankBody<T> body) {
        List<RingListener> listeners = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(size);
        try {
            for (int r = 0; r < size; r++) {
                listeners.add(RingListener.open(InetAddress.getLoopbackAddress()));
                addresses.add(listeners.get(r).address());
            }
            List<Future<Outcome<T>>> futures = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                int rank = r;
                futures.add(pool.submit(() -> runRank(listeners.get(rank),
                        memberOfRank.apply(rank), addresses, settings, body)));
            }
            List<Outcome<T>> outcomes = new ArrayList<>();
            for (Future<Outcome<T>> f : futures) {
                outcomes.add(f.get(60, TimeUnit.SECONDS));
            }
            return outcomes;
        } catch (Exception e) {
            throw new AssertionError("ranks did not finish: " + e, e);
        } finally {
            listeners.forEach(RingListener::close);
            pool.shutdownNow();
        }
    }

    private static <T> Outcome<T> runRank(RingListener listener, RingMember member, List<String> addresses,
            CollectiveSettings settings, RankBody<T> body) {
        RingCollective ring;
        try {
            ring = listener.join(member, addresses, settings);
        } catch (Throwable e) {
            return new Outcome<>(member.rank(), null, e, 0);
        }
        long t0 = System.nanoTime();
        try (ring) {
            return new Outcome<>(member.rank(), body.run(ring), null, System.nanoTime() - t0);
        } catch (Throwable e) {
            return new Outcome<>(member.rank(), null, e, System.nanoTime() - t0);
        }
    }

    /** Every outcome's value, in rank order, failing on the first failed rank. */
    static <T> List<T> values(List<Outcome<T>> outcomes) {
        List<T> out = new ArrayList<>();
        for (Outcome<T> o : outcomes) {
            out.add(o.get());
        }
        return out;
    }
}

package org.recspark.serving;

import java.time.Duration;

/**
 * The scoring requests the endpoints have taken and not yet answered, and the gate that closes at
 * shutdown: a request that entered before {@link #drain} is answered, one that comes after is
 * refused (503 / UNAVAILABLE, so a load balancer retries it elsewhere). Thread-safe.
 */
final class InFlightRequests {
    private int count;
    private boolean draining;

    /** Takes a request; false when shutdown has begun and it must be refused. */
    synchronized boolean enter() {
        if (draining) {
            return false;
        }
        count++;
        return true;
    }

    /** The request taken by {@link #enter} has been answered. */
    synchronized void exit() {
        count--;
        if (count == 0) {
            notifyAll();
        }
    }

    synchronized int count() {
        return count;
    }

    /** Closes the gate and waits up to {@code timeout} for the requests taken to be answered; true when they were. */
    synchronized boolean drain(Duration timeout) throws InterruptedException {
        draining = true;
        long end = System.nanoTime() + timeout.toNanos();
        while (count > 0) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}

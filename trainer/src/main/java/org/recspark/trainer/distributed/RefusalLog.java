package org.recspark.trainer.distributed;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Which of a rank's refused connections reach the log. Anyone who can reach a rank's port can make
 * it refuse connections as fast as they can dial, so logging each one would let a stranger fill the
 * executors' disks: the first {@value #LOGGED_IN_FULL} refusals are logged one by one (a
 * misconfigured peer is then diagnosed from its own lines), the rest are counted and summarised
 * at most once per {@link #SUMMARY_INTERVAL}, and once more when the acceptor stops. Thread-safe.
 */
final class RefusalLog {
    static final int LOGGED_IN_FULL = 10;
    static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(10);

    private int total;
    private int unreported;
    private String lastUnreported;
    private long lastSummaryNanos;

    /**
     * Records one refusal at {@code nowNanos} ({@link System#nanoTime()}); returns the line to log,
     * if any: the refusal itself while few came, else a summary when one is due.
     */
    synchronized Optional<String> record(String refusal, long nowNanos) {
        total++;
        if (total <= LOGGED_IN_FULL) {
            lastSummaryNanos = nowNanos;
            return Optional.of(total == LOGGED_IN_FULL
                    ? refusal + " (further refusals are summarised every " + SUMMARY_INTERVAL.toSeconds() + " s)" : refusal);
        }
        unreported++;
        lastUnreported = refusal;
        return nowNanos - lastSummaryNanos >= SUMMARY_INTERVAL.toNanos() ? summary(nowNanos) : Optional.empty();
    }

    /** The summary of refusals not logged yet, if any; called when accepting stops. */
    synchronized Optional<String> flush(long nowNanos) {
        return unreported == 0 ? Optional.empty() : summary(nowNanos);
    }

    synchronized int total() {
        return total;
    }

    private Optional<String> summary(long nowNanos) {
        String line = String.format(Locale.ROOT, "refused %d more connection(s) in the last %.1f s (%d in all), the last: %s",
                unreported, (nowNanos - lastSummaryNanos) / 1e9, total, lastUnreported);
        unreported = 0;
        lastUnreported = null;
        lastSummaryNanos = nowNanos;
        return Optional.of(line);
    }
}

package org.recspark.trainer.data;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many decoded rows a stream holds at once (in its shuffle buffer, in batches being assembled,
 * queued or being trained on), and the most it held: the stream's memory bound, observable.
 * Thread-safe.
 */
public final class LiveRows {
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    void add(long rows) {
        long now = live.addAndGet(rows);
        peak.accumulateAndGet(now, Math::max);
    }

    void release(long rows) {
        live.addAndGet(-rows);
    }

    public long peak() {
        return peak.get();
    }
}

package org.recspark.features.behaviour;

/**
 * Exact event counts per type over several trailing windows, for one key, as time moves forward.
 * Events are kept as (second, type, count) buckets in a ring, so memory is bounded by the distinct
 * seconds in the longest window, not by the number of events, even for very active keys.
 *
 * <p>Use: {@link #add} events in non-decreasing time order, {@link #advanceTo}(t) once all events
 * before t are added, then {@link #count} gives the events in [t - w, t). Not thread-safe.
 */
final class WindowedCounts {
    private final long[] windows;
    private final int types;
    private final long[][] counts;
    private final long[] tail;
    private long[] seconds = new long[16];
    private int[] bucketType = new int[16];
    private long[] bucketCount = new long[16];
    private long head;
    private long first;
    private long lastAdded = Long.MIN_VALUE;

    WindowedCounts(long[] windows, int types) {
        this.windows = windows;
        this.types = types;
        this.counts = new long[windows.length][types];
        this.tail = new long[windows.length];
    }

    void add(long timestamp, int type) {
        if (timestamp < lastAdded) {
            throw new IllegalArgumentException("events must come in time order: " + timestamp + " after " + lastAdded);
        }
        lastAdded = timestamp;
        // One bucket per (second, type): look back over this second's buckets, at most one per type.
        for (long i = head - 1; i >= first && seconds[slot(i)] == timestamp; i--) {
            int s = slot(i);
            if (bucketType[s] == type) {
                bucketCount[s]++;
                for (long[] c : counts) {
                    c[type]++;
                }
                return;
            }
        }
        if (head - first == seconds.length) {
            grow();
        }
        int s = slot(head++);
        seconds[s] = timestamp;
        bucketType[s] = type;
        bucketCount[s] = 1;
        for (long[] c : counts) {
            c[type]++;
        }
    }

    /** Drops from each window the buckets older than t - w; t must not decrease. */
    void advanceTo(long t) {
        long oldestTail = head;
        for (int w = 0; w < windows.length; w++) {
            long from = t - windows[w];
            while (tail[w] < head && seconds[slot(tail[w])] < from) {
                int s = slot(tail[w]);
                counts[w][bucketType[s]] -= bucketCount[s];
                tail[w]++;
            }
            oldestTail = Math.min(oldestTail, tail[w]);
        }
        first = Math.max(first, oldestTail);
    }

    long count(int window, int type) {
        return counts[window][type];
    }

    /** Buckets held: the memory bound. */
    long buckets() {
        return head - first;
    }

    int types() {
        return types;
    }

    private int slot(long index) {
        return (int) (index % seconds.length);
    }

    private void grow() {
        int n = seconds.length;
        long[] s = new long[n * 2];
        int[] t = new int[n * 2];
        long[] c = new long[n * 2];
        for (long i = first; i < head; i++) {
            int from = (int) (i % n);
            int to = (int) (i % (n * 2));
            s[to] = seconds[from];
            t[to] = bucketType[from];
            c[to] = bucketCount[from];
        }
        seconds = s;
        bucketType = t;
        bucketCount = c;
    }
}

package org.recspark.trainer.distributed;

import java.util.Locale;

/**
 * Where a worker's step exchange spends its time, summed over steps, for the DEBUG log: waiting for the buckets
 * reduce-scattered during the backward pass, the last bucket's reduce-scatter, the all-gather of the updated
 * weights (which carries the sparse rows), the sparse rows' encoding and summing, and the sparse optimizer's update.
 */
final class ExchangeTimes {
    private long steps;
    private long overlappedWaitNanos;
    private long lastBucketNanos;
    private long allGatherNanos;
    private long sparseNanos;
    private long sparseUpdateNanos;
    private long overlappedBuckets;
    private long buckets;

    void add(long overlappedWait, long lastBucket, long allGather, long sparse, long sparseUpdate, int overlapped, int bucketCount) {
        steps++;
        overlappedWaitNanos += overlappedWait;
        lastBucketNanos += lastBucket;
        allGatherNanos += allGather;
        sparseNanos += sparse;
        sparseUpdateNanos += sparseUpdate;
        overlappedBuckets += overlapped;
        buckets += bucketCount;
    }

    @Override
    public String toString() {
        double n = Math.max(1, steps);
        return String.format(Locale.ROOT,
                "over %d steps, per step: waiting for the overlapped buckets %.0f us, remaining buckets %.0f us, all-gather %.0f us, "
                        + "sparse rows %.0f us, sparse update %.0f us; %.1f of %.1f buckets overlapped",
                steps, overlappedWaitNanos / n / 1e3, lastBucketNanos / n / 1e3, allGatherNanos / n / 1e3, sparseNanos / n / 1e3,
                sparseUpdateNanos / n / 1e3,
                overlappedBuckets / n, buckets / n);
    }
}

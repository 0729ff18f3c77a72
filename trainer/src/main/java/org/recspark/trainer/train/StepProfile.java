package org.recspark.trainer.train;

/**
 * Where training time goes, summed over steps: getting each batch from the training data (copying
 * rows held in memory, or waiting for a stream's decoding thread), preparing it (allocating
 * embedding rows), the shards' forward and backward passes (wall time, and within them the thread
 * time of embedding lookups), merging shard gradients, exchanging them with the other workers
 * and agreeing with them on whether to stop (data-parallel runs), and the optimizers' updates.
 */
public final class StepProfile {
    long dataNanos;
    long prepareNanos;
    long computeNanos;
    long computeThreadNanos;
    long embeddingThreadNanos;
    long mergeNanos;
    long syncNanos;
    long denseOptimizerNanos;
    long sparseOptimizerNanos;
    long steps;

    public long steps() {
        return steps;
    }

    /** Time spent getting batches: the trainer waited this long for its data. */
    public double dataSeconds() {
        return dataNanos / 1e9;
    }

    public double prepareSeconds() {
        return prepareNanos / 1e9;
    }

    public double computeSeconds() {
        return computeNanos / 1e9;
    }

    /** The embedding share of the shards' thread time. */
    public double embeddingFractionOfCompute() {
        return computeThreadNanos == 0 ? 0 : (double) embeddingThreadNanos / computeThreadNanos;
    }

    public double mergeSeconds() {
        return mergeNanos / 1e9;
    }

    /** Time in the workers' gradient exchange (0 in one process). */
    public double syncSeconds() {
        return syncNanos / 1e9;
    }

    public double denseOptimizerSeconds() {
        return denseOptimizerNanos / 1e9;
    }

    public double sparseOptimizerSeconds() {
        return sparseOptimizerNanos / 1e9;
    }

    public double totalSeconds() {
        return (dataNanos + prepareNanos + computeNanos + mergeNanos + syncNanos + denseOptimizerNanos + sparseOptimizerNanos) / 1e9;
    }

    @Override
    public String toString() {
        double total = totalSeconds();
        double compute = computeSeconds();
        double embedding = compute * embeddingFractionOfCompute();
        return String.format(java.util.Locale.ROOT,
                "%d steps in %.2f s: data %.0f%%, prepare %.0f%%, embedding fwd/bwd %.0f%%, dense fwd/bwd %.0f%%, merge %.0f%%, sync %.0f%%, dense optimizer %.0f%%, sparse optimizer %.0f%%",
                steps, total, 100 * dataSeconds() / total, 100 * prepareSeconds() / total, 100 * embedding / total, 100 * (compute - embedding) / total,
                100 * mergeSeconds() / total, 100 * syncSeconds() / total, 100 * denseOptimizerSeconds() / total,
                100 * sparseOptimizerSeconds() / total);
    }
}

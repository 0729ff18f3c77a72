package org.recspark.trainer.train;

import org.recspark.model.nn.Gradients;
import org.recspark.model.nn.ModelParameters;

/**
 * The data-parallel workers a {@link Trainer} trains with. Every worker holds its own partition
 * of the training rows and a full copy of the model; each step, every worker computes the
 * gradients of its share of the global batch and {@link #allReduce} replaces them by the sum over
 * workers, identical to the bit on every worker, so every worker applies the same update and the
 * copies never diverge. Every worker must make the same calls in the same order.
 */
public interface WorkerGroup {
    int rank();

    int size();

    /** Training rows of each worker's partition, by rank (the same array on every worker). */
    long[] partitionRows();

    /**
     * Replaces the local gradients with their sum over the workers (dense gradients, the rows of
     * every embedding table, which are allocated here when only other workers touched them) and
     * the batch-norm statistics with their mean over the workers that observed them; returns the
     * summed loss.
     */
    double allReduce(Gradients gradients, ModelParameters params, double localLoss);

    /** True on every worker when any worker passes true. */
    boolean anyOf(boolean value);

    /** Fails unless every worker passes the same value (weights' checksums after training). */
    void requireEqual(long value, String what);
}

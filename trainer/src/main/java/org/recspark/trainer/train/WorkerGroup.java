package org.recspark.trainer.train;

import org.recspark.model.nn.Gradients;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.recspark.trainer.optim.DenseOptimizer;
import org.recspark.trainer.optim.SparseOptimizer;

/**
 * The data-parallel workers a {@link Trainer} trains with. Every worker holds its own partition
 * of the training rows and a full copy of the model; each step, every worker computes the
 * gradients of its share of the global batch, and the step's {@link StepExchange} sums them over
 * the workers and applies the dense update so that every worker ends with the same weights, to the
 * bit, and the copies never diverge. Every worker must make the same calls in the same order.
 */
public interface WorkerGroup {
    int rank();

    int size();

    /** Training rows of each worker's partition, by rank (the same array on every worker). */
    long[] partitionRows();

    /** Starts one step's exchange; the trainer hands it gradients as the backward pass finishes them. */
    StepExchange startStep(ModelParameters params);

    /**
     * Makes the optimizers' state whole on every worker, for a checkpoint: when each worker updates
     * only its own slices of the parameters and its own embedding rows, only their state is current.
     */
    void gatherOptimizerState(DenseOptimizer dense, SparseOptimizer sparse, ModelParameters params);

    /** True on every worker when any worker passes true. */
    boolean anyOf(boolean value);

    /** Fails unless every worker passes the same value (weights' checksums after training). */
    void requireEqual(long value, String what);

    /** One step's exchange of gradients and the dense update, on every worker. */
    interface StepExchange {
        /**
         * The local gradient of {@code parameter} is final (the backward pass will not add to it):
         * the exchange may start summing it over the workers while the backward pass goes on.
         */
        void gradientFinished(Parameter parameter, float[] gradient);

        /**
         * Completes the step: sums the dense gradients (those not handed over yet are taken from
         * {@code gradients}) and the loss over the workers, clips the summed dense gradients to
         * {@code clipNorm} (when > 0) and applies {@code dense} to every trainable parameter; sums
         * the embedding gradients over the workers and applies one step of {@code sparse} to every
         * table (without advancing its step count), so every worker holds the updated weights and
         * tables (rows only other workers touched are allocated here); replaces the batch-norm
         * statistics in {@code gradients} with their means over the workers that observed them.
         * Returns the summed loss. The embedding gradients in {@code gradients} are spent.
         */
        double finish(Gradients gradients, double localLoss, DenseOptimizer dense, SparseOptimizer sparse, double clipNorm);

        /** Nanoseconds of the last {@link #finish} spent in the dense optimizer. */
        long denseUpdateNanos();

        /** Nanoseconds of the last {@link #finish} spent in the sparse optimizer. */
        long sparseUpdateNanos();
    }
}

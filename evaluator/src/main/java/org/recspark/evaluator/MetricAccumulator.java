package org.recspark.evaluator;

/**
 * A metric computed over (prediction, label) pairs seen one at a time, possibly in several
 * partitions: accumulators of the same metric {@link #merge} into one whose {@link #value()}
 * equals the single-pass value. Not thread-safe; use one per partition or thread.
 *
 * @param <T> the accumulator's own type, for {@link #merge}
 */
public interface MetricAccumulator<T extends MetricAccumulator<T>> {

    /** Adds one prediction and its label (0 or 1 for binary metrics). */
    void add(double prediction, double label);

    /** Folds another accumulator of the same metric into this one. */
    void merge(T other);

    /** Number of pairs added (including merged ones). */
    long count();

    /** The metric's value; NaN when it is undefined for the data seen (for example AUC without a positive). */
    double value();
}

package org.recspark.jobs.training;

import org.apache.spark.util.AccumulatorV2;
import org.recspark.trainer.eval.TrainingProgress;

/**
 * The latest {@link TrainingProgress} of a distributed run, carried from worker 0's task to the
 * driver by Spark: a running task's accumulators travel with each executor heartbeat, a finished
 * task's with its result. Only worker 0 adds, each snapshot replacing the one before; a merge keeps
 * the later of two.
 *
 * <p>The training thread adds while the executor's heartbeat thread reads (and, on a cluster,
 * serializes) the accumulator, so it holds one volatile reference to an immutable snapshot.
 */
final class TrainingProgressAccumulator extends AccumulatorV2<TrainingProgress, TrainingProgress> {
    private static final long serialVersionUID = 1L;
    private volatile TrainingProgress latest;

    @Override
    public boolean isZero() {
        return latest == null;
    }

    @Override
    public TrainingProgressAccumulator copy() {
        TrainingProgressAccumulator copy = new TrainingProgressAccumulator();
        copy.latest = latest;
        return copy;
    }

    @Override
    public void reset() {
        latest = null;
    }

    @Override
    public void add(TrainingProgress progress) {
        latest = progress;
    }

    @Override
    public void merge(AccumulatorV2<TrainingProgress, TrainingProgress> other) {
        latest = later(latest, other.value());
    }

    /** The latest snapshot, null before the first. */
    @Override
    public TrainingProgress value() {
        return latest;
    }

    private static TrainingProgress later(TrainingProgress a, TrainingProgress b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.step() > a.step() || (b.step() == a.step() && b.evaluationStep() >= a.evaluationStep()) ? b : a;
    }
}

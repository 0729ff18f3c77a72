package org.recspark.trainer.eval;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Where a training run stands, as its lead worker sees it after a step or an evaluation. Immutable
 * and serializable, so a snapshot can travel from the process that trains to one that reports (a
 * Spark executor to the driver). Counts are global: with a worker group, {@code samples} is every
 * worker's rows and the loss is the group's.
 *
 * <p>{@code run*} fields count from where this process started training, which is later than step
 * 0 when it resumed from a checkpoint; rates and the ETA come from them, so time spent before a
 * resume (or in a failed attempt) does not distort them. Seconds include periodic evaluations and
 * exports, so the ETA does too.
 *
 * @param step              the global steps done
 * @param plannedSteps      the step training ends at unless stopped early ({@link org.recspark.trainer.train.Trainer#plannedSteps})
 * @param epoch             the epoch being trained (0-based)
 * @param samples           the training samples seen up to {@code step}
 * @param runSteps          steps done by this process
 * @param runSamples        samples seen by this process
 * @param runSeconds        seconds since this process started training
 * @param runLossSum        the sum of the steps' mean losses over {@code runSteps}
 * @param evaluationStep    the step of the latest evaluation, -1 before the first
 * @param evaluationMetrics the latest evaluation's metrics by name, in the configured order; empty before the first
 */
public record TrainingProgress(long step, long plannedSteps, int epoch, long samples, long runSteps, long runSamples,
                               double runSeconds, double runLossSum, long evaluationStep, Map<String, Double> evaluationMetrics)
        implements Serializable {

    public TrainingProgress {
        evaluationMetrics = Collections.unmodifiableMap(new LinkedHashMap<>(evaluationMetrics));
    }

    /** Seconds until {@code plannedSteps} at this process's pace so far; empty before its first step. */
    public OptionalDouble etaSeconds() {
        if (runSteps == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.max(0, plannedSteps - step) * runSeconds / runSteps);
    }

    /**
     * Training samples per second since {@code earlier} when it is an earlier snapshot of the same
     * process, else (null, or another attempt) since this process started.
     */
    public double samplesPerSecondSince(TrainingProgress earlier) {
        if (follows(earlier)) {
            return (runSamples - earlier.runSamples) / (runSeconds - earlier.runSeconds);
        }
        return runSeconds > 0 ? runSamples / runSeconds : 0;
    }

    /** The mean step loss since {@code earlier} (as {@link #samplesPerSecondSince}); NaN without steps. */
    public double meanLossSince(TrainingProgress earlier) {
        if (follows(earlier) && runSteps > earlier.runSteps) {
            return (runLossSum - earlier.runLossSum) / (runSteps - earlier.runSteps);
        }
        return runSteps > 0 ? runLossSum / runSteps : Double.NaN;
    }

    /** True when {@code earlier} is an earlier snapshot of the same process (same start step, less done, less time). */
    public boolean follows(TrainingProgress earlier) {
        return earlier != null && step - runSteps == earlier.step - earlier.runSteps
                && runSteps >= earlier.runSteps && runSeconds > earlier.runSeconds;
    }
}

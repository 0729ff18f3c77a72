package org.recspark.hpo.stopping;

import java.util.Optional;
import org.recspark.config.proto.TrialStopping;
import org.recspark.hpo.Objective;

/** The stopping rule that {@code hpo_config.trial_stopping} names. */
public final class StoppingRules {
    private StoppingRules() {}

    /** Never stops a trial. */
    public static final StoppingRule NONE = (own, earlier) -> Optional.empty();

    /**
     * @param firstEvaluationExamples the examples seen at the base config's first evaluation (ASHA's first rung)
     */
    public static StoppingRule create(TrialStopping kind, Objective objective, long firstEvaluationExamples) {
        return switch (kind) {
            case NO_STOPPING -> NONE;
            case MEDIAN -> new MedianStoppingRule(objective);
            case ASHA -> new AshaStoppingRule(objective, Math.max(1, firstEvaluationExamples), AshaStoppingRule.DEFAULT_ETA);
        };
    }
}

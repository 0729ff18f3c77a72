package org.recspark.hpo.stopping;

import java.util.List;
import java.util.Optional;

/**
 * Decides after each evaluation of a trial whether to stop it early, from its own learning curve and
 * those of earlier trials. Which earlier trials a rule sees is the search's choice (see
 * {@code HyperParameterSearch}: the ones finished before the trial started, which keeps decisions
 * reproducible). Implementations are immutable and thread-safe.
 */
public interface StoppingRule {
    /**
     * @param own     the trial's evaluations so far, the newest last
     * @param earlier the curves of the earlier trials the search shows it
     * @return why the trial should stop, or empty to go on
     */
    Optional<String> check(LearningCurve own, List<LearningCurve> earlier);
}

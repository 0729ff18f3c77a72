package org.recspark.hpo.trial;

import org.recspark.hpo.stopping.LearningCurve;

/**
 * What a trial produced.
 *
 * @param objective  the best value of the objective metric over the trial's evaluations; NaN when failed
 * @param curve      the objective at each evaluation
 * @param steps      training steps run
 * @param seconds    wall time of the trial, data preparation included
 * @param stopReason why training ended (the run's own words), or null when it failed
 * @param error      why it failed, or null
 * @param runDir     the trial's run directory
 */
public record TrialOutcome(TrialStatus status, double objective, LearningCurve curve, long steps, double seconds, String stopReason,
                           String error, String runDir) {

    /**
     * The error text of a failed trial: a config problem as its violations ("path: message; ..."),
     * anything else as its type and message.
     */
    public static String errorOf(RuntimeException e) {
        if (e instanceof org.recspark.config.ConfigException c) {
            return String.join("; ", c.violations().stream().map(Object::toString).toList());
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    public static TrialOutcome failed(String error, LearningCurve curve, double seconds, String runDir) {
        return new TrialOutcome(TrialStatus.FAILED, Double.NaN, curve, 0, seconds, null, error, runDir);
    }
}

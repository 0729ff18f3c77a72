package org.recspark.evaluator.drift;

import java.util.Locale;

/**
 * The outcome of one guard of a daily run on one quantity.
 *
 * @param guard   the guard, named like its config field ("positive_rate", "psi", "missing_rate", "auc_drop")
 * @param feature the feature the value is about, or null for a guard on the whole day
 * @param value   the measured value (a rate, a PSI, a change of rate, an AUC drop)
 * @param limit   the configured bound the value was held to
 * @param detail  the values behind the measure, for the report and the log
 */
public record GuardCheck(String guard, String feature, double value, double limit, boolean passed, String detail) {

    /** One readable line: what was checked, the value against its bound, and why. */
    public String describe() {
        return String.format(Locale.ROOT, "%s guard %s%s: %.6g (limit %.6g); %s", guard, passed ? "passed" : "FAILED",
                feature == null ? "" : " on feature '" + feature + "'", value, limit, detail);
    }
}

package org.recspark.evaluator.drift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The guards of a daily run as plain functions of counts and values, so each decision can be tested
 * by hand: the day's positive rate within bounds, each feature's drift (PSI and the change of its
 * missing-value rate) against a reference day, and the new model's AUC against the previous
 * model's on the same rows.
 */
public final class DailyGuardChecks {
    private DailyGuardChecks() {}

    /** The positive rate {@code positives / rows} within [min, max]; a day without rows fails. */
    public static GuardCheck positiveRate(long positives, long rows, double min, double max) {
        if (rows == 0) {
            return new GuardCheck("positive_rate", null, Double.NaN, min, false, "the day has no samples");
        }
        double rate = (double) positives / rows;
        boolean passed = rate >= min && rate <= max;
        double limit = rate < min ? min : max;
        return new GuardCheck("positive_rate", null, rate, limit, passed, String.format(Locale.ROOT,
                "%d positives of %d samples, allowed rate [%s, %s]", positives, rows, min, max));
    }

    /**
     * PSI of the feature's values binned on the reference (quantile bins for numbers, top values and
     * "other" for ids), then the change of its missing-value rate. PSI is left out when either day
     * has no value of the feature at all: the missing-rate check is what catches that.
     */
    public static List<GuardCheck> drift(FeatureValues reference, FeatureValues current, int numericBins, int topValues,
                                         double maxPsi, double maxMissingRateChange) {
        if (reference.isNumeric() != current.isNumeric()) {
            throw new IllegalArgumentException("feature '" + reference.feature() + "' is "
                    + (reference.isNumeric() ? "dense" : "sparse") + " on the reference day and not on the current one");
        }
        Optional<BinnedCounts> binned = Optional.empty();
        if (reference.hasValues() && current.hasValues()) {
            if (reference.isNumeric()) {
                QuantileBins q = QuantileBins.fromReference(reference.numeric(), numericBins);
                binned = Optional.of(new BinnedCounts(q.describe(), q.counts(reference.numeric()), q.counts(current.numeric())));
            } else {
                TopValueBins t = TopValueBins.fromReference(reference.ids(), topValues);
                binned = Optional.of(new BinnedCounts(t.describe(), t.counts(reference.ids()), t.counts(current.ids())));
            }
        }
        return drift(reference.feature(), new MissingCounts(reference.rows(), reference.missingRows()),
                new MissingCounts(current.rows(), current.missingRows()), binned, maxPsi, maxMissingRateChange);
    }

    /**
     * The same checks from counts alone (what a distributed job aggregates): the feature's values
     * counted in bins cut on the reference, when both days have values, and its missing rows.
     */
    public static List<GuardCheck> drift(String feature, MissingCounts reference, MissingCounts current, Optional<BinnedCounts> binned,
                                         double maxPsi, double maxMissingRateChange) {
        List<GuardCheck> checks = new ArrayList<>();
        if (binned.isPresent()) {
            long[] r = binned.get().reference();
            long[] c = binned.get().current();
            double psi = PopulationStabilityIndex.of(r, c);
            checks.add(new GuardCheck("psi", feature, psi, maxPsi, psi <= maxPsi,
                    binned.get().bins() + ", reference proportions " + proportions(r) + ", current " + proportions(c)));
        }
        double change = Math.abs(current.missingRate() - reference.missingRate());
        checks.add(new GuardCheck("missing_rate", feature, change, maxMissingRateChange, change <= maxMissingRateChange,
                String.format(Locale.ROOT, "missing in %.4f of the reference rows (%d of %d), %.4f of the current rows (%d of %d)",
                        reference.missingRate(), reference.missingRows(), reference.rows(),
                        current.missingRate(), current.missingRows(), current.rows())));
        return checks;
    }

    /** A feature's rows and the rows among them without a value, on one day. */
    public record MissingCounts(long rows, long missingRows) {
        /** The fraction of rows without a value; 0 for no rows. */
        public double missingRate() {
            return rows == 0 ? 0 : (double) missingRows / rows;
        }
    }

    /**
     * A feature's values counted in the same bins on both days.
     *
     * @param bins how the bins were cut, for the report ({@link QuantileBins#describe}, {@link TopValueBins#describe})
     */
    public record BinnedCounts(String bins, long[] reference, long[] current) {}

    /** The new model's AUC at most {@code maxDrop} below the previous model's, both on the same held-out rows. */
    public static GuardCheck aucDrop(String metric, double previousAuc, double newAuc, double maxDrop) {
        double drop = previousAuc - newAuc;
        return new GuardCheck("auc_drop", null, drop, maxDrop, drop <= maxDrop, String.format(Locale.ROOT,
                "%s of the new model %.5f, of the previous model %.5f on the same held-out rows", metric, newAuc, previousAuc));
    }

    private static String proportions(long[] counts) {
        long total = Arrays.stream(counts).sum();
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < counts.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", (double) counts[i] / total));
        }
        return sb.append(']').toString();
    }
}

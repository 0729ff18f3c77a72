package org.recspark.evaluator.drift;

/**
 * The population stability index of a distribution against a reference, both given as counts over
 * the same bins: {@code sum_i (c_i - r_i) * ln(c_i / r_i)} over the bins' proportions. It is 0 for
 * identical distributions and grows with the shift; 0.1 and 0.25 are the usual "watch" and "act"
 * levels (Siddiqi, "Credit Risk Scorecards", 2006).
 */
public final class PopulationStabilityIndex {
    /**
     * Proportion given to an empty bin, so that a bin present on one side only adds a large but
     * finite term instead of an infinite one.
     */
    public static final double EMPTY_BIN_PROPORTION = 1e-4;

    private PopulationStabilityIndex() {}

    public static double of(long[] reference, long[] current) {
        if (reference.length != current.length) {
            throw new IllegalArgumentException("reference has " + reference.length + " bins, current " + current.length);
        }
        double referenceTotal = total(reference, "reference");
        double currentTotal = total(current, "current");
        double psi = 0;
        for (int i = 0; i < reference.length; i++) {
            double r = Math.max(EMPTY_BIN_PROPORTION, reference[i] / referenceTotal);
            double c = Math.max(EMPTY_BIN_PROPORTION, current[i] / currentTotal);
            psi += (c - r) * Math.log(c / r);
        }
        return psi;
    }

    private static long total(long[] counts, String side) {
        long total = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException(side + " has a negative count " + c);
            }
            total += c;
        }
        if (total == 0) {
            throw new IllegalArgumentException(side + " has no values in any bin");
        }
        return total;
    }
}

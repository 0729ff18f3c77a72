package org.recspark.evaluator.drift;

import java.util.Arrays;

/**
 * Bins for a numeric distribution cut at a reference sample's quantiles: the edges are the distinct
 * k/bins-quantiles (k = 1 .. bins - 1; the smallest value with at least that fraction of the sample
 * at or below it, sorted position {@code ceil(k * n / bins) - 1}), and a value falls in bin "number of
 * edges below it", so each edge closes its bin. Tied quantiles collapse into one edge: a feature that
 * is mostly 0 gets a bin "0" and bins above it, not empty ones. NaN is a missing value and belongs to
 * no bin. Immutable.
 */
public final class QuantileBins {
    private final double[] edges;

    private QuantileBins(double[] edges) {
        this.edges = edges;
    }

    /** Edges from the reference's non-missing values; at least one is required. */
    public static QuantileBins fromReference(double[] reference, int bins) {
        double[] sorted = Arrays.stream(reference).filter(v -> !Double.isNaN(v)).sorted().toArray();
        long[] positions = positions(sorted.length, bins);
        double[] quantiles = new double[positions.length];
        for (int k = 0; k < positions.length; k++) {
            quantiles[k] = sorted[(int) positions[k]];
        }
        return fromQuantiles(quantiles);
    }

    /**
     * Where the k/bins-quantiles (k = 1 .. bins - 1) of {@code n} sorted non-missing values sit:
     * what a distributed sort must pick to cut the same bins as {@link #fromReference}.
     */
    public static long[] positions(long n, int bins) {
        if (bins < 2) {
            throw new IllegalArgumentException("bins must be >= 2, got " + bins);
        }
        if (n == 0) {
            throw new IllegalArgumentException("the reference has no non-missing values");
        }
        long[] positions = new long[bins - 1];
        for (int k = 1; k < bins; k++) {
            positions[k - 1] = (k * n + bins - 1) / bins - 1;
        }
        return positions;
    }

    /** Bins from the values at {@link #positions} of the sorted reference, in order; tied values collapse into one edge. */
    public static QuantileBins fromQuantiles(double[] quantiles) {
        double[] edges = new double[quantiles.length];
        int distinct = 0;
        for (double edge : quantiles) {
            if (distinct == 0 || edge > edges[distinct - 1]) {
                edges[distinct++] = edge;
            }
        }
        return new QuantileBins(Arrays.copyOf(edges, distinct));
    }

    public int numBins() {
        return edges.length + 1;
    }

    public double[] edges() {
        return edges.clone();
    }

    /** The bins as a guard's report names them. */
    public String describe() {
        return "quantile edges " + Arrays.toString(edges);
    }

    /** Non-missing values per bin. */
    public long[] counts(double[] values) {
        long[] counts = new long[numBins()];
        for (double v : values) {
            if (!Double.isNaN(v)) {
                counts[bin(v)]++;
            }
        }
        return counts;
    }

    /** The bin of a non-missing value. */
    public int bin(double v) {
        int i = Arrays.binarySearch(edges, v);
        // an exact edge has i edges below it; otherwise the insertion point counts them
        return i >= 0 ? i : -i - 1;
    }
}

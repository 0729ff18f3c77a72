package org.recspark.evaluator.drift;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * Bins for a categorical distribution: one bin per most frequent value of a reference sample (ties
 * by the smaller value, so the bins do not depend on input order), and a last bin for every other
 * value, unseen ones included. Immutable.
 */
public final class TopValueBins {
    private final Map<Long, Integer> binOf;
    private final long[] values;

    private TopValueBins(long[] values) {
        this.values = values;
        this.binOf = new HashMap<>();
        for (int i = 0; i < values.length; i++) {
            binOf.put(values[i], i);
        }
    }

    /** Bins of the given values, most frequent first (chosen elsewhere, by the rule of {@link #fromReference}). */
    public static TopValueBins of(long[] topValues) {
        return new TopValueBins(topValues.clone());
    }

    public static TopValueBins fromReference(long[] reference, int top) {
        if (top < 1) {
            throw new IllegalArgumentException("top must be >= 1, got " + top);
        }
        Map<Long, Long> frequency = new HashMap<>();
        for (long v : reference) {
            frequency.merge(v, 1L, Long::sum);
        }
        long[] chosen = frequency.entrySet().stream()
                .sorted(Comparator.<Map.Entry<Long, Long>>comparingLong(Map.Entry::getValue).reversed()
                        .thenComparingLong(Map.Entry::getKey))
                .limit(top).mapToLong(Map.Entry::getKey).toArray();
        return new TopValueBins(chosen);
    }

    /** The top values, most frequent first; the last bin, "other", follows them. */
    public long[] values() {
        return values.clone();
    }

    public int numBins() {
        return values.length + 1;
    }

    public long[] counts(long[] observed) {
        long[] counts = new long[numBins()];
        for (long v : observed) {
            counts[bin(v)]++;
        }
        return counts;
    }

    public int bin(long value) {
        return binOf.getOrDefault(value, values.length);
    }

    /** The bins as a guard's report names them. */
    public String describe() {
        return "bins " + this;
    }

    @Override
    public String toString() {
        return "top " + Arrays.toString(values) + " + other";
    }
}

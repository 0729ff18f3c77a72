package org.recspark.evaluator;

import java.util.Arrays;

/**
 * Exact area under the ROC curve: the Mann-Whitney statistic, the probability that a random
 * positive scores above a random negative, ties counting one half. Keeps every score (exactness
 * needs them), sorted once in {@link #value()}: O(n log n) time, O(n) memory.
 */
public final class AucAccumulator implements MetricAccumulator<AucAccumulator> {
    private double[] scores = new double[1024];
    private boolean[] positive = new boolean[1024];
    private int size;

    @Override
    public void add(double prediction, double label) {
        BinaryLabels.requireFinite(prediction);
        boolean pos = BinaryLabels.isPositive(label);
        if (size == scores.length) {
            scores = Arrays.copyOf(scores, size * 2);
            positive = Arrays.copyOf(positive, size * 2);
        }
        scores[size] = prediction;
        positive[size] = pos;
        size++;
    }

    @Override
    public void merge(AucAccumulator other) {
        for (int i = 0; i < other.size; i++) {
            add(other.scores[i], other.positive[i] ? 1 : 0);
        }
    }

    @Override
    public long count() {
        return size;
    }

    @Override
    public double value() {
        return auc(scores, positive, size);
    }

    /** AUC of the first {@code n} pairs; NaN unless both classes are present. */
    static double auc(double[] scores, boolean[] positive, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        long positives = 0;
        double rankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            int tiedPositives = 0;
            while (j < n && scores[order[j]] == scores[order[i]]) {
                if (positive[order[j]]) {
                    tiedPositives++;
                }
                j++;
            }
            // Ranks i+1 .. j share their average.
            rankSum += tiedPositives * ((i + 1 + j) / 2.0);
            positives += tiedPositives;
            i = j;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }
}

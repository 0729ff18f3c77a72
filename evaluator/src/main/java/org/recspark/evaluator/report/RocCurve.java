package org.recspark.evaluator.report;

import java.util.Arrays;

/**
 * The exact ROC curve of scores against binary labels: one point per distinct score, from (0, 0)
 * to (1, 1). Lowering the threshold past a score moves every example with that score to the
 * positive side at once, so tied scores make one (possibly diagonal) step, and {@link #area()}
 * equals the AUC with ties counting one half ({@link org.recspark.evaluator.AucAccumulator}).
 * Immutable.
 */
public final class RocCurve {
    private final double[] thresholds;
    private final double[] falsePositiveRates;
    private final double[] truePositiveRates;
    private final long positives;
    private final long negatives;
    private final double area;

    private RocCurve(double[] thresholds, double[] fpr, double[] tpr, long positives, long negatives, double area) {
        this.thresholds = thresholds;
        this.falsePositiveRates = fpr;
        this.truePositiveRates = tpr;
        this.positives = positives;
        this.negatives = negatives;
        this.area = area;
    }

    /**
     * The curve of {@code scores} (finite; higher means more likely positive) against
     * {@code labels} (0 or 1), which must contain both classes. O(n log n).
     */
    public static RocCurve of(double[] scores, double[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException("scores and labels must have the same length, got "
                    + scores.length + " scores and " + labels.length + " labels");
        }
        int n = scores.length;
        long positives = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("scores must be finite numbers, got " + scores[i] + " at index " + i);
            }
            if (labels[i] == 1.0) {
                positives++;
            } else if (labels[i] != 0.0) {
                throw new IllegalArgumentException("ROC curve needs labels 0 or 1, got " + labels[i] + " at index " + i);
            }
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("ROC curve needs both classes, got " + positives + " positives and "
                    + negatives + " negatives");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));

        double[] thresholds = new double[n + 1];
        double[] fpr = new double[n + 1];
        double[] tpr = new double[n + 1];
        thresholds[0] = Double.POSITIVE_INFINITY;
        int points = 1;
        long tp = 0;
        long fp = 0;
        // Twice the area in units of one positive x one negative: integers, exact up to 2^53.
        double doubledArea = 0;
        int i = 0;
        while (i < n) {
            double score = scores[order[i]];
            long groupTp = 0;
            long groupFp = 0;
            while (i < n && scores[order[i]] == score) {
                if (labels[order[i]] == 1.0) {
                    groupTp++;
                } else {
                    groupFp++;
                }
                i++;
            }
            doubledArea += (double) groupFp * (2 * tp + groupTp);
            tp += groupTp;
            fp += groupFp;
            thresholds[points] = score;
            fpr[points] = (double) fp / negatives;
            tpr[points] = (double) tp / positives;
            points++;
        }
        return new RocCurve(Arrays.copyOf(thresholds, points), Arrays.copyOf(fpr, points), Arrays.copyOf(tpr, points),
                positives, negatives, doubledArea / 2 / ((double) positives * negatives));
    }

    /** Number of points, distinct scores plus one. */
    public int size() {
        return thresholds.length;
    }

    /**
     * Point {@code i}'s threshold: examples scoring at least this are called positive. The first
     * point's is +infinity (nothing positive), the last is the lowest score (everything positive).
     */
    public double[] thresholds() {
        return thresholds.clone();
    }

    /** False positive rate of each point, non-decreasing from 0 to 1. */
    public double[] falsePositiveRates() {
        return falsePositiveRates.clone();
    }

    /** True positive rate (recall) of each point, non-decreasing from 0 to 1. */
    public double[] truePositiveRates() {
        return truePositiveRates.clone();
    }

    public long positives() {
        return positives;
    }

    public long negatives() {
        return negatives;
    }

    /** Area under the curve by the trapezoid rule: the AUC, ties counting one half. */
    public double area() {
        return area;
    }
}

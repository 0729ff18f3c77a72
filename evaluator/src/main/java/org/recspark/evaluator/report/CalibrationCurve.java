package org.recspark.evaluator.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reliability-diagram data: predicted probabilities cut into equal-width bins over [0, 1], each
 * bin's mean prediction against its observed positive rate, and the expected calibration error.
 * Bin {@code k} of {@code B} holds predictions in [k/B, (k+1)/B), the last one also 1. Immutable.
 */
public final class CalibrationCurve {
    /** The bin count of {@link #of(double[], double[])}. */
    public static final int DEFAULT_BINS = 10;

    /**
     * One bin; an empty bin has count 0 and NaN means.
     *
     * @param lower the bin's lowest prediction (inclusive)
     * @param upper the bin's upper edge (exclusive, except 1 for the last bin)
     */
    public record Bin(double lower, double upper, long count, double meanPrediction, double observedRate) {}

    private final List<Bin> bins;
    private final long count;
    private final double expectedCalibrationError;

    private CalibrationCurve(List<Bin> bins, long count, double expectedCalibrationError) {
        this.bins = bins;
        this.count = count;
        this.expectedCalibrationError = expectedCalibrationError;
    }

    /** The curve over {@value #DEFAULT_BINS} bins. */
    public static CalibrationCurve of(double[] predictions, double[] labels) {
        return of(predictions, labels, DEFAULT_BINS);
    }

    /**
     * The curve of {@code predictions} (probabilities in [0, 1]) against {@code labels} (0 or 1)
     * over {@code binCount} bins; at least one prediction is needed.
     */
    public static CalibrationCurve of(double[] predictions, double[] labels, int binCount) {
        if (binCount < 1) {
            throw new IllegalArgumentException("calibration curve needs at least 1 bin, got " + binCount);
        }
        if (predictions.length != labels.length) {
            throw new IllegalArgumentException("predictions and labels must have the same length, got "
                    + predictions.length + " predictions and " + labels.length + " labels");
        }
        if (predictions.length == 0) {
            throw new IllegalArgumentException("calibration curve needs at least one prediction, got none");
        }
        long[] counts = new long[binCount];
        double[] predictionSums = new double[binCount];
        long[] positives = new long[binCount];
        for (int i = 0; i < predictions.length; i++) {
            double p = predictions[i];
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("predictions must be probabilities in [0, 1], got " + p + " at index " + i);
            }
            if (labels[i] != 0.0 && labels[i] != 1.0) {
                throw new IllegalArgumentException("calibration curve needs labels 0 or 1, got " + labels[i] + " at index " + i);
            }
            int bin = Math.min((int) (p * binCount), binCount - 1);
            // p * B can round across an edge (1/49 * 49 < 1): settle against the edges reported, k / B.
            if (bin + 1 < binCount && p >= (double) (bin + 1) / binCount) {
                bin++;
            } else if (p < (double) bin / binCount) {
                bin--;
            }
            counts[bin]++;
            predictionSums[bin] += p;
            if (labels[i] == 1.0) {
                positives[bin]++;
            }
        }
        List<Bin> bins = new ArrayList<>(binCount);
        double weightedGap = 0;
        for (int k = 0; k < binCount; k++) {
            double meanPrediction = counts[k] == 0 ? Double.NaN : predictionSums[k] / counts[k];
            double observedRate = counts[k] == 0 ? Double.NaN : (double) positives[k] / counts[k];
            bins.add(new Bin((double) k / binCount, (double) (k + 1) / binCount, counts[k], meanPrediction, observedRate));
            if (counts[k] > 0) {
                weightedGap += counts[k] * Math.abs(meanPrediction - observedRate);
            }
        }
        return new CalibrationCurve(Collections.unmodifiableList(bins), predictions.length, weightedGap / predictions.length);
    }

    /** Every bin in order of prediction, empty ones included. */
    public List<Bin> bins() {
        return bins;
    }

    /** Number of predictions. */
    public long count() {
        return count;
    }

    /** ECE: the mean over bins of |mean prediction - observed rate|, weighted by the bins' counts. */
    public double expectedCalibrationError() {
        return expectedCalibrationError;
    }
}

package org.recspark.evaluator;

/** Precision and recall of "prediction >= threshold" as the positive decision. */
public final class PrecisionRecallAccumulator implements MetricAccumulator<PrecisionRecallAccumulator> {
    private final double threshold;
    private long truePositives;
    private long falsePositives;
    private long falseNegatives;
    private long count;

    public PrecisionRecallAccumulator(double threshold) {
        this.threshold = threshold;
    }

    @Override
    public void add(double prediction, double label) {
        BinaryLabels.requireFinite(prediction);
        boolean predicted = prediction >= threshold;
        boolean actual = BinaryLabels.isPositive(label);
        if (predicted && actual) {
            truePositives++;
        } else if (predicted) {
            falsePositives++;
        } else if (actual) {
            falseNegatives++;
        }
        count++;
    }

    @Override
    public void merge(PrecisionRecallAccumulator other) {
        if (other.threshold != threshold) {
            throw new IllegalArgumentException("cannot merge thresholds " + threshold + " and " + other.threshold);
        }
        truePositives += other.truePositives;
        falsePositives += other.falsePositives;
        falseNegatives += other.falseNegatives;
        count += other.count;
    }

    @Override
    public long count() {
        return count;
    }

    /** The precision. */
    @Override
    public double value() {
        return precision();
    }

    /** NaN when nothing was predicted positive. */
    public double precision() {
        long predicted = truePositives + falsePositives;
        return predicted == 0 ? Double.NaN : (double) truePositives / predicted;
    }

    /** NaN when no label is positive. */
    public double recall() {
        long actual = truePositives + falseNegatives;
        return actual == 0 ? Double.NaN : (double) truePositives / actual;
    }
}

package org.recspark.evaluator;

/**
 * Mean binary cross-entropy of probabilities; predictions are clipped to [1e-15, 1 - 1e-15] so a
 * confident mistake costs about 34.5 rather than infinity (the convention of scikit-learn and TF).
 */
public final class LogLossAccumulator implements MetricAccumulator<LogLossAccumulator> {
    static final double EPSILON = 1e-15;
    private double sum;
    private long count;

    @Override
    public void add(double prediction, double label) {
        BinaryLabels.requireFinite(prediction);
        if (prediction < 0 || prediction > 1) {
            throw new IllegalArgumentException("logloss needs probabilities in [0, 1], got " + prediction);
        }
        double p = Math.min(1 - EPSILON, Math.max(EPSILON, prediction));
        sum -= BinaryLabels.isPositive(label) ? Math.log(p) : Math.log(1 - p);
        count++;
    }

    @Override
    public void merge(LogLossAccumulator other) {
        sum += other.sum;
        count += other.count;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public double value() {
        return count == 0 ? Double.NaN : sum / count;
    }
}

package org.recspark.evaluator;

/** Mean squared error, its root, and mean absolute error, from one pass. */
public final class RegressionErrors implements MetricAccumulator<RegressionErrors> {
    private double squared;
    private double absolute;
    private long count;

    @Override
    public void add(double prediction, double label) {
        BinaryLabels.requireFinite(prediction);
        double e = prediction - label;
        squared += e * e;
        absolute += Math.abs(e);
        count++;
    }

    @Override
    public void merge(RegressionErrors other) {
        squared += other.squared;
        absolute += other.absolute;
        count += other.count;
    }

    @Override
    public long count() {
        return count;
    }

    /** The mean squared error. */
    @Override
    public double value() {
        return mse();
    }

    public double mse() {
        return count == 0 ? Double.NaN : squared / count;
    }

    public double rmse() {
        return Math.sqrt(mse());
    }

    public double mae() {
        return count == 0 ? Double.NaN : absolute / count;
    }
}

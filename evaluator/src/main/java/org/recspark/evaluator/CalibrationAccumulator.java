package org.recspark.evaluator;

/** Mean prediction divided by mean label: 1 when predicted and observed rates agree. */
public final class CalibrationAccumulator implements MetricAccumulator<CalibrationAccumulator> {
    private double predictions;
    private double labels;
    private long count;

    @Override
    public void add(double prediction, double label) {
        BinaryLabels.requireFinite(prediction);
        predictions += prediction;
        labels += label;
        count++;
    }

    @Override
    public void merge(CalibrationAccumulator other) {
        predictions += other.predictions;
        labels += other.labels;
        count += other.count;
    }

    @Override
    public long count() {
        return count;
    }

    /** NaN when no label is positive. */
    @Override
    public double value() {
        return labels == 0 ? Double.NaN : predictions / labels;
    }
}

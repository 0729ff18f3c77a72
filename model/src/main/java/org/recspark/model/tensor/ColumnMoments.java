package org.recspark.model.tensor;

/**
 * Per-column mean and (population) variance of a row-major batch, in double precision: the batch
 * statistics that batch normalisation and DICE normalise with and report to their running averages.
 */
record ColumnMoments(double[] mean, double[] variance) {

    /** The moments of the {@code cols} columns of {@code rows} rows of {@code x}; rows must be > 0. */
    static ColumnMoments of(float[] x, int rows, int cols) {
        double[] mean = new double[cols];
        double[] var = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                mean[j] += x[r * cols + j];
            }
        }
        for (int j = 0; j < cols; j++) {
            mean[j] /= rows;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                double d = x[r * cols + j] - mean[j];
                var[j] += d * d;
            }
        }
        for (int j = 0; j < cols; j++) {
            var[j] /= rows;
        }
        return new ColumnMoments(mean, var);
    }

    /**
     * Writes the mean and the unbiased variance (the running averages' inputs, as in PyTorch) of each
     * column; a single row's variance stays the population one (0).
     */
    void report(float[] batchMean, float[] batchVar, int rows) {
        for (int j = 0; j < mean.length; j++) {
            batchMean[j] = (float) mean[j];
            batchVar[j] = (float) (rows > 1 ? variance[j] * rows / (rows - 1) : variance[j]);
        }
    }
}

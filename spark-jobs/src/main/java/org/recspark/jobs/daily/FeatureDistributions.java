package org.recspark.jobs.daily;

import org.recspark.evaluator.drift.FeatureValues;
import org.recspark.features.FeatureSpec;
import org.recspark.trainer.data.Examples;
import org.recspark.trainer.data.SparseValues;

/**
 * One feature's values of a day's examples, as the drift guards read them. A sparse feature's row
 * is missing when it has no id (what the feature jar writes for a missing input without a
 * default_value); a dense feature's row when every component is NaN, since the feature jar
 * replaces a missing number by its default_value before the samples are written.
 */
final class FeatureDistributions {
    private FeatureDistributions() {}

    static FeatureValues of(Examples examples, String feature) {
        int f = examples.schema().index(feature);
        FeatureSpec spec = examples.schema().features().get(f);
        int rows = examples.numRows();
        if (spec.sparse()) {
            SparseValues values = examples.sparse(f);
            int missing = 0;
            for (int r = 0; r < rows; r++) {
                if (values.start(r) == values.end(r)) {
                    missing++;
                }
            }
            return FeatureValues.ids(feature, rows, missing, values.ids());
        }
        float[] dense = examples.dense(f);
        int dim = spec.denseDim();
        double[] numeric = new double[dense.length];
        int missing = 0;
        for (int r = 0; r < rows; r++) {
            boolean allNaN = true;
            for (int k = 0; k < dim; k++) {
                numeric[r * dim + k] = dense[r * dim + k];
                allNaN &= Float.isNaN(dense[r * dim + k]);
            }
            if (allNaN) {
                missing++;
            }
        }
        return FeatureValues.numeric(feature, rows, missing, numeric);
    }
}

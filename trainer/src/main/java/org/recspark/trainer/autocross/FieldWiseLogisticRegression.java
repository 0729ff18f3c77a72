package org.recspark.trainer.autocross;

import java.util.ArrayList;
import java.util.List;

/**
 * A logistic regression over categorical columns (a weight per value of each column plus a bias),
 * fitted by backfitting: each column's weights are refitted in turn with the other columns' logits
 * held fixed as an offset. With the offset fixed, one column's weights decouple per value, so each
 * is a one-dimensional L2-regularised Newton solve over the rows holding that value; no learning
 * rate to tune. Scoring a candidate with the current model held fixed is AutoCross's field-wise LR
 * (Luo et al., "AutoCross: Automatic Feature Crossing for Tabular Data in Real-World
 * Applications", KDD 2019). Immutable: {@link #with} returns a new model.
 */
final class FieldWiseLogisticRegression {
    private static final int NEWTON_STEPS = 8;
    private static final double MAX_WEIGHT = 20;

    private final List<CrossColumn> columns;
    private final List<double[]> weights;
    private final double[] trainLogits;
    private final double[] validationLogits;

    private FieldWiseLogisticRegression(List<CrossColumn> columns, List<double[]> weights, double[] trainLogits, double[] validationLogits) {
        this.columns = columns;
        this.weights = weights;
        this.trainLogits = trainLogits;
        this.validationLogits = validationLogits;
    }

    /** The bias alone: every row's logit is the log-odds of the training labels' mean. */
    static FieldWiseLogisticRegression bias(float[] trainLabels, int validationRows) {
        double mean = 0;
        for (float y : trainLabels) {
            mean += y;
        }
        mean = Math.min(Math.max(mean / trainLabels.length, 1e-6), 1 - 1e-6);
        double logit = Math.log(mean / (1 - mean));
        double[] train = new double[trainLabels.length];
        double[] validation = new double[validationRows];
        java.util.Arrays.fill(train, logit);
        java.util.Arrays.fill(validation, logit);
        return new FieldWiseLogisticRegression(List.of(), List.of(), train, validation);
    }

    /** This model plus a column, fitted with the others fixed, then {@code sweeps} backfitting passes over all columns. */
    FieldWiseLogisticRegression with(CrossColumn column, float[] trainLabels, double l2, int sweeps) {
        List<CrossColumn> cols = new ArrayList<>(columns);
        List<double[]> ws = new ArrayList<>();
        weights.forEach(w -> ws.add(w.clone()));
        double[] train = trainLogits.clone();
        double[] validation = validationLogits.clone();
        cols.add(column);
        double[] fresh = fit(column.train(), column.cardinality(), trainLabels, train, l2);
        ws.add(fresh);
        add(train, column.train(), fresh, 1);
        add(validation, column.validation(), fresh, 1);
        for (int s = 0; s < sweeps; s++) {
            for (int c = 0; c < cols.size(); c++) {
                CrossColumn col = cols.get(c);
                add(train, col.train(), ws.get(c), -1);
                add(validation, col.validation(), ws.get(c), -1);
                double[] refit = fit(col.train(), col.cardinality(), trainLabels, train, l2);
                ws.set(c, refit);
                add(train, col.train(), refit, 1);
                add(validation, col.validation(), refit, 1);
            }
        }
        return new FieldWiseLogisticRegression(List.copyOf(cols), List.copyOf(ws), train, validation);
    }

    /** The validation logits after adding the column fitted with this model held fixed (the field-wise LR score of a candidate). */
    double[] validationLogitsWith(CrossColumn column, float[] trainLabels, double l2) {
        double[] w = fit(column.train(), column.cardinality(), trainLabels, trainLogits, l2);
        double[] validation = validationLogits.clone();
        add(validation, column.validation(), w, 1);
        return validation;
    }

    double[] validationLogits() {
        return validationLogits;
    }

    /** Per-value weights minimising the L2-regularised log loss of sigmoid(offset + w[code]). */
    static double[] fit(int[] codes, int cardinality, float[] labels, double[] offsets, double l2) {
        double[] w = new double[cardinality];
        double[] gradient = new double[cardinality];
        double[] hessian = new double[cardinality];
        for (int step = 0; step < NEWTON_STEPS; step++) {
            java.util.Arrays.fill(gradient, 0);
            java.util.Arrays.fill(hessian, 0);
            for (int r = 0; r < codes.length; r++) {
                int c = codes[r];
                double p = sigmoid(offsets[r] + w[c]);
                gradient[c] += p - labels[r];
                hessian[c] += p * (1 - p);
            }
            for (int c = 0; c < cardinality; c++) {
                double g = gradient[c] + l2 * w[c];
                double h = hessian[c] + l2;
                w[c] = Math.max(-MAX_WEIGHT, Math.min(MAX_WEIGHT, w[c] - g / h));
            }
        }
        return w;
    }

    private static void add(double[] logits, int[] codes, double[] w, int sign) {
        for (int r = 0; r < logits.length; r++) {
            if (codes[r] >= 0) {
                logits[r] += sign * w[codes[r]];
            }
        }
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}

package org.recspark.evaluator;

/** Checks of binary labels, shared by the classification metrics. */
final class BinaryLabels {
    private BinaryLabels() {}

    static boolean isPositive(double label) {
        if (label == 1.0) {
            return true;
        }
        if (label == 0.0) {
            return false;
        }
        throw new IllegalArgumentException("binary metrics need labels 0 or 1, got " + label);
    }

    static void requireFinite(double prediction) {
        if (!Double.isFinite(prediction)) {
            throw new IllegalArgumentException("prediction must be a finite number, got " + prediction);
        }
    }
}

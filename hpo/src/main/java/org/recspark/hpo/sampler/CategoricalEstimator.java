package org.recspark.hpo.sampler;

import java.util.random.RandomGenerator;

/**
 * The categorical counterpart of {@link ParzenEstimator}: each choice's probability is its count
 * among the observations plus an equal share of {@code priorWeight}, normalised, so no choice ever
 * has probability 0. Immutable.
 */
final class CategoricalEstimator {
    private final double[] probabilities;

    CategoricalEstimator(int[] observed, int choices, double priorWeight) {
        probabilities = new double[choices];
        for (int c = 0; c < choices; c++) {
            probabilities[c] = priorWeight / choices;
        }
        for (int o : observed) {
            probabilities[o] += 1;
        }
        double total = observed.length + priorWeight;
        for (int c = 0; c < choices; c++) {
            probabilities[c] /= total;
        }
    }

    int sample(RandomGenerator random) {
        double u = random.nextDouble();
        for (int c = 0; c < probabilities.length - 1; c++) {
            if (u < probabilities[c]) {
                return c;
            }
            u -= probabilities[c];
        }
        return probabilities.length - 1;
    }

    double logProbability(int choice) {
        return Math.log(probabilities[choice]);
    }
}

package org.recspark.hpo.sampler;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A one-dimensional Parzen density over [low, high] (Bergstra et al. 2011, as in hyperopt): a
 * mixture of Gaussians truncated to the range, one centred on each observed value with weight 1,
 * plus a prior component centred mid-range with the range as its width and weight
 * {@code priorWeight}. Each observation's width is the larger distance to its neighbours (the
 * range's ends count as neighbours), clipped to [range / min(100, n + 1), range], so dense regions
 * get narrow kernels and isolated points wide ones. Immutable.
 */
final class ParzenEstimator {
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final int MAX_REJECTIONS = 100;

    private final double low;
    private final double high;
    private final double[] mus;
    private final double[] sigmas;
    private final double[] weights;
    /** log of each component's mass inside [low, high], for the truncated density. */
    private final double[] logMass;

    ParzenEstimator(double[] observed, double low, double high, double priorWeight) {
        this.low = low;
        this.high = high;
        double range = high - low;
        double prior = (low + high) / 2;
        int n = observed.length;
        double[] sorted = Arrays.copyOf(observed, n + 1);
        sorted[n] = prior;
        Arrays.sort(sorted);
        mus = sorted;
        sigmas = new double[n + 1];
        weights = new double[n + 1];
        double minSigma = range / Math.min(100.0, n + 1.0);
        boolean priorPlaced = false;
        for (int i = 0; i <= n; i++) {
            if (!priorPlaced && mus[i] == prior) {
                // the prior's own component: as wide as the range
                sigmas[i] = range;
                weights[i] = priorWeight;
                priorPlaced = true;
                continue;
            }
            double left = mus[i] - (i > 0 ? mus[i - 1] : low);
            double right = (i < n ? mus[i + 1] : high) - mus[i];
            sigmas[i] = Math.max(minSigma, Math.min(range, Math.max(left, right)));
            weights[i] = 1;
        }
        double total = Arrays.stream(weights).sum();
        logMass = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            weights[i] /= total;
            double mass = normalCdf((high - mus[i]) / sigmas[i]) - normalCdf((low - mus[i]) / sigmas[i]);
            logMass[i] = Math.log(Math.max(mass, 1e-300));
        }
    }

    /** A draw: a component chosen by weight, then its Gaussian, redrawn until inside the range. */
    double sample(RandomGenerator random) {
        double u = random.nextDouble();
        int c = 0;
        while (c < weights.length - 1 && u >= weights[c]) {
            u -= weights[c];
            c++;
        }
        for (int attempt = 0; attempt < MAX_REJECTIONS; attempt++) {
            double x = mus[c] + sigmas[c] * random.nextGaussian();
            if (x >= low && x <= high) {
                return x;
            }
        }
        return Math.max(low, Math.min(high, mus[c]));
    }

    /** The log density at {@code x}, computed as a log-sum-exp so that far tails do not underflow to -infinity. */
    double logDensity(double x) {
        double[] terms = new double[mus.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < mus.length; i++) {
            double z = (x - mus[i]) / sigmas[i];
            terms[i] = Math.log(weights[i]) - 0.5 * z * z - LOG_SQRT_2PI - Math.log(sigmas[i]) - logMass[i];
            max = Math.max(max, terms[i]);
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum);
    }

    /** Standard normal CDF via erf (Abramowitz and Stegun 7.1.26, absolute error below 1.5e-7). */
    static double normalCdf(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}

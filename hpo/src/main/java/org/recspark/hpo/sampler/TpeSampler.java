package org.recspark.hpo.sampler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;
import org.recspark.hpo.space.CategoricalDimension;
import org.recspark.hpo.space.Dimension;
import org.recspark.hpo.space.NumericDimension;
import org.recspark.hpo.space.ParameterSpace;

/**
 * Tree-structured Parzen estimator (Bergstra, Bardenet, Bengio, Kegl 2011, "Algorithms for
 * Hyper-Parameter Optimization"), univariate as in hyperopt and Optuna's default.
 *
 * <p>Until {@code startupTrials} trials are finished, points are drawn at random (the same points
 * a {@link RandomSampler} with the same seed would draw). Then the finished trials are sorted by
 * loss and split into the best {@code min(ceil(gamma * n), 25)} ("good", density l) and the rest ("bad",
 * density g); failed trials always count as bad, so the search moves away from configs that crash
 * or diverge. For each parameter, l and g are {@link ParzenEstimator}s over the warped range (log
 * space on a log scale) or {@link CategoricalEstimator}s for choices; {@code candidates} values are
 * drawn from l and the one maximising {@code l(x) / g(x)} (the expected-improvement criterion under
 * this model) is taken.
 *
 * <p>Defaults: gamma {@value #DEFAULT_GAMMA} with at most {@value #MAX_GOOD} good trials (Optuna's;
 * a quarter of the trials, as in the paper, made the good density so broad on the sampler test's
 * objective that TPE was no better than random search after 80 trials), {@value #DEFAULT_CANDIDATES}
 * candidates (hyperopt's), prior weight {@value #PRIOR_WEIGHT}; startup trials
 * {@link #defaultStartupTrials}.
 */
public final class TpeSampler implements Sampler {
    public static final double DEFAULT_GAMMA = 0.1;
    static final int MAX_GOOD = 25;
    public static final int DEFAULT_CANDIDATES = 24;
    static final double PRIOR_WEIGHT = 1.0;
    private static final long SALT = 0x54504521L;

    private final ParameterSpace space;
    private final long seed;
    private final int startupTrials;
    private final double gamma;
    private final int candidates;

    public TpeSampler(ParameterSpace space, long seed, int startupTrials, double gamma, int candidates) {
        if (startupTrials < 1 || !(gamma > 0 && gamma < 1) || candidates < 1) {
            throw new IllegalArgumentException("TPE needs startupTrials >= 1, 0 < gamma < 1 and candidates >= 1, got "
                    + startupTrials + ", " + gamma + ", " + candidates);
        }
        this.space = space;
        this.seed = seed;
        this.startupTrials = startupTrials;
        this.gamma = gamma;
        this.candidates = candidates;
    }

    /** A quarter of the budget at random, at least 3 and at most 10 trials (Optuna's default is 10). */
    public static int defaultStartupTrials(int maxTrials) {
        return Math.max(3, Math.min(10, maxTrials / 4));
    }

    @Override
    public double[] suggest(int trial, List<Observation> history) {
        if (history.size() < startupTrials) {
            return RandomSampler.draw(space, TrialRandom.of(seed, trial, RandomSampler.SALT));
        }
        RandomGenerator random = TrialRandom.of(seed, trial, SALT);
        List<Observation> sorted = new ArrayList<>(history);
        // NaN (failed) sorts last: Double.compare orders NaN above every number
        sorted.sort(Comparator.comparingDouble(Observation::loss).thenComparingInt(Observation::trial));
        int good = Math.min(MAX_GOOD, Math.max(1, (int) Math.ceil(gamma * sorted.size())));
        good = Math.min(good, (int) sorted.stream().filter(o -> !o.failed()).count());
        if (good == 0) {
            // nothing has succeeded yet: there is no good region to model
            return RandomSampler.draw(space, random);
        }
        List<Observation> below = sorted.subList(0, good);
        List<Observation> above = sorted.subList(good, sorted.size());
        double[] point = new double[space.size()];
        for (int d = 0; d < point.length; d++) {
            point[d] = suggestOne(space.dimensions().get(d), d, below, above, random);
        }
        return point;
    }

    private double suggestOne(Dimension dimension, int d, List<Observation> below, List<Observation> above, RandomGenerator random) {
        if (dimension instanceof CategoricalDimension c) {
            CategoricalEstimator l = new CategoricalEstimator(choices(below, d), c.size(), PRIOR_WEIGHT);
            CategoricalEstimator g = new CategoricalEstimator(choices(above, d), c.size(), PRIOR_WEIGHT);
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < candidates; i++) {
                int x = l.sample(random);
                double score = l.logProbability(x) - g.logProbability(x);
                if (score > bestScore) {
                    best = x;
                    bestScore = score;
                }
            }
            return best;
        }
        NumericDimension n = (NumericDimension) dimension;
        ParzenEstimator l = new ParzenEstimator(warped(below, d, n), n.low(), n.high(), PRIOR_WEIGHT);
        ParzenEstimator g = new ParzenEstimator(warped(above, d, n), n.low(), n.high(), PRIOR_WEIGHT);
        double best = Double.NaN;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < candidates; i++) {
            // scored where the trial will actually run: integers rounded to their grid, floats to their printed digits
            double value = n.unwarp(l.sample(random));
            double x = n.warp(value);
            double score = l.logDensity(x) - g.logDensity(x);
            if (score > bestScore) {
                best = value;
                bestScore = score;
            }
        }
        return best;
    }

    private static int[] choices(List<Observation> observations, int d) {
        return observations.stream().mapToInt(o -> (int) o.point()[d]).toArray();
    }

    private static double[] warped(List<Observation> observations, int d, NumericDimension n) {
        return observations.stream().mapToDouble(o -> n.warp(o.point()[d])).toArray();
    }

    @Override
    public boolean adaptive() {
        return true;
    }
}

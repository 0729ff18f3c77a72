package org.recspark.model.sampling;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.SplittableRandom;
import org.recspark.config.proto.DSSM;

/**
 * Draws negative items from an {@link ItemCorpus} with known probabilities: uniformly, or in
 * proportion to (count + smoothing)^alpha (Mikolov et al. 2013's unigram^0.75; EasyRec's NegativeSampler draws
 * from an item table weighted the same way). Draws are with replacement, each in O(1) by Walker's
 * alias method (Vose's construction). Immutable, so threads may share it.
 */
public final class NegativeSampler {
    private final double[] probabilities;
    private final double[] threshold;
    private final int[] alias;

    private NegativeSampler(double[] weights) {
        int n = weights.length;
        if (n == 0) {
            throw new IllegalArgumentException("no items to draw negatives from");
        }
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        this.probabilities = new double[n];
        this.threshold = new double[n];
        this.alias = new int[n];
        double[] scaled = new double[n];
        Deque<Integer> small = new ArrayDeque<>();
        Deque<Integer> large = new ArrayDeque<>();
        for (int i = 0; i < n; i++) {
            probabilities[i] = weights[i] / total;
            scaled[i] = probabilities[i] * n;
            (scaled[i] < 1 ? small : large).push(i);
        }
        while (!small.isEmpty() && !large.isEmpty()) {
            int s = small.pop();
            int l = large.pop();
            threshold[s] = scaled[s];
            alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1;
            (scaled[l] < 1 ? small : large).push(l);
        }
        // What is left holds (up to rounding) exactly one item's share each.
        while (!large.isEmpty()) {
            threshold[large.pop()] = 1;
        }
        while (!small.isEmpty()) {
            threshold[small.pop()] = 1;
        }
    }

    /** Every item equally likely. */
    public static NegativeSampler uniform(ItemCorpus corpus) {
        double[] w = new double[corpus.size()];
        Arrays.fill(w, 1);
        return new NegativeSampler(w);
    }

    /**
     * Items in proportion to (count + smoothing)^alpha: add-k smoothing gives an item of an item
     * table that no training row holds a weight of its own.
     */
    public static NegativeSampler popularity(ItemCorpus corpus, double alpha, double smoothing) {
        double[] w = new double[corpus.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.pow(corpus.count(i) + smoothing, alpha);
        }
        return new NegativeSampler(w);
    }

    /** The sampler a DSSM's negative_sampler config describes. */
    public static NegativeSampler of(DSSM.NegativeSampler config, ItemCorpus corpus) {
        return switch (config.getDistribution()) {
            case UNIFORM -> uniform(corpus);
            case POPULARITY -> popularity(corpus, config.getAlpha(), countSmoothing(config));
        };
    }

    /** The configured count_smoothing, else 1 for an item table (whose items may have no rows) and 0 for the training rows' items. */
    public static double countSmoothing(DSSM.NegativeSampler config) {
        if (config.hasCountSmoothing()) {
            return config.getCountSmoothing();
        }
        return config.getPool() == DSSM.NegativeSampler.Pool.ITEM_TABLE ? 1 : 0;
    }

    public int size() {
        return probabilities.length;
    }

    /** The probability that one draw returns the item. */
    public double probability(int item) {
        return probabilities[item];
    }

    /** {@code n} item indices drawn independently. */
    public int[] sample(int n, SplittableRandom random) {
        int[] out = new int[n];
        for (int k = 0; k < n; k++) {
            int i = random.nextInt(probabilities.length);
            out[k] = random.nextDouble() < threshold[i] ? i : alias[i];
        }
        return out;
    }
}

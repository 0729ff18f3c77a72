package org.recspark.jobs.importance;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.recspark.evaluator.AucAccumulator;
import org.recspark.evaluator.LogLossAccumulator;
import org.recspark.features.FeatureSpec;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Permutation feature importance (Breiman 2001; Fisher, Rudin and Dominici 2019, "All Models are
 * Wrong, but Many are Useful"): how much a fitted model's AUC drops and its logloss rises on
 * held-out rows when the values of one feature, or of a group of features, are shuffled across the
 * rows, which breaks their link to the label and keeps their distribution. A group's features are
 * shuffled with one permutation, so the rows keep their values' combinations within the group.
 * Each candidate is shuffled {@code repeats} times; repeat {@code r} of every candidate uses the
 * same permutation (drawn from {@code seed} and {@code r}), so candidates are compared on equal
 * draws. No Spark: the scorer is a plain function of the rows.
 */
public final class PermutationImportance {
    private static final Logger LOG = LoggerFactory.getLogger(PermutationImportance.class);
    /** A feature or a group of features to shuffle together: their indices in the rows' schema. */
    public record Candidate(String name, String group, int[] features) {
    }

    /** Baseline metrics of the unshuffled rows. */
    public record Baseline(double auc, double logloss) {
    }

    /** A candidate's drops over the repeats: AUC lost and logloss gained when it is shuffled (positive: the model uses it). */
    public record Result(Candidate candidate, double[] aucDrops, double[] loglossIncreases) {
        public double meanAucDrop() {
            return mean(aucDrops);
        }

        public double stdAucDrop() {
            return std(aucDrops);
        }

        public double meanLoglossIncrease() {
            return mean(loglossIncreases);
        }

        public double stdLoglossIncrease() {
            return std(loglossIncreases);
        }
    }

    private final Function<Examples, float[]> scorer;
    private final String label;
    private final int repeats;
    private final long seed;

    /**
     * @param scorer the model's score per row (one task's probabilities), thread-safe
     * @param label the task's label in the rows
     */
    public PermutationImportance(Function<Examples, float[]> scorer, String label, int repeats, long seed) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be at least 1, got " + repeats);
        }
        this.scorer = scorer;
        this.label = label;
        this.repeats = repeats;
        this.seed = seed;
    }

    public Baseline baseline(Examples rows) {
        requireScorable(rows);
        float[] scores = scorer.apply(rows);
        return new Baseline(auc(scores, rows.label(label)), logloss(scores, rows.label(label)));
    }

    /** Each candidate's drops against {@code baseline}, in the candidates' order. */
    public List<Result> measure(Examples rows, Baseline baseline, List<Candidate> candidates) {
        requireScorable(rows);
        float[] labels = rows.label(label);
        List<int[]> permutations = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            permutations.add(permutation(rows.numRows(), new SplittableRandom(seed * 1_000_003L + r)));
        }
        List<Result> results = new ArrayList<>();
        for (Candidate candidate : candidates) {
            double[] aucDrops = new double[repeats];
            double[] loglossIncreases = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                float[] scores = scorer.apply(shuffled(rows, candidate.features(), permutations.get(r)));
                aucDrops[r] = baseline.auc() - auc(scores, labels);
                loglossIncreases[r] = logloss(scores, labels) - baseline.logloss();
            }
            Result result = new Result(candidate, aucDrops, loglossIncreases);
            results.add(result);
            LOG.info("{} ({} of {}): auc drop {} +- {}, logloss increase {} +- {} over {} repeats on {} rows", candidate.name(),
                    results.size(), candidates.size(), result.meanAucDrop(), result.stdAucDrop(), result.meanLoglossIncrease(),
                    result.stdLoglossIncrease(), repeats, rows.numRows());
        }
        return results;
    }

    private void requireScorable(Examples rows) {
        if (rows.numRows() < 2) {
            throw new IllegalArgumentException("permutation importance needs at least 2 rows, got " + rows.numRows());
        }
        float[] labels = rows.label(label);
        boolean positive = false;
        boolean negative = false;
        for (float y : labels) {
            positive |= y > 0.5f;
            negative |= y <= 0.5f;
        }
        if (!positive || !negative) {
            throw new IllegalArgumentException("the " + rows.numRows() + " rows have only " + (positive ? "positive" : "negative")
                    + " labels '" + label + "': AUC is undefined");
        }
    }

    /** The rows with the given features' values moved: row i takes row {@code permutation[i]}'s values. */
    static Examples shuffled(Examples rows, int[] features, int[] permutation) {
        List<FeatureSpec> specs = rows.schema().features();
        SparseValues[] sparse = new SparseValues[specs.size()];
        float[][] dense = new float[specs.size()][];
        for (int f = 0; f < specs.size(); f++) {
            if (specs.get(f).sparse()) {
                sparse[f] = rows.sparse(f);
            } else {
                dense[f] = rows.dense(f);
            }
        }
        for (int f : features) {
            FeatureSpec spec = specs.get(f);
            if (spec.sparse()) {
                sparse[f] = rows.sparse(f).select(permutation);
            } else {
                int dim = spec.denseDim();
                float[] from = rows.dense(f);
                float[] to = new float[from.length];
                for (int i = 0; i < permutation.length; i++) {
                    System.arraycopy(from, permutation[i] * dim, to, i * dim, dim);
                }
                dense[f] = to;
            }
        }
        return new Examples(rows.schema(), rows.numRows(), sparse, dense, rows.labels(), rows.groupKeys());
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static double auc(float[] scores, float[] labels) {
        AucAccumulator acc = new AucAccumulator();
        for (int i = 0; i < scores.length; i++) {
            acc.add(scores[i], labels[i]);
        }
        return acc.value();
    }

    private static double logloss(float[] scores, float[] labels) {
        LogLossAccumulator acc = new LogLossAccumulator();
        for (int i = 0; i < scores.length; i++) {
            acc.add(scores[i], labels[i]);
        }
        return acc.value();
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample standard deviation (n - 1); 0 for one repeat. */
    static double std(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}

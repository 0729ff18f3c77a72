package org.recspark.hpo.report;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.hpo.space.CategoricalDimension;
import org.recspark.hpo.space.Dimension;
import org.recspark.hpo.space.NumericDimension;
import org.recspark.hpo.space.ParameterSpace;
import org.recspark.hpo.trial.TrialRecord;

/**
 * A fANOVA-lite importance of each parameter: the share of the objective's variance over the
 * trials that the parameter's bins explain (the correlation ratio eta squared), in [0, 1]. The
 * trials with an objective value are grouped by the parameter's value: by choice for choices, into
 * {@code min(5, floor(sqrt(n)))} (at least 2) equal-count bins of the warped value for ranges; the
 * importance is the count-weighted variance of the bins' mean objectives divided by the objective's
 * variance. Unlike fANOVA it looks at one parameter at a time (no interactions) and, with few
 * trials, reads noise as importance; it answers "which knobs moved the metric in this search".
 */
public final class ParameterImportance {
    private ParameterImportance() {}

    /** By path, in the space's order; empty when fewer than 3 trials have a value or the objective did not vary. */
    public static Map<String, Double> compute(ParameterSpace space, Collection<TrialRecord> trials) {
        List<TrialRecord> valued = trials.stream().filter(t -> !Double.isNaN(t.outcome().objective())).toList();
        Map<String, Double> out = new LinkedHashMap<>();
        int n = valued.size();
        if (n < 3) {
            return out;
        }
        double[] y = valued.stream().mapToDouble(t -> t.outcome().objective()).toArray();
        double mean = 0;
        for (double v : y) {
            mean += v / n;
        }
        double variance = 0;
        for (double v : y) {
            variance += (v - mean) * (v - mean) / n;
        }
        if (!(variance > 0)) {
            return out;
        }
        for (Dimension d : space.dimensions()) {
            double[] x = valued.stream().mapToDouble(t -> d.parse(t.params().get(d.path()))).toArray();
            int[] bin = d instanceof CategoricalDimension ? categories(x) : quantileBins(x, (NumericDimension) d);
            out.put(d.path(), Math.min(1.0, betweenBinVariance(bin, y, mean) / variance));
        }
        return out;
    }

    private static int[] categories(double[] x) {
        int[] bin = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            bin[i] = (int) x[i];
        }
        return bin;
    }

    /** Equal-count bins of the sorted warped values; equal values always share a bin. */
    private static int[] quantileBins(double[] x, NumericDimension d) {
        int n = x.length;
        int bins = Math.max(2, Math.min(5, (int) Math.floor(Math.sqrt(n))));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble(i -> d.warp(x[i])));
        int[] bin = new int[n];
        int current = 0;
        for (int rank = 0; rank < n; rank++) {
            int i = order.get(rank);
            int target = rank * bins / n;
            if (rank > 0 && x[i] != x[order.get(rank - 1)]) {
                current = Math.max(current, target);
            }
            bin[i] = current;
        }
        return bin;
    }

    private static double betweenBinVariance(int[] bin, double[] y, double mean) {
        Map<Integer, double[]> sums = new LinkedHashMap<>();
        for (int i = 0; i < y.length; i++) {
            double[] s = sums.computeIfAbsent(bin[i], k -> new double[2]);
            s[0] += y[i];
            s[1] += 1;
        }
        double between = 0;
        for (double[] s : sums.values()) {
            double m = s[0] / s[1];
            between += s[1] / y.length * (m - mean) * (m - mean);
        }
        return between;
    }
}

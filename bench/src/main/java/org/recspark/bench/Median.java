package org.recspark.bench;

import java.util.Arrays;
import java.util.List;

/** The median the benchmarks report over repeats and seeds (the mean of the middle two for an even count). */
public final class Median {
    private Median() {
    }

    public static double of(List<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public static double of(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("the median of no values");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}

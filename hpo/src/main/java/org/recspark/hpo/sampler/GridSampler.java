package org.recspark.hpo.sampler;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.hpo.space.CategoricalDimension;
import org.recspark.hpo.space.Dimension;
import org.recspark.hpo.space.FloatDimension;
import org.recspark.hpo.space.IntDimension;
import org.recspark.hpo.space.ParameterSpace;

/**
 * Every combination of every parameter's values: the choices, and an integer range's
 * {@code min, min + step, ..., max} (on a log scale too: the grid follows the step). Float ranges
 * have no natural grid and are refused; list the values as choices instead. When
 * {@code max_trials} covers the grid it runs in order (the last parameter varies fastest);
 * otherwise the combinations are shuffled with the seed, so a partial grid is spread over the space
 * instead of varying only the last parameter. At most {@value #MAX_POINTS} combinations.
 */
public final class GridSampler implements Sampler {
    public static final int MAX_POINTS = 1_000_000;

    private final List<Dimension> dimensions;
    private final long[] sizes;
    private final int[] order;

    public GridSampler(ParameterSpace space, long seed, int maxTrials) {
        this.dimensions = space.dimensions();
        this.sizes = new long[dimensions.size()];
        List<Violation> problems = new ArrayList<>();
        long total = 1;
        for (int d = 0; d < dimensions.size(); d++) {
            Dimension dim = dimensions.get(d);
            if (dim instanceof FloatDimension) {
                problems.add(new Violation("hpo_config.params[" + d + "].float_range", "a GRID search needs a finite set of values for '"
                        + dim.path() + "': list them as choices, or use an int_range"));
                continue;
            }
            sizes[d] = dim instanceof CategoricalDimension c ? c.size() : ((IntDimension) dim).size();
            total = total > MAX_POINTS ? total : total * sizes[d];
        }
        if (problems.isEmpty() && total > MAX_POINTS) {
            problems.add(new Violation("hpo_config.params", "the grid has more than " + MAX_POINTS + " combinations; use RANDOM or TPE"));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("hpo_config", problems);
        }
        order = new int[(int) total];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (maxTrials < total) {
            RandomGenerator random = TrialRandom.of(seed, 0, 0x47524944L);
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
    }

    @Override
    public double[] suggest(int trial, List<Observation> history) {
        if (trial >= order.length) {
            throw new IllegalArgumentException("trial " + trial + " is beyond the grid's " + order.length + " combinations");
        }
        long index = order[trial];
        double[] point = new double[dimensions.size()];
        for (int d = dimensions.size() - 1; d >= 0; d--) {
            long k = index % sizes[d];
            index /= sizes[d];
            point[d] = dimensions.get(d) instanceof IntDimension r ? r.min() + k * r.step() : k;
        }
        return point;
    }

    @Override
    public boolean adaptive() {
        return false;
    }

    @Override
    public OptionalLong capacity() {
        return OptionalLong.of(order.length);
    }
}

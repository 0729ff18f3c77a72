package org.recspark.hpo.sampler;

import java.util.List;
import java.util.random.RandomGenerator;
import org.recspark.hpo.space.ParameterSpace;

/** Independent uniform draws (log-uniform on log scales) per parameter; trial {@code n}'s point depends on the seed and {@code n} only. */
public final class RandomSampler implements Sampler {
    /** Shared with {@link TpeSampler}, whose startup trials are the random search's. */
    static final long SALT = 0x52414E44L;

    private final ParameterSpace space;
    private final long seed;

    public RandomSampler(ParameterSpace space, long seed) {
        this.space = space;
        this.seed = seed;
    }

    @Override
    public double[] suggest(int trial, List<Observation> history) {
        return draw(space, TrialRandom.of(seed, trial, SALT));
    }

    static double[] draw(ParameterSpace space, RandomGenerator random) {
        double[] point = new double[space.size()];
        for (int d = 0; d < point.length; d++) {
            point[d] = space.dimensions().get(d).sample(random);
        }
        return point;
    }

    @Override
    public boolean adaptive() {
        return false;
    }
}

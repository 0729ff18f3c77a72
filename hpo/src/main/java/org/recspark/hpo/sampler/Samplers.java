package org.recspark.hpo.sampler;

import org.recspark.config.proto.SearchSpace;
import org.recspark.hpo.space.ParameterSpace;

/** The sampler that {@code hpo_config.algorithm} names, seeded with {@code hpo_config.seed}. */
public final class Samplers {
    private Samplers() {}

    public static Sampler create(SearchSpace config, ParameterSpace space) {
        return switch (config.getAlgorithm()) {
            case RANDOM -> new RandomSampler(space, config.getSeed());
            case GRID -> new GridSampler(space, config.getSeed(), config.getMaxTrials());
            case TPE -> new TpeSampler(space, config.getSeed(), TpeSampler.defaultStartupTrials(config.getMaxTrials()),
                    TpeSampler.DEFAULT_GAMMA, TpeSampler.DEFAULT_CANDIDATES);
        };
    }
}

package org.recspark.hpo.sampler;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** The random numbers of one trial: a generator seeded by the search seed and the trial number only. */
final class TrialRandom {
    private TrialRandom() {}

    static RandomGenerator of(long seed, int trial, long salt) {
        return new SplittableRandom(mix(mix(seed) ^ (trial * 0x9E3779B97F4A7C15L) ^ salt));
    }

    /** SplitMix64's finaliser: nearby seeds give unrelated streams. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

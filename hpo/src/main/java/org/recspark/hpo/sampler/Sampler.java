package org.recspark.hpo.sampler;

import java.util.List;
import java.util.OptionalLong;

/**
 * Proposes the parameters of each trial. A suggestion depends only on the seed, the trial number
 * and the observations passed in, so a search is reproducible and a restarted one proposes the
 * same points again. Implementations are thread-safe.
 */
public interface Sampler {
    /** The point of trial {@code trial}, given the finished trials the search lets it see. */
    double[] suggest(int trial, List<Observation> history);

    /** Whether suggestions depend on the history (the search then waits for the trials a suggestion must see). */
    boolean adaptive();

    /** How many distinct points the sampler can propose (a grid's size), or empty when unbounded. */
    default OptionalLong capacity() {
        return OptionalLong.empty();
    }
}

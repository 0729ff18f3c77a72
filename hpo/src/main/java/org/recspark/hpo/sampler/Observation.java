package org.recspark.hpo.sampler;

/**
 * A finished trial as a sampler sees it: its point in the space and its loss (the objective
 * oriented so that lower is better), NaN for a trial that failed.
 */
public record Observation(int trial, double[] point, double loss) {
    public boolean failed() {
        return Double.isNaN(loss);
    }
}

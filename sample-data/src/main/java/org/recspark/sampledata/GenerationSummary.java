package org.recspark.sampledata;

/** Counts of what a generation wrote. */
public record GenerationSummary(int users, int items, long impressions, long clicks, long behaviourEvents) {

    public double clickThroughRate() {
        return impressions == 0 ? 0 : (double) clicks / impressions;
    }
}

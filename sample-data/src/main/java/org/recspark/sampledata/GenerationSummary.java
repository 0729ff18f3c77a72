package org.recspark.sampledata;

/** Counts of what one generation wrote; {@code behaviourEvents} includes the clicks and the warm-up day. */
public record GenerationSummary(int users, int items, long impressions, long clicks, long behaviourEvents) {

    /** Clicks per impression. */
    public double clickThroughRate() {
        return impressions == 0 ? 0 : (double) clicks / impressions;
    }
}

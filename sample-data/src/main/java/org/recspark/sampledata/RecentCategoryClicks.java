package org.recspark.sampledata;

import java.util.Arrays;

/**
 * One user's last click time per category, for the categories clicked in the last 24 hours: the
 * state behind the generator's planted recency effect. Clicks must be recorded in time order,
 * and only once they are in the past of every later lookup. Not thread-safe.
 */
final class RecentCategoryClicks {
    private int[] categories = new int[4];
    private long[] lastClick = new long[4];
    private int size;

    /** Records a click of {@code category} at epoch second {@code ts}, not earlier than any recorded before. */
    void record(int category, long ts) {
        for (int k = 0; k < size; k++) {
            if (categories[k] == category) {
                lastClick[k] = ts;
                return;
            }
        }
        if (size == categories.length) {
            categories = Arrays.copyOf(categories, size * 2);
            lastClick = Arrays.copyOf(lastClick, size * 2);
        }
        categories[size] = category;
        lastClick[size] = ts;
        size++;
    }

    /** Whether the last recorded click of {@code category} is at or after {@code since}. */
    boolean clickedSince(int category, long since) {
        for (int k = 0; k < size; k++) {
            if (categories[k] == category) {
                return lastClick[k] >= since;
            }
        }
        return false;
    }

    /** Drops the categories last clicked before {@code ts}, which keeps the state to one day of clicks. */
    void forgetBefore(long ts) {
        int kept = 0;
        for (int k = 0; k < size; k++) {
            if (lastClick[k] >= ts) {
                categories[kept] = categories[k];
                lastClick[kept] = lastClick[k];
                kept++;
            }
        }
        size = kept;
    }
}

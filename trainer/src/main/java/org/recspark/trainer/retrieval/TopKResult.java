package org.recspark.trainer.retrieval;

import java.util.Arrays;

/**
 * Every user's K best items, best first, with their scores (the inner product of the user's and the
 * item's embeddings), as a {@link TopKSearch} returns them.
 *
 * @param items  per user, item indices (rows of the item embeddings), best first
 * @param scores per user, the scores of those items
 */
public record TopKResult(int[][] items, float[][] scores) {
    /** No item for any of {@code users} users (an empty corpus). */
    public static TopKResult empty(int users) {
        return new TopKResult(new int[users][0], new float[users][0]);
    }

    /**
     * The recall of this result against a reference ranking (the exact one): the share of the
     * reference's (user, item) pairs that this result also holds, over all users. 1 when the
     * reference holds no pair.
     */
    public double recallAgainst(TopKResult reference) {
        if (reference.items.length != items.length) {
            throw new IllegalArgumentException("rankings of " + items.length + " users against a reference of " + reference.items.length);
        }
        long expected = 0;
        long found = 0;
        for (int u = 0; u < items.length; u++) {
            int[] mine = items[u].clone();
            Arrays.sort(mine);
            for (int item : reference.items[u]) {
                expected++;
                if (Arrays.binarySearch(mine, item) >= 0) {
                    found++;
                }
            }
        }
        return expected == 0 ? 1 : (double) found / expected;
    }
}

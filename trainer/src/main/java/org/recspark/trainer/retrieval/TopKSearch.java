package org.recspark.trainer.retrieval;

/**
 * Ranks an item corpus for each user by the inner product of their embeddings, each user's excluded
 * items left out: exactly ({@link ExactTopK}) or approximately over a graph index
 * ({@link ApproximateTopK}). Rankings are best first, ties broken by the lower item index; a user
 * with fewer than K items left after exclusion gets all of them, one with none left an empty
 * ranking. Implementations are immutable and thread-safe.
 */
public interface TopKSearch {
    /**
     * @param users    row-major, {@code dim} floats per user
     * @param items    row-major, {@code dim} floats per item; an item's index is its row
     * @param excluded per user, the item indices to leave out of its ranking (any order; may repeat)
     * @param k        the ranking length, >= 1
     */
    TopKResult search(float[] users, float[] items, int dim, int[][] excluded, int k);
}

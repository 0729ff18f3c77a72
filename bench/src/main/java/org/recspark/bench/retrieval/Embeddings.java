package org.recspark.bench.retrieval;

/**
 * A method's vectors for one {@link HeldOutRanking}: row-major, {@code dim} floats per row, users in
 * the task's query order and items in its corpus order.
 */
public record Embeddings(float[] users, float[] items, int dim) {
    public Embeddings {
        if (dim < 1 || users.length % dim != 0 || items.length % dim != 0) {
            throw new IllegalArgumentException(users.length + " and " + items.length + " floats are not whole rows of dim " + dim);
        }
    }
}

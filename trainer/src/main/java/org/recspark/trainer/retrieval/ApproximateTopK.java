package org.recspark.trainer.retrieval;

/**
 * Approximate top-K retrieval for large corpora: builds an {@link ItemGraphIndex} over the items
 * and searches it for every user, instead of scoring every (user, item) pair as {@link ExactTopK}
 * does. Its recall against the exact ranking depends on the {@link AnnParameters}; the scores it
 * returns are exact inner products. To search one corpus several times, build the index once with
 * {@link #index}. Immutable and thread-safe.
 */
public final class ApproximateTopK implements TopKSearch {
    private final AnnParameters parameters;
    private final EmbeddingSimilarity similarity;
    private final int threads;
    private final int buildThreads;

    /** @param threads the threads searching user blocks at once (the build is single-threaded, for reproducibility) */
    public ApproximateTopK(AnnParameters parameters, EmbeddingSimilarity similarity, int threads) {
        this(parameters, similarity, threads, 1);
    }

    /**
     * @param threads      the threads searching user blocks at once
     * @param buildThreads the threads building the graph: 1 for a reproducible graph, more for a faster
     *                     build that differs slightly between runs ({@link ItemGraphIndex})
     */
    public ApproximateTopK(AnnParameters parameters, EmbeddingSimilarity similarity, int threads, int buildThreads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (buildThreads < 1) {
            throw new IllegalArgumentException("build threads must be >= 1, got " + buildThreads);
        }
        this.parameters = parameters;
        this.similarity = similarity;
        this.threads = threads;
        this.buildThreads = buildThreads;
    }

    /** The graph index over these item embeddings (row-major, {@code dim} floats per item; kept, not copied). */
    public ItemGraphIndex index(float[] items, int dim) {
        return ItemGraphIndex.build(items, dim, similarity, parameters, buildThreads);
    }

    /** Searches an index (built by this instance or another) with this instance's overquery and threads. */
    public TopKResult search(ItemGraphIndex index, float[] users, int[][] excluded, int k) {
        return index.search(users, excluded, k, parameters.overquery(), threads);
    }

    @Override
    public TopKResult search(float[] users, float[] items, int dim, int[][] excluded, int k) {
        ExactTopK.checkArguments(users, items, dim, excluded, k);
        if (items.length == 0) {
            return TopKResult.empty(users.length / dim);
        }
        return search(index(items, dim), users, excluded, k);
    }
}

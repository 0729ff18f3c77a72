package org.recspark.trainer.retrieval;

import org.recspark.config.proto.DSSM;

/**
 * How a two-tower model compares its towers' embeddings, which decides how an approximate index
 * must treat them. Both rank by the inner product of the exported embeddings; they differ in
 * whether those are unit vectors.
 */
public enum EmbeddingSimilarity {
    /** Raw tower outputs: maximum inner product search, where items' norms matter. */
    INNER_PRODUCT,
    /** L2-normalised tower outputs (DSSM's {@code normalize}): the inner product is the cosine. */
    COSINE;

    /** The similarity of a DSSM config's towers. */
    public static EmbeddingSimilarity of(DSSM config) {
        return config.getNormalize() ? COSINE : INNER_PRODUCT;
    }
}

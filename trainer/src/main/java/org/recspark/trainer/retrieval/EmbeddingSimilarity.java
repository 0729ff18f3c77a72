package org.recspark.trainer.retrieval;

import org.recspark.config.proto.ModelConfig;

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

    /**
     * The similarity of a two-tower model's embeddings: DSSM's towers are unit vectors when it
     * normalises; MF-BPR's factors (with the item bias folded in) never are.
     */
    public static EmbeddingSimilarity of(ModelConfig config) {
        return config.hasDssm() && config.getDssm().getNormalize() ? COSINE : INNER_PRODUCT;
    }
}

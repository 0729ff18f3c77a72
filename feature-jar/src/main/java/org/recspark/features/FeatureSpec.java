package org.recspark.features;

import java.util.List;
import java.util.Set;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.Pooling;

/**
 * What one feature outputs, for consumers of a {@link FeatureBatch} (the trainer, the predictor).
 *
 * @param sides       the sides its inputs come from
 * @param perItem     computed per item (some input is an item field) rather than once per request;
 *                    see {@link #side()}
 * @param idSpaceSize ids of a sparse feature are in [0, idSpaceSize); 0 for dense features
 * @param denseDim    floats per row of a dense feature; 0 for sparse features
 * @param weighted    a sparse feature whose ids carry weights (a weighted tag)
 * @param embeddingDim, pooling, embeddingTable  the embedding of a sparse feature, as configured
 *                    (the table is its shared_embedding, else its name); not used for dense features
 * @param idOffset    offset of this feature's embedding table in the global id space (0 for dense
 *                    features), so that global id = idOffset + local id
 */
public record FeatureSpec(String name, Feature.TypeCase type, List<String> inputs, Set<Side> sides, boolean perItem,
                          boolean sparse, boolean weighted, long idSpaceSize, int denseDim, int embeddingDim,
                          Pooling pooling, String embeddingTable, long idOffset) {

    public FeatureSpec {
        inputs = List.copyOf(inputs);
        sides = Set.copyOf(sides);
    }

    /** Where the feature is computed: per item, or once per request (a broadcast column). */
    public FeatureSide side() {
        return perItem ? FeatureSide.ITEM : FeatureSide.REQUEST;
    }
}

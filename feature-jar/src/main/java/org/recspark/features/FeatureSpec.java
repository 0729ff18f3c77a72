package org.recspark.features;

import java.util.List;
import java.util.Set;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.Pooling;

/**
 * What one feature outputs, for consumers of a {@link FeatureBatch} (the trainer, the predictor).
 *
 * @param sides       the sides its inputs come from
 * @param perItem     computed per item (some input is an item field) rather than once per request
 * @param idSpaceSize ids of a sparse feature are in [0, idSpaceSize); 0 for dense features
 * @param denseDim    floats per row of a dense feature; 0 for sparse features
 * @param idOffset    offset of this feature's embedding table in the global id space
 */
public record FeatureSpec(String name, Feature.TypeCase type, List<String> inputs, Set<Side> sides, boolean perItem,
                          boolean sparse, boolean weighted, long idSpaceSize, int denseDim, int embeddingDim,
                          Pooling pooling, String embeddingTable, long idOffset) {

    public FeatureSpec {
        inputs = List.copyOf(inputs);
        sides = Set.copyOf(sides);
    }
}

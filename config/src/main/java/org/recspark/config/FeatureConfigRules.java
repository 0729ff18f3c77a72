package org.recspark.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.recspark.config.feature.FeatureType;
import org.recspark.config.feature.FeatureTypes;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;

/** Rules of a feature config that involve several features; each feature's own are its type's {@link FeatureType#check}. */
final class FeatureConfigRules {
    private FeatureConfigRules() {}

    static void check(FeatureConfig config, String path, List<Violation> out) {
        Map<String, Integer> firstByName = new HashMap<>();
        Map<String, Integer> firstByTable = new HashMap<>();
        for (int i = 0; i < config.getFeaturesCount(); i++) {
            Feature feature = config.getFeatures(i);
            String featurePath = ConfigPaths.index(path, "features", i);
            if (feature.hasName() && !feature.getName().isEmpty()) {
                Integer first = firstByName.putIfAbsent(feature.getName(), i);
                if (first != null) {
                    out.add(new Violation(featurePath + ".name", "duplicate feature name '" + feature.getName()
                            + "' (first at " + ConfigPaths.index(path, "features", first) + ")"));
                }
            }
            FeatureTypes.of(feature).check(feature, featurePath, out);
            if (feature.hasSharedEmbedding() && feature.getSharedEmbedding().isEmpty()) {
                out.add(new Violation(featurePath + ".shared_embedding", "must not be empty; leave it out for a table of the feature's own"));
            } else if (feature.hasSharedEmbedding()) {
                checkSharedEmbedding(config, i, featurePath, firstByTable, path, out);
            }
        }
    }

    private static void checkSharedEmbedding(FeatureConfig config, int i, String featurePath,
                                             Map<String, Integer> firstByTable, String path, List<Violation> out) {
        Feature feature = config.getFeatures(i);
        String table = feature.getSharedEmbedding();
        FeatureType type = FeatureTypes.of(feature);
        if (!type.sparse(feature)) {
            out.add(new Violation(featurePath + ".shared_embedding",
                    "only sparse (id-valued) features have embeddings, but '" + feature.getName() + "' outputs floats"));
            return;
        }
        Integer first = firstByTable.putIfAbsent(table, i);
        if (first == null) {
            return;
        }
        Feature other = config.getFeatures(first);
        OptionalLong mine = type.idSpaceSize(feature);
        OptionalLong theirs = FeatureTypes.of(other).idSpaceSize(other);
        String otherPath = ConfigPaths.index(path, "features", first);
        if (mine.isPresent() && theirs.isPresent() && mine.getAsLong() != theirs.getAsLong()) {
            out.add(new Violation(featurePath, "shares embedding '" + table + "' with " + otherPath
                    + " but has " + mine.getAsLong() + " ids where it has " + theirs.getAsLong()));
        }
        if (feature.getEmbeddingDim() != other.getEmbeddingDim()) {
            out.add(new Violation(featurePath + ".embedding_dim", "shares embedding '" + table + "' with " + otherPath
                    + " whose embedding_dim is " + other.getEmbeddingDim() + ", got " + feature.getEmbeddingDim()));
        }
    }
}

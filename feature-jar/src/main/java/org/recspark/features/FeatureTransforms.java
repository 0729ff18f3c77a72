package org.recspark.features;

import java.nio.file.Path;
import org.recspark.config.proto.Feature;

/**
 * Builds the transform of each feature type. What a type is (its rules, inputs, sparsity, id space)
 * is its owner's in {@link org.recspark.config.feature.FeatureTypes}; this exhaustive switch only
 * picks the class that computes it, so a new case of {@code Feature.type} fails the build here.
 */
final class FeatureTransforms {
    private FeatureTransforms() {}

    /**
     * @param baseDir        directory against which relative vocabulary files are resolved
     * @param path           the feature's config path, named in config errors
     * @param droppedCrosses where a combo counts the crosses its max_crosses cuts
     */
    static FeatureTransform create(Feature feature, Path baseDir, String path, FeatureCounts droppedCrosses) {
        return switch (feature.getTypeCase()) {
            case ID -> new IdFeatureTransform(feature.getId(), baseDir, path + ".id");
            case RAW -> new RawFeatureTransform(feature.getRaw());
            case TAG -> new TagFeatureTransform(feature.getTag(), baseDir, path + ".tag");
            case COMBO -> new ComboFeatureTransform(feature.getCombo(), droppedCrosses.counter(feature.getName()));
            case LOOKUP -> new LookupFeatureTransform(feature.getLookup());
            case MATCH -> new MatchFeatureTransform(feature.getMatch());
            case SEQUENCE -> new SequenceFeatureTransform(feature.getSequence(), baseDir, path + ".sequence");
            case TYPE_NOT_SET -> throw new IllegalStateException("validated config has no type at " + path);
        };
    }
}

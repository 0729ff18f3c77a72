package org.recspark.config.feature;

import java.util.List;
import java.util.OptionalLong;
import org.recspark.config.Violation;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.RawFeature;

/** {@code raw}: a number or a fixed-size vector of numbers; with boundaries, a bucket id instead. */
final class RawFeatureType implements FeatureType {

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public void check(Feature feature, String featurePath, List<Violation> out) {
        RawFeature raw = feature.getRaw();
        if (raw.getDim() > 1 && raw.getBoundariesCount() > 0) {
            out.add(new Violation(featurePath + ".raw.boundaries",
                    "bucketizing needs a scalar (dim 1), got dim " + raw.getDim()));
        }
        FeatureChecks.increasing(raw.getBoundariesList(), featurePath + ".raw.boundaries", out);
        FeatureChecks.normalizer(raw.hasNormalizer(), raw.getNormalizer(), featurePath + ".raw.normalizer", out);
    }

    @Override
    public boolean sparse(Feature feature) {
        return feature.getRaw().getBoundariesCount() > 0;
    }

    /** A bucket id per boundary crossed, so one more id than boundaries. */
    @Override
    public OptionalLong idSpaceSize(Feature feature) {
        return sparse(feature) ? OptionalLong.of(feature.getRaw().getBoundariesCount() + 1L) : OptionalLong.empty();
    }

    @Override
    public String idSpaceField(Feature feature, String featurePath) {
        return featurePath + ".raw.boundaries";
    }

    @Override
    public List<String> inputs(Feature feature) {
        return List.of(feature.getRaw().getInput());
    }

    @Override
    public long rowWidth(Feature feature) {
        return sparse(feature) ? Math.max(0, feature.getEmbeddingDim()) : Math.max(0, feature.getRaw().getDim());
    }
}

package org.recspark.config.feature;

import java.util.List;
import java.util.OptionalLong;
import org.recspark.config.Violation;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.LookupFeature;

/** {@code lookup}: the values of keys looked up in a map-valued field, combined; with boundaries, a bucket id. */
final class LookupFeatureType implements FeatureType {

    @Override
    public String name() {
        return "lookup";
    }

    @Override
    public void check(Feature feature, String featurePath, List<Violation> out) {
        LookupFeature lookup = feature.getLookup();
        FeatureChecks.increasing(lookup.getBoundariesList(), featurePath + ".lookup.boundaries", out);
        FeatureChecks.normalizer(lookup.hasNormalizer(), lookup.getNormalizer(), featurePath + ".lookup.normalizer", out);
        FeatureChecks.nonEmptySeparator(lookup.getEntrySeparator(), featurePath + ".lookup.entry_separator", out);
        FeatureChecks.nonEmptySeparator(lookup.getKvSeparator(), featurePath + ".lookup.kv_separator", out);
    }

    @Override
    public boolean sparse(Feature feature) {
        return feature.getLookup().getBoundariesCount() > 0;
    }

    /** A bucket id per boundary crossed, so one more id than boundaries. */
    @Override
    public OptionalLong idSpaceSize(Feature feature) {
        return sparse(feature) ? OptionalLong.of(feature.getLookup().getBoundariesCount() + 1L) : OptionalLong.empty();
    }

    @Override
    public String idSpaceField(Feature feature, String featurePath) {
        return featurePath + ".lookup.boundaries";
    }

    /** The map first, then the key. */
    @Override
    public List<String> inputs(Feature feature) {
        return List.of(feature.getLookup().getMapInput(), feature.getLookup().getKeyInput());
    }
}

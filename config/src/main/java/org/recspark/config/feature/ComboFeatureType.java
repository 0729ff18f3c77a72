package org.recspark.config.feature;

import java.util.List;
import java.util.OptionalLong;
import org.recspark.config.Violation;
import org.recspark.config.proto.ComboFeature;
import org.recspark.config.proto.Feature;

/** {@code combo}: the hashed ids of the crosses of two or more inputs' values. */
final class ComboFeatureType implements FeatureType {

    @Override
    public String name() {
        return "combo";
    }

    @Override
    public void check(Feature feature, String featurePath, List<Violation> out) {
        ComboFeature combo = feature.getCombo();
        if (combo.getInputsCount() == 1) {
            out.add(new Violation(featurePath + ".combo.inputs", "a combo crosses at least 2 inputs, got 1"));
        }
        if (!combo.hasHashBucketSize()) {
            out.add(new Violation(featurePath + ".combo.hash_bucket_size", "is required"));
        }
        FeatureChecks.nonEmptySeparator(combo.getSeparator(), featurePath + ".combo.separator", out);
    }

    @Override
    public boolean sparse(Feature feature) {
        return true;
    }

    @Override
    public OptionalLong idSpaceSize(Feature feature) {
        return feature.getCombo().hasHashBucketSize()
                ? OptionalLong.of(feature.getCombo().getHashBucketSize()) : OptionalLong.empty();
    }

    @Override
    public String idSpaceField(Feature feature, String featurePath) {
        return featurePath + ".combo.hash_bucket_size";
    }

    @Override
    public List<String> inputs(Feature feature) {
        return List.copyOf(feature.getCombo().getInputsList());
    }
}

package org.recspark.config.feature;

import java.util.List;
import java.util.OptionalLong;
import org.recspark.config.Violation;
import org.recspark.config.proto.Feature;

/**
 * A feature with no type set: its check reports that, and it passes for an input-less float so
 * that the rest of the config is still validated. Never the owner of a valid config's feature.
 */
final class UntypedFeature implements FeatureType {

    @Override
    public String name() {
        return "untyped";
    }

    @Override
    public void check(Feature feature, String featurePath, List<Violation> out) {
        out.add(new Violation(featurePath, "no feature type set: expected one of " + String.join(", ", FeatureTypes.names())));
    }

    @Override
    public boolean sparse(Feature feature) {
        return false;
    }

    @Override
    public OptionalLong idSpaceSize(Feature feature) {
        return OptionalLong.empty();
    }

    @Override
    public List<String> inputs(Feature feature) {
        return List.of();
    }
}

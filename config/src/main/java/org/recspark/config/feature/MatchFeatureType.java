package org.recspark.config.feature;

import java.util.List;
import java.util.OptionalLong;
import org.recspark.config.Violation;
import org.recspark.config.proto.Feature;

/** {@code match}: how many of one side's keys a map- or set-valued field of another side holds, a float. */
final class MatchFeatureType implements FeatureType {

    @Override
    public String name() {
        return "match";
    }

    @Override
    public void check(Feature feature, String featurePath, List<Violation> out) {
        FeatureChecks.nonEmptySeparator(feature.getMatch().getEntrySeparator(), featurePath + ".match.entry_separator", out);
    }

    @Override
    public boolean sparse(Feature feature) {
        return false;
    }

    @Override
    public OptionalLong idSpaceSize(Feature feature) {
        return OptionalLong.empty();
    }

    /** The map first, then the key. */
    @Override
    public List<String> inputs(Feature feature) {
        return List.of(feature.getMatch().getMapInput(), feature.getMatch().getKeyInput());
    }
}

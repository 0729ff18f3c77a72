package org.recspark.config.feature;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.proto.Feature;

/**
 * The registry of feature types: the owner of each case of {@code Feature.type}. A feature without
 * a type gets an owner too, whose check reports the missing type and whose facts are those of an
 * input-less float, so validation can go on and report every other violation of the config.
 */
public final class FeatureTypes {
    private static final Map<Feature.TypeCase, FeatureType> OWNERS = new EnumMap<>(Feature.TypeCase.class);

    static {
        OWNERS.put(Feature.TypeCase.ID, new IdFeatureType());
        OWNERS.put(Feature.TypeCase.RAW, new RawFeatureType());
        OWNERS.put(Feature.TypeCase.TAG, new TagFeatureType());
        OWNERS.put(Feature.TypeCase.COMBO, new ComboFeatureType());
        OWNERS.put(Feature.TypeCase.LOOKUP, new LookupFeatureType());
        OWNERS.put(Feature.TypeCase.MATCH, new MatchFeatureType());
        OWNERS.put(Feature.TypeCase.SEQUENCE, new SequenceFeatureType());
        OWNERS.put(Feature.TypeCase.TYPE_NOT_SET, new UntypedFeature());
    }

    private FeatureTypes() {}

    /** The names of the feature types, in the oneof's order. */
    static List<String> names() {
        return OWNERS.entrySet().stream().filter(e -> e.getKey() != Feature.TypeCase.TYPE_NOT_SET)
                .map(e -> e.getValue().name()).toList();
    }

    /** The owner of the feature's type. */
    public static FeatureType of(Feature feature) {
        return of(feature.getTypeCase());
    }

    /** The owner of a type case; {@code TYPE_NOT_SET} has the owner that reports a missing type. */
    public static FeatureType of(Feature.TypeCase type) {
        FeatureType owner = OWNERS.get(type);
        if (owner == null) {
            throw new IllegalStateException("feature type " + type + " has no owner in " + FeatureTypes.class.getName());
        }
        return owner;
    }
}

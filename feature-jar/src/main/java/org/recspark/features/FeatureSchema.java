package org.recspark.features;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The features a generator produces, in config order, with a global id space: embedding tables
 * are laid out in order of first use, features sharing a table share its offset, so
 * {@code global id = spec.idOffset() + local id}.
 */
public final class FeatureSchema {
    private final List<FeatureSpec> features;
    private final Map<String, Integer> indexByName = new HashMap<>();
    private final long totalIds;

    FeatureSchema(List<FeatureSpec> features, long totalIds) {
        this.features = List.copyOf(features);
        for (int i = 0; i < features.size(); i++) {
            indexByName.put(features.get(i).name(), i);
        }
        this.totalIds = totalIds;
    }

    public List<FeatureSpec> features() {
        return features;
    }

    public int size() {
        return features.size();
    }

    public int index(String name) {
        Integer i = indexByName.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no feature named '" + name + "' (features: " + indexByName.keySet() + ")");
        }
        return i;
    }

    public FeatureSpec spec(String name) {
        return features.get(index(name));
    }

    /**
     * The fields of one side's record that some feature reads, in config order: two requests whose
     * user and context records agree on these get the same request features.
     */
    public Set<String> inputFields(Side side) {
        Set<String> fields = new LinkedHashSet<>();
        for (FeatureSpec spec : features) {
            for (String input : spec.inputs()) {
                InputRef ref = InputRef.parse(input);
                if (ref.side() == side) {
                    fields.add(ref.field());
                }
            }
        }
        return fields;
    }

    /** Size of the global id space over all embedding tables. */
    public long totalIds() {
        return totalIds;
    }
}

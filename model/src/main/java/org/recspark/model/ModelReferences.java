package org.recspark.model;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.recspark.config.Violation;
import org.recspark.config.proto.FeatureGroup;
import org.recspark.config.proto.ModelConfig;
import org.recspark.config.proto.PipelineConfig;

/**
 * What a model's config check may look up without compiling features: the feature groups and
 * features by name, as the config declares them. A model's {@link ModelType.ConfigCheck} uses it to
 * report references to groups or features that do not exist, every one at once.
 */
public final class ModelReferences {
    private final PipelineConfig config;
    private final Map<String, FeatureGroup> groups = new LinkedHashMap<>();
    private final Set<String> features = new LinkedHashSet<>();

    public ModelReferences(PipelineConfig config) {
        this.config = config;
        config.getModelConfig().getFeatureGroupsList().forEach(g -> groups.putIfAbsent(g.getName(), g));
        config.getFeatureConfig().getFeaturesList().forEach(f -> features.add(f.getName()));
    }

    public ModelConfig modelConfig() {
        return config.getModelConfig();
    }

    /** The group of that name, or null when the config has none (a violation from {@link #groupRef}). */
    public FeatureGroup group(String name) {
        return groups.get(name);
    }

    public boolean hasFeature(String name) {
        return features.contains(name);
    }

    /** Reports a non-empty group name that names no group of model_config.feature_groups (an empty one is a required-field error). */
    public void groupRef(String name, String path, List<Violation> out) {
        if (!name.isEmpty() && !groups.containsKey(name)) {
            out.add(new Violation(path, "no feature group named '" + name + "' in model_config.feature_groups " + groups.keySet()));
        }
    }

    /** {@link #groupRef} of each name of a repeated field at {@code path}. */
    public void groupRefs(List<String> names, String path, List<Violation> out) {
        for (int j = 0; j < names.size(); j++) {
            groupRef(names.get(j), path + "[" + j + "]", out);
        }
    }

    /** Reports a feature name that names no feature of feature_config. */
    public void featureRef(String name, String path, List<Violation> out) {
        if (!features.contains(name)) {
            out.add(new Violation(path, "no feature named '" + name + "' in feature_config"));
        }
    }
}

package org.recspark.trainer.autocross;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.recspark.config.proto.ComboFeature;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureGroup;
import org.recspark.config.proto.PipelineConfig;

/**
 * Between a pipeline config and a cross search: which features a search may cross, and the config
 * with the selected crosses added as {@code combo} features. Only {@code id} features are crossed: a
 * combo crosses raw input values, and an id feature's ids stand one-to-one for its input's values
 * (bar hash collisions), so a cross of the samples' ids is the combo the config will compute.
 */
public final class CrossConfig {
    static final long MIN_BUCKETS = 1_000;
    static final long MAX_BUCKETS = 1L << 20;

    private CrossConfig() {}

    /** The {@code id} features of the model's feature groups (all of them when the config has no model), in config order. */
    public static List<String> crossableFeatures(PipelineConfig config) {
        Set<String> inGroups = new HashSet<>();
        config.getModelConfig().getFeatureGroupsList().forEach(g -> inGroups.addAll(g.getFeaturesList()));
        return config.getFeatureConfig().getFeaturesList().stream()
                .filter(f -> f.hasId() && (inGroups.isEmpty() || inGroups.contains(f.getName())))
                .map(Feature::getName).toList();
    }

    /**
     * The config with a {@code combo} feature per cross, named {@code <a>_x_<b>[_x_<c>]}, over the
     * crossed features' inputs, with {@code hash_bucket_size} four times the cross's distinct
     * training values (clamped to [1000, 2^20]) and the first crossed feature's embedding
     * dimension, added to the feature group {@code group} (default: the first group holding the
     * first crossed feature).
     *
     * @throws IllegalArgumentException naming a cross field that is not an id feature of the config, or a missing group
     */
    public static PipelineConfig withCrosses(PipelineConfig config, List<ScoredCross> crosses, Optional<String> group) {
        PipelineConfig.Builder b = config.toBuilder();
        Set<String> names = new HashSet<>();
        config.getFeatureConfig().getFeaturesList().forEach(f -> names.add(f.getName()));
        for (ScoredCross cross : crosses) {
            List<Feature> inputs = cross.fields().stream().map(name -> idFeature(config, name)).toList();
            String name = uniqueName(String.join("_x_", cross.fields()), names);
            long buckets = Math.max(MIN_BUCKETS, Math.min(MAX_BUCKETS, 4L * cross.cardinality()));
            ComboFeature.Builder combo = ComboFeature.newBuilder().setHashBucketSize(buckets);
            inputs.forEach(f -> combo.addInputs(f.getId().getInput()));
            b.getFeatureConfigBuilder().addFeatures(Feature.newBuilder().setName(name).setCombo(combo)
                    .setEmbeddingDim(inputs.get(0).getEmbeddingDim()));
            if (b.hasModelConfig()) {
                groupFor(b, cross.fields().get(0), group).addFeatures(name);
            }
        }
        return b.build();
    }

    private static Feature idFeature(PipelineConfig config, String name) {
        return config.getFeatureConfig().getFeaturesList().stream().filter(f -> f.getName().equals(name) && f.hasId()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("cross field " + name + " is not an id feature of feature_config"));
    }

    private static FeatureGroup.Builder groupFor(PipelineConfig.Builder b, String firstField, Optional<String> group) {
        List<FeatureGroup.Builder> groups = b.getModelConfigBuilder().getFeatureGroupsBuilderList();
        return groups.stream()
                .filter(g -> group.map(g.getName()::equals).orElseGet(() -> g.getFeaturesList().contains(firstField)))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(group.map(g -> "model_config has no feature group " + g)
                        .orElse("no feature group of model_config holds " + firstField + "; name one")));
    }

    private static String uniqueName(String base, Set<String> taken) {
        String name = base;
        for (int i = 2; !taken.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }
}

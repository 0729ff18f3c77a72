package org.recspark.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.recspark.config.feature.FeatureType;
import org.recspark.config.feature.FeatureTypes;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;
import org.recspark.config.proto.FeatureGroup;
import org.recspark.config.proto.MLP;
import org.recspark.config.proto.PipelineConfig;

/**
 * Sizes that each field allows on its own but that overflow the arithmetic the code does with them:
 * the global id offsets of the embedding tables (a {@code long} sum, laid out as
 * {@code FeatureGenerator} does: each table once, in the order its first feature appears), and the
 * float arrays of a batch and of a dense layer, which Java indexes with an {@code int}.
 */
final class NumericLimits {
    /** The largest Java array (a few header words below {@code Integer.MAX_VALUE} on common JVMs). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private NumericLimits() {}

    /** The id offsets of the feature config's embedding tables fit a {@code long}. */
    static void checkIdOffsets(FeatureConfig config, String path, List<Violation> out) {
        Set<String> tables = new HashSet<>();
        long nextOffset = 0;
        for (int i = 0; i < config.getFeaturesCount(); i++) {
            Feature feature = config.getFeatures(i);
            FeatureType type = FeatureTypes.of(feature);
            OptionalLong size = type.idSpaceSize(feature);
            if (!type.sparse(feature) || size.isEmpty() || size.getAsLong() <= 0
                    || !tables.add(type.embeddingTable(feature))) {
                continue;
            }
            try {
                nextOffset = Math.addExact(nextOffset, size.getAsLong());
            } catch (ArithmeticException e) {
                out.add(new Violation(type.idSpaceField(feature, ConfigPaths.index(path, "features", i)), "the id spaces of the "
                        + "embedding tables add up to more than " + Long.MAX_VALUE + " (the largest id offset, a long): "
                        + nextOffset + " ids before this table, " + size.getAsLong() + " in it"));
                return;
            }
        }
    }

    /** A batch's rows of each feature and feature group, and each dense layer's weights, fit one float array. */
    static void checkArraySizes(PipelineConfig config, List<Violation> out) {
        List<Feature> features = config.getFeatureConfig().getFeaturesList();
        Map<String, Long> widths = new HashMap<>();
        features.forEach(f -> widths.putIfAbsent(f.getName(), FeatureTypes.of(f).rowWidth(f)));
        long batch = config.getTrainConfig().getBatchSize();
        String batchField = config.hasTrainConfig() && config.getTrainConfig().hasBatchSize()
                ? "train_config.batch_size " + batch : "the default train_config.batch_size " + batch;
        if (batch > 0) {
            for (int i = 0; i < features.size(); i++) {
                long width = widths.get(features.get(i).getName());
                // dense values are laid out per batch whether or not a group uses them; embeddings only in their group
                if (!FeatureTypes.of(features.get(i)).sparse(features.get(i)) && width > MAX_ARRAY / batch) {
                    out.add(new Violation(ConfigPaths.index("feature_config", "features", i), "a batch of its values ("
                            + batchField + " x " + width + " floats per row) exceeds the largest Java array (" + MAX_ARRAY + ")"));
                }
            }
        }
        var groups = config.getModelConfig().getFeatureGroupsList();
        for (int g = 0; g < groups.size() && batch > 0; g++) {
            long width = groupWidth(groups.get(g), widths);
            if (width > MAX_ARRAY / batch) {
                out.add(new Violation(ConfigPaths.index("model_config", "feature_groups", g), "a batch of the group's "
                        + "input (" + batchField + " x " + width + " floats per row) exceeds the largest Java array (" + MAX_ARRAY + ")"));
            }
        }
        if (config.hasModelConfig()) {
            checkLayers(config.getModelConfig(), "model_config", batch, batchField, out);
        }
    }

    /** Every MLP of the model, wherever the model keeps it. */
    private static void checkLayers(MessageOrBuilder message, String path, long batch, String batchField, List<Violation> out) {
        if (message instanceof MLP mlp) {
            for (int k = 0; k < mlp.getHiddenUnitsCount(); k++) {
                long units = mlp.getHiddenUnits(k);
                String unitsPath = ConfigPaths.index(path, "hidden_units", k);
                if (k > 0 && units > 0 && mlp.getHiddenUnits(k - 1) > MAX_ARRAY / units) {
                    out.add(new Violation(unitsPath, "the layer's weights (" + mlp.getHiddenUnits(k - 1) + " x " + units
                            + " floats) exceed the largest Java array (" + MAX_ARRAY + ")"));
                }
                if (batch > 0 && units > MAX_ARRAY / batch) {
                    out.add(new Violation(unitsPath, "a batch of the layer's activations (" + batchField + " x " + units
                            + " floats) exceeds the largest Java array (" + MAX_ARRAY + ")"));
                }
            }
            return;
        }
        for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
            FieldDescriptor field = entry.getKey();
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (field.isRepeated()) {
                List<?> elements = (List<?>) entry.getValue();
                for (int i = 0; i < elements.size(); i++) {
                    checkLayers((MessageOrBuilder) elements.get(i), ConfigPaths.index(path, field.getName(), i), batch, batchField, out);
                }
            } else {
                checkLayers((MessageOrBuilder) entry.getValue(), ConfigPaths.child(path, field.getName()), batch, batchField, out);
            }
        }
    }

    private static long groupWidth(FeatureGroup group, Map<String, Long> widths) {
        long width = 0;
        for (String name : group.getFeaturesList()) {
            width = Math.min(Long.MAX_VALUE / 2, width + widths.getOrDefault(name, 0L));
        }
        return width;
    }
}

package org.recspark.features;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import java.nio.file.Path;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;
import org.recspark.storage.Locations;

/**
 * Vocabulary files moved into the config itself: every {@code vocab_file} is replaced by the
 * {@code vocab_list} it holds (same values, same ids). The driver of a Spark job does this before it
 * ships the config, so executors on other hosts need no copy of files that only the driver sees.
 */
public final class Vocabularies {
    private static final OneofDescriptor TYPE = Feature.getDescriptor().getOneofs().stream()
            .filter(o -> o.getName().equals("type")).findFirst().orElseThrow();

    private Vocabularies() {
    }

    /** The feature config with every vocabulary file read (relative to {@code baseDir}) into its list. */
    public static FeatureConfig inline(FeatureConfig config, Path baseDir) {
        FeatureConfig.Builder out = config.toBuilder();
        for (int i = 0; i < out.getFeaturesCount(); i++) {
            Feature feature = out.getFeatures(i);
            FieldDescriptor type = feature.getOneofFieldDescriptor(TYPE);
            if (type == null) {
                continue;
            }
            Message typed = (Message) feature.getField(type);
            FieldDescriptor file = typed.getDescriptorForType().findFieldByName("vocab_file");
            if (file == null || !typed.hasField(file)) {
                continue;
            }
            String configPath = "feature_config.features[" + i + "]." + type.getName() + ".vocab_file";
            Message.Builder inlined = typed.toBuilder().clearField(file);
            FieldDescriptor list = typed.getDescriptorForType().findFieldByName("vocab_list");
            for (String value : IdSpace.readVocabulary(Locations.resolve(baseDir, (String) typed.getField(file)),
                    configPath)) {
                inlined.addRepeatedField(list, value);
            }
            out.setFeatures(i, feature.toBuilder().setField(type, inlined.build()).build());
        }
        return out.build();
    }
}

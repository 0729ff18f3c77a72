package org.recspark.features;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.recspark.config.feature.FeatureType;
import org.recspark.config.feature.FeatureTypes;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;
import org.recspark.storage.Locations;

/**
 * Vocabulary files moved into the config itself: every {@code vocab_file} is replaced by the
 * {@code vocab_list} it holds (same values, same ids). The driver of a Spark job does this before it
 * ships the config, so executors on other hosts need no copy of files that only the driver sees.
 */
public final class Vocabularies {
    private Vocabularies() {
    }

    /** The feature config with every vocabulary file read (relative to {@code baseDir}) into its list. */
    public static FeatureConfig inline(FeatureConfig config, Path baseDir) {
        FeatureConfig.Builder out = config.toBuilder();
        for (int i = 0; i < out.getFeaturesCount(); i++) {
            Feature feature = out.getFeatures(i);
            FeatureType type = FeatureTypes.of(feature);
            Optional<String> file = type.vocabularyFile(feature);
            if (file.isPresent()) {
                String configPath = "feature_config.features[" + i + "]." + type.name() + ".vocab_file";
                List<String> values = IdSpace.readVocabulary(Locations.resolve(baseDir, file.get()), configPath);
                out.setFeatures(i, type.withVocabularyList(feature, values));
            }
        }
        return out.build();
    }
}

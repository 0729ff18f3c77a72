package org.recspark.config;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.FeatureConfig;
import org.recspark.config.proto.PipelineConfig;

/**
 * Validates configs and returns every violation at once, each with its field path and bad value,
 * e.g. {@code feature_config.features[3].id.hash_bucket_size: must be > 0, got -5}.
 */
public final class ConfigValidator {
    private ConfigValidator() {}

    public static List<Violation> validate(PipelineConfig config) {
        List<Violation> out = new ArrayList<>();
        FieldConstraintChecker.check(config, "", out);
        if (config.hasFeatureConfig()) {
            FeatureConfigRules.check(config.getFeatureConfig(), "feature_config", out);
            NumericLimits.checkIdOffsets(config.getFeatureConfig(), "feature_config", out);
        }
        PipelineRules.check(config, out);
        NumericLimits.checkArraySizes(config, out);
        return out;
    }

    /** Validates a feature config alone (the feature jar compiles one without a full pipeline). */
    public static List<Violation> validateFeatures(FeatureConfig config, String path) {
        List<Violation> out = new ArrayList<>();
        FieldConstraintChecker.check(config, path, out);
        FeatureConfigRules.check(config, path, out);
        NumericLimits.checkIdOffsets(config, path, out);
        return out;
    }

    /** Throws a {@link ConfigException} listing every violation, if there is any. */
    public static void requireValid(PipelineConfig config, String source) {
        List<Violation> violations = validate(config);
        if (!violations.isEmpty()) {
            throw new ConfigException(source, violations);
        }
    }
}

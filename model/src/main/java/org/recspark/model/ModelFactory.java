package org.recspark.model;

import java.util.List;
import java.util.Locale;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.ModelConfig;

/** Builds the model a config selects, through the {@link ModelTypes} registry: a built-in one, or a custom class by name. */
public final class ModelFactory {
    private ModelFactory() {
    }

    /**
     * Runs the model's config check, then its constructor (which checks what needs the compiled
     * features, such as embedding dims).
     *
     * @throws ConfigException with every violation of the model's check, or the constructor's
     */
    public static Model create(ModelContext context) {
        ModelConfig config = context.modelConfig();
        if (!ModelTypes.isRegistered(config.getModelCase())) {
            throw new ConfigException(List.of(new Violation("model_config",
                    "no model is selected (one of " + String.join(", ", ModelTypes.names()) + ")")));
        }
        ModelType type = ModelTypes.of(config.getModelCase());
        List<Violation> violations = type.check().check(new ModelReferences(context.config()));
        if (!violations.isEmpty()) {
            throw new ConfigException(violations);
        }
        return type.constructor().apply(context);
    }

    /** The name a checkpoint and an export record for the model type. */
    public static String typeName(ModelConfig config) {
        return config.getModelCase() == ModelConfig.ModelCase.CUSTOM
                ? "custom:" + config.getCustom().getClassName() : config.getModelCase().name().toLowerCase(Locale.ROOT);
    }
}

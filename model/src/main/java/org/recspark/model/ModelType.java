package org.recspark.model;

import java.util.List;
import java.util.function.Function;
import org.recspark.config.Violation;
import org.recspark.config.proto.ModelConfig;

/**
 * One entry of the {@link ModelTypes} registry: a case of {@code ModelConfig.model}, the name of its
 * oneof field, the model's cross-checks of the config and its constructor.
 *
 * @param name  the oneof field's name in model.proto (lr, wide_and_deep, ...)
 * @param check the model's own rules on the config, run before any feature is compiled; each
 *              violation carries its config path
 */
public record ModelType(ModelConfig.ModelCase modelCase, String name, ConfigCheck check, Function<ModelContext, Model> constructor) {

    /** A model's cross-checks of the config against its groups, features and tasks; returns every violation at once. */
    @FunctionalInterface
    public interface ConfigCheck {
        ConfigCheck NONE = references -> List.of();

        List<Violation> check(ModelReferences references);
    }
}

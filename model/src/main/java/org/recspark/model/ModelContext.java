package org.recspark.model;

import java.util.List;
import java.util.Map;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.LabelField;
import org.recspark.config.proto.ModelConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureSchema;
import org.recspark.model.nn.ModelParameters;

/**
 * What a model is built from: the pipeline config, the feature schema, the parameter registry where
 * it creates its weights, and its feature groups.
 */
public final class ModelContext {
    private final PipelineConfig config;
    private final FeatureSchema schema;
    private final ModelParameters parameters;
    private final FeatureGroups groups;

    public ModelContext(PipelineConfig config, FeatureSchema schema, ModelParameters parameters) {
        this.config = config;
        this.schema = schema;
        this.parameters = parameters;
        this.groups = new FeatureGroups(config, schema, parameters);
    }

    public PipelineConfig config() {
        return config;
    }

    public ModelConfig modelConfig() {
        return config.getModelConfig();
    }

    public FeatureSchema schema() {
        return schema;
    }

    public ModelParameters parameters() {
        return parameters;
    }

    public FeatureGroups groups() {
        return groups;
    }

    /** The custom model's {@code params}, empty for built-in models. */
    public Map<String, String> params() {
        return modelConfig().getCustom().getParamsMap();
    }

    /**
     * The label of a single-task model: model_config.label, or the only label of the input config.
     */
    public String singleLabel() {
        ModelConfig m = modelConfig();
        if (m.hasLabel()) {
            return m.getLabel();
        }
        List<LabelField> labels = config.getInputConfig().getLabelsList();
        if (labels.size() == 1) {
            return labels.get(0).getName();
        }
        throw new ConfigException(List.of(new Violation("model_config.label",
                "is required when input_config has " + labels.size() + " labels (one of " + labels.stream().map(LabelField::getName).toList() + ")")));
    }

    /** The single task of a one-output model. */
    public TaskSpec singleTask() {
        String label = singleLabel();
        return new TaskSpec(label, label, modelConfig().getLoss(), 1f, Model.kindOf(modelConfig().getLoss()));
    }
}

package org.recspark.model;

import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.recspark.config.Violation;
import org.recspark.config.proto.ModelConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.zoo.DbmtlModel;
import org.recspark.model.zoo.DcnV2Model;
import org.recspark.model.zoo.DeepFmModel;
import org.recspark.model.zoo.DinModel;
import org.recspark.model.zoo.DssmModel;
import org.recspark.model.zoo.EsmmModel;
import org.recspark.model.zoo.LogisticRegressionModel;
import org.recspark.model.zoo.MfBprModel;
import org.recspark.model.zoo.MmoeModel;
import org.recspark.model.zoo.MultiTowerModel;
import org.recspark.model.zoo.PleModel;
import org.recspark.model.zoo.WideAndDeepModel;

/**
 * The registry of models: one {@link ModelType} per case of {@code ModelConfig.model}, named after
 * its oneof field. Adding a model is its class (with its {@code check}), its proto message with the
 * oneof entry, and one line here; {@code ModelTypesTest} fails while a proto case has no entry.
 */
public final class ModelTypes {
    private static final Map<ModelConfig.ModelCase, ModelType> TYPES = new EnumMap<>(ModelConfig.ModelCase.class);

    static {
        register(ModelConfig.ModelCase.LR, LogisticRegressionModel::check, LogisticRegressionModel::new);
        register(ModelConfig.ModelCase.WIDE_AND_DEEP, WideAndDeepModel::check, WideAndDeepModel::new);
        register(ModelConfig.ModelCase.DEEPFM, DeepFmModel::check, DeepFmModel::new);
        register(ModelConfig.ModelCase.DCN_V2, ModelType.ConfigCheck.NONE, DcnV2Model::new);
        register(ModelConfig.ModelCase.DIN, DinModel::check, DinModel::new);
        register(ModelConfig.ModelCase.MULTI_TOWER, MultiTowerModel::check, MultiTowerModel::new);
        register(ModelConfig.ModelCase.DSSM, DssmModel::check, DssmModel::new);
        register(ModelConfig.ModelCase.MMOE, ModelType.ConfigCheck.NONE, MmoeModel::new);
        register(ModelConfig.ModelCase.ESMM, ModelType.ConfigCheck.NONE, EsmmModel::new);
        register(ModelConfig.ModelCase.DBMTL, DbmtlModel::check, DbmtlModel::new);
        register(ModelConfig.ModelCase.PLE, ModelType.ConfigCheck.NONE, PleModel::new);
        register(ModelConfig.ModelCase.CUSTOM, ModelType.ConfigCheck.NONE, CustomModelLoader::load);
        register(ModelConfig.ModelCase.MF_BPR, MfBprModel::check, MfBprModel::new);
    }

    private ModelTypes() {}

    private static void register(ModelConfig.ModelCase modelCase, ModelType.ConfigCheck check, Function<ModelContext, Model> constructor) {
        FieldDescriptor field = ModelConfig.getDescriptor().findFieldByNumber(modelCase.getNumber());
        TYPES.put(modelCase, new ModelType(modelCase, field.getName(), check, constructor));
    }

    /** Whether a case has an entry; MODEL_NOT_SET never has. */
    public static boolean isRegistered(ModelConfig.ModelCase modelCase) {
        return TYPES.containsKey(modelCase);
    }

    /** The registered models' names, in the oneof's order. */
    public static List<String> names() {
        return TYPES.values().stream().map(ModelType::name).toList();
    }

    /** The entry of the model a config selects. */
    public static ModelType of(ModelConfig.ModelCase modelCase) {
        ModelType type = TYPES.get(modelCase);
        if (type == null) {
            throw new IllegalStateException(modelCase == ModelConfig.ModelCase.MODEL_NOT_SET ? "no model is selected"
                    : "model " + modelCase + " has no entry in " + ModelTypes.class.getName());
        }
        return type;
    }

    /**
     * The selected model's own checks of the config, every violation at once; none when no model is
     * selected (the config's validation reports that).
     */
    public static List<Violation> check(PipelineConfig config) {
        ModelConfig.ModelCase modelCase = config.getModelConfig().getModelCase();
        if (!TYPES.containsKey(modelCase)) {
            return List.of();
        }
        return of(modelCase).check().check(new ModelReferences(config));
    }
}

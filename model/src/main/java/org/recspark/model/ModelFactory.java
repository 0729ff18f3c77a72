package org.recspark.model;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.ModelConfig;
import org.recspark.model.zoo.DbmtlModel;
import org.recspark.model.zoo.DcnV2Model;
import org.recspark.model.zoo.DeepFmModel;
import org.recspark.model.zoo.DinModel;
import org.recspark.model.zoo.DssmModel;
import org.recspark.model.zoo.EsmmModel;
import org.recspark.model.zoo.LogisticRegressionModel;
import org.recspark.model.zoo.MmoeModel;
import org.recspark.model.zoo.MultiTowerModel;
import org.recspark.model.zoo.PleModel;
import org.recspark.model.zoo.WideAndDeepModel;

/** Builds the model a config selects: a built-in one, or a custom class by name. */
public final class ModelFactory {
    private ModelFactory() {
    }

    public static Model create(ModelContext context) {
        ModelConfig config = context.modelConfig();
        return switch (config.getModelCase()) {
            case LR -> new LogisticRegressionModel(context);
            case WIDE_AND_DEEP -> new WideAndDeepModel(context);
            case DEEPFM -> new DeepFmModel(context);
            case DCN_V2 -> new DcnV2Model(context);
            case DIN -> new DinModel(context);
            case MULTI_TOWER -> new MultiTowerModel(context);
            case DSSM -> new DssmModel(context);
            case MMOE -> new MmoeModel(context);
            case ESMM -> new EsmmModel(context);
            case DBMTL -> new DbmtlModel(context);
            case PLE -> new PleModel(context);
            case CUSTOM -> custom(context, config.getCustom().getClassName());
            case MODEL_NOT_SET -> throw new ConfigException(List.of(new Violation("model_config",
                    "no model is selected (one of lr, wide_and_deep, deepfm, dcn_v2, din, multi_tower, dssm, mmoe, esmm, dbmtl, ple, custom)")));
        };
    }

    /** The name a checkpoint and an export record for the model type. */
    public static String typeName(ModelConfig config) {
        return config.getModelCase() == ModelConfig.ModelCase.CUSTOM
                ? "custom:" + config.getCustom().getClassName() : config.getModelCase().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Model custom(ModelContext context, String className) {
        String path = "model_config.custom.class_name";
        Class<?> type;
        try {
            type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigException(List.of(new Violation(path, "class " + className + " is not on the classpath")));
        }
        if (!Model.class.isAssignableFrom(type)) {
            throw new ConfigException(List.of(new Violation(path, "class " + className + " does not implement " + Model.class.getName())));
        }
        if (!TrainingObjective.class.isAssignableFrom(type)) {
            for (Method m : type.getMethods()) {
                if (m.getName().equals("loss") || m.getName().equals("beforeStep")) {
                    // Model once declared these, so such a class was written for that contract: ignoring the method would
                    // silently train on the tasks' default losses.
                    throw new ConfigException(List.of(new Violation(path, "class " + className + " defines " + m.getName()
                            + "(...) but does not implement " + TrainingObjective.class.getName()
                            + ", so training would not call it; implement that interface for a loss or per-step hook of its own")));
                }
            }
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor(ModelContext.class);
        } catch (NoSuchMethodException e) {
            throw new ConfigException(List.of(new Violation(path, "class " + className + " needs a public constructor taking a "
                    + ModelContext.class.getName())));
        }
        try {
            return (Model) constructor.newInstance(context);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("constructing " + className + " failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + className, e);
        }
    }
}

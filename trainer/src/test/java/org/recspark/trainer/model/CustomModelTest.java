package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigValidator;
import org.recspark.config.Violation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.ModelOutput;
import org.recspark.model.TaskSpec;
import org.recspark.model.TrainingObjective;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;
import org.recspark.trainer.train.Trainer;

/** A model class named in the config's custom section: built by reflection with its params, trained and used like a built-in one. */
class CustomModelTest {
    /** Four 8-wide embeddings and two scalars. */
    private static final int INPUT_DIM = 4 * 8 + 2;

    private static final String GROUPS = """
              feature_groups { name: "all" features: ["user_id", "item_id", "category", "hour", "quality", "category_in_history"] }
            """;

    private static String custom(String className, String params) {
        return "model_config {\n" + GROUPS + "  custom { class_name: \"" + className + "\" " + params + " }\n  label: \"click\"\n}\n";
    }

    private static String hiddenLayerModel(String hidden) {
        return custom(HiddenLayerCustomModel.class.getName(), "params { key: \"hidden\" value: \"" + hidden + "\" }");
    }

    private static ConfigException buildFails(String modelConfig) {
        return assertThrows(ConfigException.class, () -> ZooFixture.build(ZooFixture.parse(modelConfig), 1));
    }

    private static void assertOneViolationAt(ConfigException e, String path, String messagePart) {
        assertEquals(1, e.violations().size(), "one violation expected: " + e.violations());
        Violation v = e.violations().get(0);
        assertEquals(path, v.path(), "violation path: " + v);
        assertTrue(v.message().contains(messagePart), "message should mention '" + messagePart + "': " + v);
    }

    @Test
    void customModelReadsItsParamsTrainsAndPredicts() {
        PipelineConfig config = ZooFixture.parse(hiddenLayerModel("16"));
        assertEquals(List.of(), ConfigValidator.validate(config), "a valid pipeline config");
        ZooFixture.Data data = ZooFixture.data();
        ZooFixture.Built built = ZooFixture.build(config, ZooFixture.MODEL_SEED);
        HiddenLayerCustomModel model = assertInstanceOf(HiddenLayerCustomModel.class, built.model());
        assertEquals(16, model.hidden(), "params { key: \"hidden\" value: \"16\" }");
        assertEquals(INPUT_DIM + "x16", built.parameters().parameter("custom/hidden/weight").shape(),
                "the hidden layer is as wide as the param says");
        assertEquals("custom:" + HiddenLayerCustomModel.class.getName(), ModelFactory.typeName(config.getModelConfig()));

        try (Trainer trainer = new Trainer(config.getTrainConfig(), model, built.parameters(), 1)) {
            trainer.fit(data.train(), null);
            long steps = trainer.state().globalStep();
            assertEquals(4L * ((ZooFixture.TRAIN_ROWS + 127) / 128), steps, "4 epochs of 128-row batches");
            assertEquals(steps, model.beforeStepCalls(), "beforeStep is called once per step");

            Map<String, float[]> predictions = trainer.predict(data.test(), 500);
            assertEquals(List.of("click"), List.copyOf(predictions.keySet()), "the single task is named after its label");
            double auc = ZooFixture.auc(predictions.get("click"), data.test().label("click"));
            assertTrue(auc > 0.75, "the custom model should learn the signal, test AUC " + auc);

            float[] direct = model.forward(Pass.inference(data.test().slice(0, 10))).predictions(model.tasks().get(0));
            for (int i = 0; i < direct.length; i++) {
                assertEquals(predictions.get("click")[i], direct[i], 1e-6, "Trainer.predict is the inference forward pass, row " + i);
            }
        }
    }

    @Test
    void paramsShapeTheModel() {
        ModelParameters params = ZooFixture.build(ZooFixture.parse(hiddenLayerModel("4")), 1).parameters();
        assertEquals(INPUT_DIM + "x4", params.parameter("custom/hidden/weight").shape());
        assertEquals("4x1", params.parameter("custom/output/weight").shape());
    }

    @Test
    void configErrorsOfTheModelItselfPassThroughUnwrapped() {
        assertOneViolationAt(buildFails(hiddenLayerModel("wide")), "model_config.custom.params.hidden", "'wide'");
        assertOneViolationAt(buildFails(custom(HiddenLayerCustomModel.class.getName(), "")), "model_config.custom.params.hidden",
                "positive integer");
    }

    @Test
    void unknownClass() {
        assertOneViolationAt(buildFails(custom("org.recspark.trainer.model.NoSuchModel", "")), "model_config.custom.class_name",
                "org.recspark.trainer.model.NoSuchModel is not on the classpath");
    }

    @Test
    void classNotImplementingModel() {
        assertOneViolationAt(buildFails(custom(NotAModel.class.getName(), "")), "model_config.custom.class_name",
                "does not implement " + Model.class.getName());
        assertOneViolationAt(buildFails(custom("java.lang.String", "")), "model_config.custom.class_name", "does not implement");
    }

    @Test
    void modelWithoutAContextConstructor() {
        assertOneViolationAt(buildFails(custom(NoContextConstructor.class.getName(), "")), "model_config.custom.class_name",
                "needs a public constructor taking a " + ModelContext.class.getName());
        assertOneViolationAt(buildFails(custom(PrivateContextConstructor.class.getName(), "")), "model_config.custom.class_name",
                "needs a public constructor");
    }

    @Test
    void lossWithoutTheTrainingObjectiveIsRefusedNotIgnored() {
        assertOneViolationAt(buildFails(custom(LossWithoutObjective.class.getName(), "")), "model_config.custom.class_name",
                "defines loss(...) but does not implement " + TrainingObjective.class.getName());
    }

    @Test
    void builtInModelsSeeNoCustomParams() {
        ModelContext context = new ModelContext(ZooFixture.parse(ZooConfigs.LR), ZooFixture.data().generator().schema(), new ModelParameters(1));
        assertEquals(Map.of(), context.params());
        assertFalse(context.modelConfig().hasCustom(), "an lr config has no custom section");
    }

    /** A public class with a ModelContext constructor that is no Model. */
    public static final class NotAModel {
        public NotAModel(ModelContext context) {
        }
    }

    /** A Model with only a no-argument constructor. */
    public static final class NoContextConstructor implements Model {
        public NoContextConstructor() {
        }

        @Override
        public List<TaskSpec> tasks() {
            return List.of();
        }

        @Override
        public ModelOutput forward(Pass pass) {
            return new ModelOutput();
        }
    }

    /** A Model whose ModelContext constructor is not public. */
    public static final class PrivateContextConstructor implements Model {
        private PrivateContextConstructor(ModelContext context) {
        }

        @Override
        public List<TaskSpec> tasks() {
            return List.of();
        }

        @Override
        public ModelOutput forward(Pass pass) {
            return new ModelOutput();
        }
    }

    /** A Model with a loss of its own that forgot TrainingObjective: training would never call the method. */
    public static final class LossWithoutObjective implements Model {
        public LossWithoutObjective(ModelContext context) {
        }

        @Override
        public List<TaskSpec> tasks() {
            return List.of();
        }

        @Override
        public ModelOutput forward(Pass pass) {
            return new ModelOutput();
        }

        public Tensor loss(Pass pass, ModelOutput output, float scale) {
            return Tensor.constant(1, 1, new float[1]);
        }
    }
}

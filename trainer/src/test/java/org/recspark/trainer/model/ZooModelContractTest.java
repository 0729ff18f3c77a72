package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.ModelFactory;
import org.recspark.model.ModelTypes;
import org.recspark.model.TaskSpec;
import org.recspark.model.data.Examples;
import org.recspark.trainer.plan.PipelinePlan;
import org.recspark.trainer.train.Trainer;

/**
 * What every built-in model of the registry must do with its default zoo config
 * ({@code zoo/<name>.pbtxt}): pass its own check and the whole pre-flight plan, build with the tasks
 * the plan announced, and predict a finite value per row and task. A model added to the registry is
 * tested here without a line of this file.
 */
class ZooModelContractTest {
    /** A metric for every task, so that the plan, which refuses a run that evaluates nothing, compiles. */
    private static final String EVAL_CONFIG = "eval_config { metrics { auc {} } }\n";

    static Stream<String> models() {
        return ZooConfigs.builtInModels().stream();
    }

    @ParameterizedTest
    @MethodSource("models")
    void defaultConfigPlansBuildsAndPredicts(String name) {
        PipelineConfig config = ZooFixture.parse(ZooConfigs.of(name), ZooFixture.TRAIN_CONFIG + EVAL_CONFIG);
        assertEquals(name, ModelTypes.of(config.getModelConfig().getModelCase()).name(), "zoo/" + name + ".pbtxt selects " + name);
        assertEquals(List.of(), ModelTypes.check(config), name + ": its own check passes on its default config");

        PipelinePlan plan = PipelinePlan.compile(config, ZooFixture.data().generator().schema());
        assertEquals(ModelFactory.typeName(config.getModelConfig()), plan.modelType());
        ZooFixture.Built built = ZooFixture.build(config, 5);
        assertEquals(plan.tasks(), built.model().tasks(), name + ": the plan's tasks are the model's");
        assertFalse(plan.parameters().isEmpty(), name + ": the plan sees the model's parameters (mf_bpr has embedding tables only)");

        Examples test = ZooFixture.data().test().slice(0, 64);
        Map<String, float[]> predictions = Trainer.predict(built.model(), test, 32);
        assertEquals(built.model().tasks().stream().map(TaskSpec::name).toList(), List.copyOf(predictions.keySet()));
        for (Map.Entry<String, float[]> task : predictions.entrySet()) {
            assertEquals(test.numRows(), task.getValue().length, name + "/" + task.getKey() + ": a prediction per row");
            for (float p : task.getValue()) {
                assertTrue(Float.isFinite(p), name + "/" + task.getKey() + ": finite predictions, got " + p);
            }
        }
    }
}

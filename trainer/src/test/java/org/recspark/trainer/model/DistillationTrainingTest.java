package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.data.Examples;
import org.recspark.trainer.plan.PipelinePlan;
import org.recspark.trainer.plan.SampleColumn;
import org.recspark.trainer.train.Trainer;
import org.recspark.trainer.train.TrainingListener;

/**
 * Distillation through the trainer on the synthetic data, whose true click probability plays the
 * teacher: a DeepFM trained on the hard clicks and the teacher's logits ends nearer the
 * teacher than the same model on the clicks alone, without losing AUC; and the plan refuses every
 * misconfigured distillation with its config path.
 */
class DistillationTrainingTest {
    private static final String TEACHER = "teacher_logit";

    /** ZooFixture's pipeline with the teacher's column in the samples and among the labels. */
    private static PipelineConfig config(String modelConfig, String distillation) {
        String input = ZooFixture.INPUT_CONFIG
                .replace("schema { name: \"conversion\" type: INT64 }", "schema { name: \"conversion\" type: INT64 }\n"
                        + "    schema { name: \"" + TEACHER + "\" type: DOUBLE }")
                .replace("labels { name: \"conversion\" }", "labels { name: \"conversion\" }\n  labels { name: \"" + TEACHER + "\" }");
        String train = ZooFixture.trainConfig(128, 4).replace("log_every_steps: 100000", "log_every_steps: 100000\n" + distillation);
        return ConfigParser.parseText(input + ZooFixture.FEATURE_CONFIG + modelConfig + train + "eval_config { metrics { auc {} } }\n",
                "distill.pbtxt");
    }

    private static Examples withTeacher(Examples examples, List<SyntheticCtrData.Row> rows) {
        float[] logits = new float[rows.size()];
        for (int i = 0; i < logits.length; i++) {
            double p = rows.get(i).clickProbability();
            logits[i] = (float) Math.log(p / (1 - p));
        }
        return examples.withLabel(TEACHER, logits);
    }

    /** Test predictions of the model trained with the config. */
    private static float[] trainAndPredict(PipelineConfig config) {
        ZooFixture.Data d = ZooFixture.data();
        ZooFixture.Built built = ZooFixture.build(config, ZooFixture.MODEL_SEED);
        try (Trainer trainer = new Trainer(config.getTrainConfig(), built.model(), built.parameters(), 1)) {
            trainer.fit(withTeacher(d.train(), d.raw().trainRows()), new TrainingListener() { });
            Map<String, float[]> predictions = trainer.predict(d.test(), 512);
            return predictions.get("click");
        }
    }

    private static double meanGapToTeacher(float[] predictions) {
        List<SyntheticCtrData.Row> rows = ZooFixture.data().raw().testRows();
        double sum = 0;
        for (int i = 0; i < predictions.length; i++) {
            sum += Math.abs(predictions[i] - rows.get(i).clickProbability());
        }
        return sum / predictions.length;
    }

    @Test
    void aDistilledStudentEndsNearerItsTeacher() {
        float[] plain = trainAndPredict(config(ZooConfigs.DEEPFM, ""));
        float[] distilled = trainAndPredict(config(ZooConfigs.DEEPFM,
                "distillation { soft_label: \"" + TEACHER + "\" loss: CROSS_ENTROPY loss_weight: 2 temperature: 2 }"));
        double plainGap = meanGapToTeacher(plain);
        double distilledGap = meanGapToTeacher(distilled);
        assertTrue(distilledGap < 0.8 * plainGap, "mean |p - p_teacher| on test rows: " + distilledGap + " distilled, " + plainGap + " without");
        float[] clicks = ZooFixture.data().test().label("click");
        double plainAuc = ZooFixture.auc(plain, clicks);
        double distilledAuc = ZooFixture.auc(distilled, clicks);
        assertTrue(distilledAuc > plainAuc - 0.005, "test AUC " + distilledAuc + " distilled, " + plainAuc + " without");
    }

    private static ConfigException planFails(PipelineConfig config) {
        return assertThrows(ConfigException.class, () -> PipelinePlan.compile(config, Path.of(".")));
    }

    private static void assertReports(PipelineConfig config, String path, String messagePart) {
        ConfigException e = planFails(config);
        assertTrue(e.violations().stream().anyMatch(v -> v.path().equals(path) && v.message().contains(messagePart)),
                "expected " + path + ": ..." + messagePart + "... in " + e.getMessage());
    }

    @Test
    void theTeachersColumnIsPartOfTheSamplesTheTrainerExpects() {
        PipelinePlan plan = assertDoesNotThrow(() -> PipelinePlan.compile(config(ZooConfigs.LR,
                "distillation { soft_label: \"" + TEACHER + "\" }"), Path.of(".")));
        assertTrue(plan.samples().columns().contains(new SampleColumn(TEACHER, SampleColumn.Type.NUMBER)), plan.samples().columns().toString());
    }

    @Test
    void misconfiguredDistillationIsRefusedWithItsPath() {
        String lr = ZooConfigs.LR;
        String path = "train_config.distillation[0]";
        assertReports(config(lr, "distillation { soft_label: \"teacher\" }"), path + ".soft_label", "is not one of input_config.labels");
        assertReports(config(lr, "distillation { }"), path + ".soft_label", "");
        assertReports(config(lr, "distillation { soft_label: \"click\" }"), path + ".soft_label", "is the hard label of task 'click'");
        assertReports(config(lr, "distillation { soft_label: \"" + TEACHER + "\" temperature: 0 }"), path + ".temperature", "");
        assertReports(config(lr, "distillation { soft_label: \"" + TEACHER + "\" loss_weight: -1 }"), path + ".loss_weight", "");
        assertReports(config(lr, "distillation { soft_label: \"" + TEACHER + "\" loss: L2 temperature: 3 }"), path + ".temperature",
                "does not depend on T");
        assertReports(config(lr, "distillation { task: \"ctr\" soft_label: \"" + TEACHER + "\" }"), path + ".task", "is not a task of the model");
        String mmoe = ZooConfigs.of("mmoe");
        assertReports(config(mmoe, "distillation { soft_label: \"" + TEACHER + "\" }"), path + ".task", "is required when the model has 2 tasks");
        assertDoesNotThrow(() -> PipelinePlan.compile(config(mmoe, "distillation { task: \"cvr\" soft_label: \"" + TEACHER + "\" }"), Path.of(".")));
        PipelineConfig valid = config(lr, "distillation { soft_label: \"" + TEACHER + "\" }");
        PipelineConfig withThreshold = valid.toBuilder().setInputConfig(valid.getInputConfig().toBuilder()
                .setLabels(2, valid.getInputConfig().getLabels(2).toBuilder().setPositiveThreshold(0.5))).build();
        assertReports(withThreshold, path + ".soft_label", "has a positive_threshold");
    }

    @Test
    void aTaskWhoseOutputIsAProbabilityCannotBeDistilled() {
        assertReports(config(ZooConfigs.of("esmm"), "distillation { task: \"ctcvr\" soft_label: \"" + TEACHER + "\" }"),
                "train_config.distillation[0].task", "distillation needs a task whose output is a logit");
    }
}

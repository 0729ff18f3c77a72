package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.Model;
import org.recspark.model.ModelOutput;
import org.recspark.model.TaskSpec;
import org.recspark.model.TrainingObjective;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;
import org.recspark.trainer.train.Trainer;

/** What multi-task models output: one prediction column per task, and ESMM's pCTCVR = pCTR * pCVR. */
class MultiTaskOutputTest {
    /** The registry's built-in models whose default zoo config has several tasks. */
    static Stream<String> multiTaskModels() {
        return ZooConfigs.builtInModels().stream()
                .filter(name -> ZooFixture.build(ZooFixture.parse(ZooConfigs.of(name)), 3).model().tasks().size() > 1);
    }

    @Test
    void theMultiTaskModelsAreFoundInTheRegistry() {
        List<String> found = multiTaskModels().toList();
        assertTrue(found.containsAll(List.of("mmoe", "esmm", "dbmtl", "ple")), "multi-task models found: " + found);
    }

    @ParameterizedTest
    @MethodSource("multiTaskModels")
    void onePredictionColumnPerTask(String name) {
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(ZooConfigs.of(name)), 3);
        List<String> tasks = built.model().tasks().stream().map(TaskSpec::name).toList();
        assertEquals(2, tasks.size(), name + ": two tasks configured");
        assertEquals(List.of("click", "conversion"), built.model().tasks().stream().map(TaskSpec::label).toList(),
                name + ": task labels as configured");

        Examples test = ZooFixture.data().test();
        Map<String, float[]> predictions = Trainer.predict(built.model(), test, 300);
        assertEquals(tasks, List.copyOf(predictions.keySet()), name + ": predictions keyed by task name, in task order");
        for (String task : tasks) {
            assertEquals(test.numRows(), predictions.get(task).length, name + "/" + task + ": a prediction per row");
        }
        // Rows are independent at inference: batching changes at most the rounding of the matrix products.
        Map<String, float[]> otherBatching = Trainer.predict(built.model(), test, 77);
        for (String task : tasks) {
            assertArrayEquals(predictions.get(task), otherBatching.get(task), 1e-6f, name + "/" + task + ": independent of batch size");
        }
    }

    @Test
    void esmmCvrTaskOutputIsPctrTimesPcvr() {
        PipelineConfig config = ZooFixture.parse(ZooConfigs.ESMM, ZooFixture.trainConfig(256, 2));
        ZooFixture.Run run = ZooFixture.train(config, 1);
        Model model = run.model();
        Examples batch = ZooFixture.data().test().slice(0, 300);
        ModelOutput output = model.forward(Pass.inference(batch));

        float[] ctrLogits = output.task("ctr").data();
        float[] pcvr = output.extra("pcvr").data();
        float[] pctcvr = output.task("ctcvr").data();
        assertEquals(batch.numRows(), pcvr.length, "pcvr: B x 1");
        float[] predictedCtr = run.predictions().get("ctr");
        float[] predictedCtcvr = run.predictions().get("ctcvr");
        boolean pcvrVaries = false;
        for (int i = 0; i < batch.numRows(); i++) {
            float pctr = Graph.sigmoid(ctrLogits[i]);
            assertTrue(pcvr[i] > 0 && pcvr[i] < 1, "pcvr is a probability, row " + i + ": " + pcvr[i]);
            assertEquals(pctr * pcvr[i], pctcvr[i], 1e-6, "pCTCVR = pCTR * pCVR, row " + i);
            assertTrue(pctcvr[i] <= pctr, "pCTCVR <= pCTR, row " + i);
            assertEquals(pctr, predictedCtr[i], 1e-6, "the ctr prediction is sigmoid(logit), row " + i);
            assertEquals(pctcvr[i], predictedCtcvr[i], 0f, "the cvr task predicts pCTCVR itself, row " + i);
            pcvrVaries |= Math.abs(pcvr[i] - pcvr[0]) > 1e-3;
        }
        assertTrue(pcvrVaries, "pCVR should depend on the input after training");
        assertThrows(IllegalArgumentException.class, () -> output.task("pcvr"), "pCVR is an extra tensor, not a task");
    }

    @Test
    void esmmTrainsBothTasksOverAllImpressions() {
        // The loss is BCE(pCTR, click) + BCE(pCTCVR, conversion) over every row: no selection on clicks.
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(ZooConfigs.ESMM), 5);
        Examples batch = ZooFixture.data().train().slice(0, 200);
        Pass pass = Pass.inference(batch);
        ModelOutput output = built.model().forward(pass);
        Tensor loss = TrainingObjective.of(built.model()).loss(pass, output, 1f / batch.numRows());

        float[] click = batch.label("click");
        float[] conversion = batch.label("conversion");
        double expected = 0;
        for (int i = 0; i < batch.numRows(); i++) {
            double pctr = Graph.sigmoid(output.task("ctr").data()[i]);
            double pctcvr = output.task("ctcvr").data()[i];
            expected -= click[i] * Math.log(pctr) + (1 - click[i]) * Math.log(1 - pctr);
            expected -= conversion[i] * Math.log(pctcvr) + (1 - conversion[i]) * Math.log(1 - pctcvr);
        }
        expected /= batch.numRows();
        assertEquals(expected, loss.data()[0], 1e-4, "ESMM loss over all impressions");
    }
}

package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.recspark.config.ConfigValidator;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.TaskSpec;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;

/**
 * Every built-in model, built from a text-format config alone, learns the planted signal of
 * {@link SyntheticCtrData}: test AUC of each task clearly above chance (the Bayes-optimal click
 * AUC of the test set is about 0.84), and a training loss that goes down from the first epoch to the
 * last. The configs also pass the pipeline validator, and the structure each one asks for (cross
 * layers of a given rank, a relation between tasks, levels of experts) is checked in the parameters.
 */
class ModelZooTrainingTest {
    /** Deep input width of ZooConfigs.ALL_DEEP: five 8-wide embeddings and two scalars. */
    private static final int ALL_DEEP_DIM = 5 * 8 + 2;

    private static ZooFixture.Run trainValid(String modelConfig, String trainConfig) {
        PipelineConfig config = ZooFixture.parse(modelConfig, trainConfig);
        assertEquals(List.of(), ConfigValidator.validate(config), "the test config should be a valid pipeline config");
        return ZooFixture.train(config, 1);
    }

    /** Each task's test AUC above {@code minAuc}, predictions are probabilities, and the loss went down. */
    private static Map<String, Double> assertLearns(String model, ZooFixture.Run run, double minAuc) {
        Map<String, Double> aucs = ZooFixture.taskAucs(run);
        assertEquals(run.model().tasks().size(), run.predictions().size(), model + ": one prediction column per task");
        for (TaskSpec task : run.model().tasks()) {
            float[] p = run.predictions().get(task.name());
            assertEquals(ZooFixture.TEST_ROWS, p.length, model + "/" + task.name() + ": one prediction per test row");
            for (float v : p) {
                assertTrue(v >= 0 && v <= 1, model + "/" + task.name() + ": prediction " + v + " is not a probability");
            }
            double auc = aucs.get(task.name());
            assertTrue(auc > minAuc, model + "/" + task.name() + ": test AUC " + auc + " should be > " + minAuc);
        }
        List<Double> losses = run.epochLosses();
        assertTrue(run.lastEpochLoss() < run.firstEpochLoss() - 0.02,
                model + ": mean training loss should fall from the first epoch to the last, got " + losses);
        return aucs;
    }

    private static Parameter parameter(ModelParameters params, String name) {
        Parameter p = params.parameter(name);
        assertNotNull(p, "parameter " + name + " should exist");
        return p;
    }

    @Test
    void logisticRegression() {
        ZooFixture.Run run = trainValid(ZooConfigs.LR, ZooFixture.TRAIN_CONFIG);
        assertLearns("lr", run, 0.75);
        EmbeddingTable wide = run.parameters().tableNamed("user_id/wide");
        assertNotNull(wide, "a WIDE group gets one-dimensional weight tables");
        assertEquals(1, wide.dim());
        assertNull(run.parameters().tableNamed("user_id"), "lr should not create embedding tables");
    }

    @Test
    void wideAndDeep() {
        ZooFixture.Run run = trainValid(ZooConfigs.WIDE_AND_DEEP, ZooFixture.TRAIN_CONFIG);
        assertLearns("wide_and_deep", run, 0.75);
        assertEquals(8 * 5 + 1, parameter(run.parameters(), "wide_and_deep/dnn/0/weight").rows(),
                "the DNN reads the deep group only (user_id, item_id, category, hour, seq_categories, quality)");
    }

    @Test
    void deepFm() {
        ZooFixture.Run run = trainValid(ZooConfigs.DEEPFM, ZooFixture.TRAIN_CONFIG);
        // Without the category_in_history feature the FM term has to find category x seq_categories.
        assertLearns("deepfm", run, 0.70);
        assertNotNull(run.parameters().tableNamed("item_emb/wide"), "use_first_order (default) adds first-order weights");
    }

    @ParameterizedTest(name = "dcn_v2 low_rank={0} stacked={1}")
    @CsvSource({"0, false", "0, true", "4, false", "4, true"})
    void dcnV2(int lowRank, boolean stacked) {
        ZooFixture.Run run = trainValid(ZooConfigs.dcnV2(lowRank, stacked), ZooFixture.TRAIN_CONFIG);
        assertLearns("dcn_v2", run, 0.75);
        ModelParameters params = run.parameters();
        int d = ALL_DEEP_DIM;
        for (int layer = 0; layer < 2; layer++) {
            String prefix = "dcn_v2/cross/" + layer;
            if (lowRank == 0) {
                assertEquals(d + "x" + d, parameter(params, prefix + "/w").shape(), "full-rank cross weight");
                assertNull(params.parameter(prefix + "/v"), "no low-rank factors at full rank");
            } else {
                assertEquals(d + "x" + lowRank, parameter(params, prefix + "/v").shape(), "low-rank factor V");
                assertEquals(lowRank + "x" + d, parameter(params, prefix + "/u").shape(), "low-rank factor U");
                assertNull(params.parameter(prefix + "/w"), "no full-rank weight at low rank");
            }
        }
        assertNull(params.parameter("dcn_v2/cross/2/bias"), "num_cross_layers: 2");
        // Stacked: the output sees the DNN on top of the cross network; parallel: cross output beside the DNN.
        assertEquals(stacked ? 16 : d + 16, parameter(params, "dcn_v2/output/weight").rows(), "output layer input width");
    }

    @Test
    void din() {
        ZooFixture.Run run = trainValid(ZooConfigs.DIN, ZooFixture.trainConfig(128, 6));
        // The click signal is only reachable through attention over the history here.
        assertLearns("din", run, 0.65);
        ModelParameters params = run.parameters();
        assertEquals((4 * 16) + "x64", parameter(params, "din/attention/0/weight").shape(),
                "default attention MLP (64, 32) over [target, key, target - key, target * key] of 16 columns");
        assertEquals(8 + 8 + 1 + 2 * 16, parameter(params, "din/dnn/0/weight").rows(), "DNN reads profile, interest and target");
        assertNull(params.tableNamed("seq_items"), "the sequence uses the shared table, not its own");
        assertNotNull(params.tableNamed("item_emb"));
    }

    @Test
    void multiTower() {
        ZooFixture.Run run = trainValid(ZooConfigs.MULTI_TOWER, ZooFixture.TRAIN_CONFIG);
        assertLearns("multi_tower", run, 0.75);
        assertEquals(16, parameter(run.parameters(), "multi_tower/user/0/weight").rows(), "user tower: user_id + seq_categories");
        assertEquals(17, parameter(run.parameters(), "multi_tower/item/0/weight").rows(), "item tower: item_id + category + quality");
        assertEquals(16 + 16 + 8, parameter(run.parameters(), "multi_tower/final/0/weight").rows(), "final DNN reads all towers");
    }

    @Test
    void dssmInBatchNegativesWithAndWithoutPopularityCorrection() {
        String train = ZooFixture.trainConfig(128, 12);
        ZooFixture.Run corrected = trainValid(ZooConfigs.dssm(true, true, "[16]"), train);
        ZooFixture.Run plain = trainValid(ZooConfigs.dssm(true, false, "[16]"), train);
        // A retrieval model scored pointwise: its pair score ranks clicks above non-clicks.
        assertLearns("dssm with popularity correction", corrected, 0.60);
        assertLearns("dssm without popularity correction", plain, 0.60);

        float[] correctedGap = parameter(corrected.parameters(), "dssm/frequency/gap").value();
        float[] plainGap = parameter(plain.parameters(), "dssm/frequency/gap").value();
        double maxGap = 0;
        for (float g : correctedGap) {
            maxGap = Math.max(maxGap, g);
        }
        assertTrue(maxGap > 1, "item frequency estimates should pass one step between appearances, so the correction applies; max " + maxGap);
        for (float g : plainGap) {
            assertEquals(0f, g, "without popularity correction no frequency is estimated");
        }
        assertFalse(Arrays.equals(corrected.predictions().get("click"), plain.predictions().get("click")),
                "the popularity correction should change what the model learns");
    }

    @Test
    void dssmPointwise() {
        ZooFixture.Run run = trainValid(ZooConfigs.dssm(false, false, "[32, 16]"), ZooFixture.trainConfig(128, 12));
        assertLearns("dssm pointwise", run, 0.60);
        float[] p = run.predictions().get("click");
        long below = 0;
        for (float v : p) {
            below += v < 0.5f ? 1 : 0;
        }
        // About 30% of impressions are clicks: a calibrated pair score is mostly below 0.5.
        assertTrue(below > p.length / 2, "most pointwise predictions should be below 0.5, got " + below + " of " + p.length);
        for (float g : parameter(run.parameters(), "dssm/frequency/gap").value()) {
            assertEquals(0f, g, "pointwise training estimates no item frequencies");
        }
    }

    @Test
    void mmoe() {
        ZooFixture.Run run = trainValid(ZooConfigs.MMOE, ZooFixture.TRAIN_CONFIG);
        assertLearns("mmoe", run, 0.75);
        assertEquals(ALL_DEEP_DIM + "x3", parameter(run.parameters(), "mmoe/gate/ctr/weight").shape(), "a gate over 3 experts per task");
        assertNotNull(run.parameters().parameter("mmoe/gate/cvr/weight"));
        assertNotNull(run.parameters().parameter("mmoe/expert/2/0/weight"));
        assertNull(run.parameters().parameter("mmoe/expert/3/0/weight"), "num_experts: 3");
    }

    @Test
    void esmm() {
        ZooFixture.Run run = trainValid(ZooConfigs.ESMM, ZooFixture.TRAIN_CONFIG);
        assertLearns("esmm", run, 0.75);
        assertEquals(List.of(TaskSpec.OutputKind.LOGIT, TaskSpec.OutputKind.PROBABILITY),
                run.model().tasks().stream().map(TaskSpec::kind).toList(), "ctr is a logit, ctcvr a probability");
    }

    @Test
    void dbmtlWithARelation() {
        ZooFixture.Run run = trainValid(ZooConfigs.DBMTL, ZooFixture.TRAIN_CONFIG);
        assertLearns("dbmtl", run, 0.75);
        assertEquals(32, parameter(run.parameters(), "dbmtl/task/ctr/tower/0/weight").rows(), "ctr reads the bottom");
        assertEquals(32 + 8, parameter(run.parameters(), "dbmtl/task/cvr/tower/0/weight").rows(),
                "cvr depends on ctr: it reads the bottom and ctr's last hidden layer");
        assertEquals(List.of("ctr", "cvr"), run.model().tasks().stream().map(TaskSpec::name).toList(), "tasks in config order");
    }

    @Test
    void pleWithTwoLevels() {
        ZooFixture.Run run = trainValid(ZooConfigs.PLE, ZooFixture.TRAIN_CONFIG);
        assertLearns("ple", run, 0.75);
        ModelParameters params = run.parameters();
        assertEquals(ALL_DEEP_DIM + "x16", parameter(params, "ple/level0/ctr/expert/0/0/weight").shape(), "level 0 reads the input");
        assertEquals("16x16", parameter(params, "ple/level1/ctr/expert/0/0/weight").shape(), "level 1 reads level 0's mixtures");
        assertEquals(ALL_DEEP_DIM + "x3", parameter(params, "ple/level0/shared/gate/weight").shape(),
                "the shared gate of level 0 mixes both tasks' experts and the shared one");
        assertNull(params.parameter("ple/level1/shared/gate/weight"), "the last level has no shared gate");
        assertEquals("16x2", parameter(params, "ple/level1/cvr/gate/weight").shape(), "a task gate mixes its expert and the shared one");
    }
}

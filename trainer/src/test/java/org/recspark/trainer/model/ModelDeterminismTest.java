package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.ModelFactory;

/**
 * Training is a function of config and seed: the same run twice gives bit-identical predictions, a
 * different model seed does not, and two threads (shards merged in a fixed order) train to the same
 * quality as one, reproducibly.
 */
class ModelDeterminismTest {
    /** Dropout and batch norm too, so every source of randomness and batch statistics is covered. */
    private static final String DEEPFM_WITH_DROPOUT_AND_BATCH_NORM = """
            model_config {
              feature_groups { name: "all" features: ["user_id", "item_id", "category", "hour", "seq_categories", "quality"] }
              deepfm { dnn { hidden_units: [32, 16] dropout: 0.1 batch_norm: true } }
              label: "click"
            }
            """;

    private static void assertSamePredictions(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": same tasks");
        for (String task : expected.keySet()) {
            assertArrayEquals(expected.get(task), actual.get(task), what + ": task " + task + " should be bit-identical");
        }
    }

    @Test
    void sameConfigAndSeedGiveBitIdenticalPredictions() {
        PipelineConfig config = ZooFixture.parse(DEEPFM_WITH_DROPOUT_AND_BATCH_NORM);
        ZooFixture.Run first = ZooFixture.train(config, 1);
        ZooFixture.Run second = ZooFixture.train(config, 1);
        assertSamePredictions(first.predictions(), second.predictions(), "deepfm trained twice");
        assertEquals(first.epochLosses(), second.epochLosses(), "deepfm trained twice: same losses");

        ZooFixture.Run otherSeed = ZooFixture.train(config, 1, ZooFixture.MODEL_SEED + 1);
        assertFalse(Arrays.equals(first.predictions().get("click"), otherSeed.predictions().get("click")),
                "another model seed should start from other weights");
    }

    @Test
    void multiTaskAndSequenceModelsAreDeterministicToo() {
        for (String model : new String[] {ZooConfigs.PLE, ZooConfigs.DIN, ZooConfigs.dssm(true, true, "[16]")}) {
            PipelineConfig config = ZooFixture.parse(model, ZooFixture.trainConfig(256, 2));
            assertSamePredictions(ZooFixture.train(config, 1).predictions(), ZooFixture.train(config, 1).predictions(),
                    ModelFactory.typeName(config.getModelConfig()) + " trained twice");
        }
    }

    @Test
    void twoThreadsTrainAsWellAsOneAndReproducibly() {
        PipelineConfig config = ZooFixture.parse(DEEPFM_WITH_DROPOUT_AND_BATCH_NORM);
        ZooFixture.Run single = ZooFixture.train(config, 1);
        ZooFixture.Run twoThreads = ZooFixture.train(config, 2);
        double aucSingle = ZooFixture.taskAucs(single).get("click");
        double aucTwo = ZooFixture.taskAucs(twoThreads).get("click");
        assertTrue(aucTwo > 0.7, "two threads should learn the signal, AUC " + aucTwo);
        assertEquals(aucSingle, aucTwo, 0.02, "two threads should reach the AUC of one (" + aucSingle + " vs " + aucTwo + ")");
        assertSamePredictions(twoThreads.predictions(), ZooFixture.train(config, 2).predictions(),
                "two threads trained twice (shards merge in a fixed order)");
    }

    @Test
    void twoThreadsWithInBatchNegatives() {
        // Each shard takes its in-batch negatives from its own half of the batch: fewer negatives, same quality.
        PipelineConfig config = ZooFixture.parse(ZooConfigs.dssm(true, true, "[16]"), ZooFixture.trainConfig(128, 12));
        double single = ZooFixture.taskAucs(ZooFixture.train(config, 1)).get("click");
        double two = ZooFixture.taskAucs(ZooFixture.train(config, 2)).get("click");
        assertTrue(two > 0.6, "dssm with two threads should learn the signal, AUC " + two);
        assertEquals(single, two, 0.03, "dssm with two threads should reach about the AUC of one");
    }
}

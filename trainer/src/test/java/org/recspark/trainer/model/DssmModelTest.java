package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigValidator;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.Pooling;
import org.recspark.model.ModelOutput;
import org.recspark.model.TrainingObjective;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.nn.Pass;

/**
 * DSSM's outputs, its towers without an MLP (matrix factorisation) and with the behaviour history
 * (YouTube DNN), and its streaming item-frequency estimate (for the popularity correction).
 */
class DssmModelTest {
    private static final float TEMPERATURE = 0.2f;

    @Test
    void scoreIsTheScaledCosineOfTheTowerEmbeddings() {
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(ZooConfigs.dssm(true, true, "[32, 16]")), 3);
        Examples batch = ZooFixture.data().test().slice(0, 200);
        ModelOutput output = built.model().forward(Pass.inference(batch));
        float[] u = output.extra("user_embedding").data();
        float[] v = output.extra("item_embedding").data();
        float[] score = output.task("click").data();
        assertEquals(batch.numRows() * 16, u.length, "user embeddings: B x 16");
        assertEquals(batch.numRows() * 16, v.length, "item embeddings: B x 16");
        int negativeEntries = 0;
        for (int r = 0; r < batch.numRows(); r++) {
            double uu = 0;
            double vv = 0;
            double uv = 0;
            for (int j = 0; j < 16; j++) {
                uu += u[r * 16 + j] * u[r * 16 + j];
                vv += v[r * 16 + j] * v[r * 16 + j];
                uv += u[r * 16 + j] * v[r * 16 + j];
            }
            assertEquals(1, uu, 1e-5, "normalize: unit user embedding, row " + r);
            assertEquals(1, vv, 1e-5, "normalize: unit item embedding, row " + r);
            assertEquals(uv / TEMPERATURE, score[r], 1e-4, "score = cosine / temperature, row " + r);
        }
        // The towers end in a linear layer: a ReLU there would make every embedding entry and so every
        // cosine >= 0, and a pointwise DSSM could never predict below 0.5.
        for (int i = 0; i < u.length; i++) {
            negativeEntries += (u[i] < 0 ? 1 : 0) + (v[i] < 0 ? 1 : 0);
        }
        assertTrue(negativeEntries > u.length / 10, "tower outputs should take both signs, " + negativeEntries + " of "
                + 2 * u.length + " entries are negative");
    }

    @Test
    void towersWithoutAnMlpAreTheNormalisedEmbeddings() {
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(ZooConfigs.dssmMatrixFactorisation()), 3);
        Examples batch = ZooFixture.data().test().slice(0, 20);
        built.parameters().allocateRows(batch);
        ModelOutput output = built.model().forward(Pass.inference(batch));
        float[] u = output.extra("user_embedding").data();
        SparseValues users = batch.sparse(ZooFixture.data().generator().schema().index("user_id"));
        EmbeddingTable table = built.parameters().tableNamed("user_id");
        for (int r = 0; r < batch.numRows(); r++) {
            int slot = table.findSlot(users.ids()[users.start(r)]);
            float[] row = Arrays.copyOfRange(table.values(slot), table.offset(slot), table.offset(slot) + 8);
            double norm = 0;
            for (float x : row) {
                norm += x * x;
            }
            for (int j = 0; j < 8; j++) {
                assertEquals(row[j] / Math.sqrt(norm), u[r * 8 + j], 1e-5, "row " + r + ": the user's own embedding, normalised");
            }
        }
        assertTrue(built.parameters().trainable().isEmpty(), "no tower weights: " + built.parameters().trainable());
    }

    @Test
    void towersOfDifferentWidthsAreAConfigError() {
        String config = ZooConfigs.dssmMatrixFactorisation().replace("\"item_id\"]", "\"item_id\", \"quality\"]");
        ConfigException e = assertThrows(ConfigException.class, () -> ZooFixture.build(ZooFixture.parse(config), 3));
        assertEquals("model_config.dssm", e.violations().get(0).path());
        assertTrue(e.violations().get(0).message().contains("user tower 8 (no MLP: the width of group 'user'), item tower 9 (no MLP: "
                + "the width of group 'item')"), e.violations().get(0).message());
    }

    /**
     * Trained on {@link PlantedPreferences}, matrix factorisation with the sampled softmax and the
     * YouTube DNN user tower (id and mean-pooled history, then an MLP), also with the history
     * self-attention encoded (read out as the mean: these preferences are the history's set of
     * categories, order-free), find the users' test clicks among all items far better than chance
     * (measured recall@20: 0.13 before, 0.49 and 0.43 after; the self-attention encoder read at the
     * most recent position instead of the mean reached 0.31 only).
     */
    @ParameterizedTest
    @ValueSource(strings = {"matrix_factorisation", "youtube_dnn", "youtube_dnn_self_attention"})
    void learnsThePlantedPreferences(String variant) {
        PlantedPreferences data = PlantedPreferences.get();
        String model = variant.startsWith("youtube_dnn") ? ZooConfigs.youtubeDnn() : ZooConfigs.dssmMatrixFactorisation();
        PipelineConfig config = variant.endsWith("self_attention") ? ZooFixture.parseWithSelfAttentionHistory(model, ZooFixture.trainConfig(128, 8), "MEAN")
                : ZooFixture.parse(model, ZooFixture.trainConfig(128, 8));
        assertEquals(List.of(), ConfigValidator.validate(config), "a valid pipeline config");
        double initial = ZooFixture.recall((TwoTowerModel) ZooFixture.build(config, ZooFixture.MODEL_SEED).model(), 20, data.train(), data.test());
        ZooFixture.Run run = ZooFixture.train(config, 1, ZooFixture.MODEL_SEED, data.train(), data.test());
        double trained = ZooFixture.recall((TwoTowerModel) run.model(), 20, data.train(), data.test());
        assertTrue(initial < 0.2, variant + ": untrained towers rank about as chance does, recall@20 " + initial);
        assertTrue(trained > 0.35, variant + ": recall@20 should rise from " + initial + " to above 0.35, got " + trained);
        if (variant.equals("youtube_dnn")) {
            assertEquals("16x32", run.parameters().parameter("dssm/user_tower/0/weight").shape(),
                    "the user tower reads the user id (8) beside the mean-pooled history (8)");
            assertEquals(Pooling.MEAN, ZooFixture.data().generator().schema().spec("seq_items").pooling(), "the history is mean-pooled");
            assertNull(run.parameters().tableNamed("seq_items"), "the history uses item_id's table, not its own");
            assertNull(run.parameters().parameter("dssm/item_tower/0/weight"), "no item MLP: the item id embedding is the item side");
        }
        if (variant.endsWith("self_attention")) {
            assertEquals("10x8", run.parameters().parameter("sequence_encoder/seq_items/positions").shape(), "a position per kept value");
            assertEquals("16x32", run.parameters().parameter("dssm/user_tower/0/weight").shape(),
                    "the user tower reads the user id (8) beside the encoded history (8)");
        }
    }

    @Test
    void frequencyEstimateFollowsTheGapBetweenAnItemsAppearances() {
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(ZooConfigs.dssm(true, true, "[16]")), 3);
        Examples oneRow = ZooFixture.data().train().slice(0, 1);
        int appearances = 2000;
        for (int k = 0; k < appearances; k++) {
            TrainingObjective.of(built.model()).beforeStep(oneRow, 4L * k);
        }
        float[] gap = built.parameters().parameter("dssm/frequency/gap").value();
        float[] lastSeen = built.parameters().parameter("dssm/frequency/last_seen").value();
        int bucket = -1;
        for (int h = 0; h < gap.length; h++) {
            if (lastSeen[h] != 0) {
                assertEquals(-1, bucket, "one item seen, one bucket used");
                bucket = h;
            }
        }
        assertTrue(bucket >= 0, "the item's bucket should be recorded");
        assertEquals(4f * (appearances - 1) + 1, lastSeen[bucket], "last seen at the last step (steps count from 1)");
        assertEquals(4, gap[bucket], 0.01, "an item seen every 4 steps has an estimated gap of 4 steps");
    }

    @Test
    void noFrequencyEstimateWithoutTheCorrection() {
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(ZooConfigs.dssm(true, false, "[16]")), 3);
        Examples batch = ZooFixture.data().train().slice(0, 100);
        for (int step = 0; step < 10; step++) {
            TrainingObjective.of(built.model()).beforeStep(batch, step);
        }
        for (float g : built.parameters().parameter("dssm/frequency/last_seen").value()) {
            assertEquals(0f, g, "beforeStep should not count items with popularity_correction: false");
        }
    }
}

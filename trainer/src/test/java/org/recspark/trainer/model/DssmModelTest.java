package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.recspark.model.ModelOutput;
import org.recspark.model.TrainingObjective;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.Pass;

/** DSSM's outputs and its streaming item-frequency estimate (for the popularity correction). */
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

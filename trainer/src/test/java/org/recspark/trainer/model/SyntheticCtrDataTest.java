package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.model.data.Examples;

/** The fixture the model tests rely on: deterministic, with the planted signal where it should be. */
class SyntheticCtrDataTest {
    @Test
    void sameSeedSameData() {
        SyntheticCtrData a = new SyntheticCtrData(7, 500, 100);
        SyntheticCtrData b = new SyntheticCtrData(7, 500, 100);
        assertEquals(a.trainRows(), b.trainRows(), "train rows of the same seed");
        assertEquals(a.testRows(), b.testRows(), "test rows of the same seed");
        assertNotEquals(a.trainRows(), new SyntheticCtrData(8, 500, 100).trainRows(), "another seed, other rows");
    }

    @Test
    void plantedSignalIsInTheLabels() {
        ZooFixture.Data data = ZooFixture.data();
        List<SyntheticCtrData.Row> rows = data.raw().trainRows();
        assertEquals(ZooFixture.TRAIN_ROWS, rows.size());
        int[] clicks = new int[2];
        int[] counts = new int[2];
        int conversions = 0;
        int clicked = 0;
        for (SyntheticCtrData.Row row : rows) {
            int inHistory = data.raw().historyCategories(row.user()).contains(data.raw().itemCategory(row.item())) ? 1 : 0;
            counts[inHistory]++;
            clicks[inHistory] += row.click() ? 1 : 0;
            assertTrue(!row.conversion() || row.click(), "a conversion needs a click");
            conversions += row.conversion() ? 1 : 0;
            clicked += row.click() ? 1 : 0;
        }
        double inRate = (double) clicks[1] / counts[1];
        double outRate = (double) clicks[0] / counts[0];
        assertTrue(inRate > outRate + 0.3, "click rate with the category in the history " + inRate + " vs without " + outRate);
        double ctr = (double) clicked / rows.size();
        assertTrue(ctr > 0.2 && ctr < 0.45, "click rate " + ctr);
        double cvr = (double) conversions / clicked;
        assertTrue(cvr > 0.3 && cvr < 0.7, "conversion rate of clicks " + cvr);

        // The ceiling of the models' test AUC: the true click probability as the score (about 0.84).
        List<SyntheticCtrData.Row> test = data.raw().testRows();
        float[] truth = new float[test.size()];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = (float) test.get(i).clickProbability();
        }
        double oracle = ZooFixture.auc(truth, data.test().label("click"));
        assertTrue(oracle > 0.8 && oracle < 0.9, "Bayes-optimal test AUC " + oracle);
    }

    @Test
    void examplesCarryFeaturesLabelsAndUsers() {
        ZooFixture.Data data = ZooFixture.data();
        Examples train = data.train();
        assertEquals(ZooFixture.TRAIN_ROWS, train.numRows());
        assertEquals(ZooFixture.TEST_ROWS, data.test().numRows());
        float[] match = train.dense(data.generator().schema().index("category_in_history"));
        float[] click = train.label("click");
        float[] conversion = train.label("conversion");
        for (int i = 0; i < train.numRows(); i++) {
            SyntheticCtrData.Row row = data.raw().trainRows().get(i);
            boolean inHistory = data.raw().historyCategories(row.user()).contains(data.raw().itemCategory(row.item()));
            assertEquals(inHistory ? 1f : 0f, match[i], "the match feature is the planted history signal, row " + i);
            assertEquals(row.click() ? 1f : 0f, click[i], "click label, row " + i);
            assertEquals(row.conversion() ? 1f : 0f, conversion[i], "conversion label, row " + i);
            assertEquals(row.user(), train.groupKeys()[i], "group key is the user, row " + i);
        }
        var seq = train.sparse(data.generator().schema().index("seq_items"));
        for (int r = 0; r < 50; r++) {
            int length = seq.end(r) - seq.start(r);
            assertTrue(length >= 3 && length <= 10, "history of 3 to 10 items, row " + r + ": " + length);
        }
    }
}

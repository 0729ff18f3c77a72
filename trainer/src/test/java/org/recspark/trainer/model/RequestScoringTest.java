package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.features.FeatureBatch;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.MapRecord;
import org.recspark.trainer.data.Examples;
import org.recspark.trainer.data.RequestExamples;
import org.recspark.trainer.nn.Linear;
import org.recspark.trainer.nn.ModelParameters;
import org.recspark.trainer.nn.Pass;
import org.recspark.trainer.tensor.Tensor;

/**
 * A request scored with its request-side share computed once gives the logits of the ordinary
 * forward pass over the request expanded to one row per item, for trained DeepFMs with and without
 * first-order terms, batch norm and hidden layers, and for Wide&Deep.
 */
class RequestScoringTest {
    private static final String FEATURES = "[\"user_id\", \"item_id\", \"category\", \"hour\", \"seq_categories\", \"quality\", \"category_in_history\"]";

    private static String deepFm(String dnn, boolean firstOrder) {
        return """
                model_config {
                  feature_groups { name: "all" features: %s }
                  deepfm { dnn { %s } use_first_order: %s }
                  label: "click"
                }
                """.formatted(FEATURES, dnn, firstOrder);
    }

    private static FeatureBatch request(int user, int items) {
        SyntheticCtrData raw = ZooFixture.data().raw();
        List<MapRecord> records = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            records.add(raw.item((i * 7) % 50));
        }
        return ZooFixture.data().generator().generate(raw.user(user), records, raw.context("evening"));
    }

    private static void assertSameLogits(String model) {
        ZooFixture.Run run = ZooFixture.train(ZooFixture.parse(model, ZooFixture.trainConfig(256, 1)), 1);
        RequestScoring scoring = assertInstanceOf(RequestScoring.class, run.model());
        for (int user : new int[] {0, 3}) {
            RequestExamples request = RequestExamples.of(request(user, 40));
            TaskSpec task = run.model().tasks().get(0);
            float[] expected = run.model().forward(Pass.inference(request.expanded())).task(task.name()).data();
            float[] actual = scoring.forwardRequest(request).task(task.name()).data();
            assertEquals(expected.length, actual.length);
            double spread = 0;
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), model + ": item " + i);
                spread = Math.max(spread, Math.abs(expected[i] - expected[0]));
            }
            assertTrue(spread > 1e-3, "items of a request should get different logits (a trained model): " + spread);
        }
    }

    @Test
    void deepFmWithFirstOrderTermsScoresARequestAsItsExpandedRows() {
        assertSameLogits(deepFm("hidden_units: [32, 16]", true));
    }

    @Test
    void deepFmWithBatchNormAndWithoutFirstOrderTermsToo() {
        assertSameLogits(deepFm("hidden_units: [32, 16] batch_norm: true dropout: 0.2", false));
    }

    @Test
    void wideAndDeepScoresARequestAsItsExpandedRows() {
        assertSameLogits(ZooConfigs.WIDE_AND_DEEP);
    }

    @Test
    void theRequestSplitHoldsRequestSideFeaturesOnceAndItemFeaturesPerItem() {
        FeatureGenerator generator = ZooFixture.data().generator();
        RequestExamples request = RequestExamples.of(request(1, 12));
        Examples expanded = request.expanded();
        int userId = generator.schema().index("user_id");
        int itemId = generator.schema().index("item_id");
        assertTrue(request.shared(userId));
        assertTrue(!request.shared(itemId));
        assertEquals(1, request.request().numRows());
        assertEquals(12, request.items().numRows());
        assertEquals(1, request.request().sparse(userId).ids().length);
        assertEquals(0, request.items().sparse(userId).ids().length);
        assertEquals(12, expanded.sparse(userId).ids().length);
        assertEquals(12, request.items().sparse(itemId).ids().length);
        assertThrows(IllegalArgumentException.class, () -> RequestExamples.of(request(1, 0)));
    }

    @Test
    void theSplitLinearLayerEqualsTheLayerOverTheWholeInput() {
        ModelParameters params = new ModelParameters(5);
        Linear layer = new Linear(params, "layer", 7, 5, true);
        SplittableRandom rnd = new SplittableRandom(9);
        int rows = 6;
        Tensor shared = Tensor.constant(1, 3, new float[] {0.5f, -1.25f, 0f});
        float[] items = new float[rows * 4];
        for (int i = 0; i < items.length; i++) {
            items[i] = (float) rnd.nextDouble(-1, 1);
        }
        Tensor perItem = Tensor.constant(rows, 4, items);
        Pass pass = Pass.inference(null);
        // The shared block sits between item columns 0-1 and 2-3 of the full input.
        Tensor left = pass.graph().slice(perItem, 0, 2);
        Tensor right = pass.graph().slice(perItem, 2, 4);
        Tensor split = layer.forwardSplit(pass, List.of(left, shared, right), new boolean[] {false, true, false}, rows);
        Tensor full = layer.forward(pass, pass.graph().concat(List.of(left, pass.graph().repeatRows(shared, rows), right)));
        for (int i = 0; i < full.size(); i++) {
            assertEquals(full.data()[i], split.data()[i], 1e-6, "value " + i);
        }
    }
}

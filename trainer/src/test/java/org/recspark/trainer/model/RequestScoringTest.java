package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureBatch;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.MapRecord;
import org.recspark.model.ModelOutput;
import org.recspark.model.RequestScoring;
import org.recspark.model.TaskSpec;
import org.recspark.model.data.Examples;
import org.recspark.model.data.RequestExamples;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.nn.Linear;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Pass;
import org.recspark.model.nn.SplitInput;
import org.recspark.model.tensor.Tensor;
import org.recspark.model.tensor.Workspace;

/**
 * A request scored with its request-side share computed once gives the logits of the ordinary
 * forward pass over the request expanded to one row per item, for trained DeepFMs with and without
 * first-order terms, batch norm and hidden layers, or with a self-attention history, and for Wide&Deep.
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

    /**
     * Drops every fifth item's row from the item_emb tables, the main one for ids 0, 5, 10... and the
     * first-order one for ids 0, 10, 20... and 5, 15..., as items the model never saw would have
     * none: lookups then read initial rows, through either table.
     */
    private static void forgetSomeItems(ModelParameters params) {
        int restored = 0;
        for (EmbeddingTable table : params.tables()) {
            if (!table.name().startsWith("item_emb")) {
                continue;
            }
            boolean wide = table.name().endsWith("/wide");
            long[] ids = table.ids();
            float[] values = table.valuesInSlotOrder();
            List<Long> kept = new ArrayList<>();
            List<Float> keptValues = new ArrayList<>();
            for (int s = 0; s < ids.length; s++) {
                boolean forget = ids[s] % 5 == 0 && (!wide || ids[s] % 10 != 0 || ids[s] % 20 == 0);
                if (!forget) {
                    kept.add(ids[s]);
                    for (int j = 0; j < table.dim(); j++) {
                        keptValues.add(values[s * table.dim() + j]);
                    }
                }
            }
            float[] v = new float[keptValues.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = keptValues.get(i);
            }
            assertTrue(kept.size() < ids.length, table + " should lose rows");
            table.restore(kept.stream().mapToLong(Long::longValue).toArray(), v, null);
            restored++;
        }
        assertTrue(restored >= 1, "no item_emb table");
    }

    private static void assertSameLogits(String model) {
        assertSameLogits(model, ZooFixture.parse(model, ZooFixture.trainConfig(256, 1)));
    }

    private static void assertSameLogits(String model, PipelineConfig config) {
        ZooFixture.Run run = ZooFixture.train(config, 1);
        RequestScoring scoring = assertInstanceOf(RequestScoring.class, run.model());
        Workspace workspace = new Workspace();
        for (int user : new int[] {0, 3, 5}) {
            if (user == 5) {
                // the first requests built the first-order slot maps; the restore makes them stale
                forgetSomeItems(run.parameters());
            }
            RequestExamples request = RequestExamples.of(request(user, 40));
            TaskSpec task = run.model().tasks().get(0);
            float[] expected = run.model().forward(Pass.inference(request.expanded())).task(task.name()).data();
            float[] actual = scoring.forwardRequest(request, null).task(task.name()).data();
            workspace.begin();
            float[] reusing = scoring.forwardRequest(request, workspace).predictions(task);
            float[] earlier = reusing.clone();
            workspace.begin();
            scoring.forwardRequest(RequestExamples.of(request(user + 1, 25)), workspace);
            assertArrayEquals(earlier, reusing, "predictions are copies: the next pass does not touch them");
            ModelOutput allocated = new ModelOutput().put(task.name(), Tensor.constant(actual.length, 1, actual));
            assertArrayEquals(allocated.predictions(task), reusing, 1e-6f, "the same with a workspace");
            assertEquals(expected.length, actual.length);
            double spread = 0;
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), model + ": item " + i);
                spread = Math.max(spread, Math.abs(expected[i] - expected[0]));
            }
            assertTrue(spread > 1e-3, "items of a request should get different logits (a trained model): " + spread);
        }
        assertTrue(workspace.retainedFloats() > 0, "the passes took their large arrays from the workspace");
    }

    @Test
    void deepFmWithFirstOrderTermsScoresARequestAsItsExpandedRows() {
        assertSameLogits(deepFm("hidden_units: [32, 16]", true));
    }

    @Test
    void deepFmWithBatchNormAndWithoutFirstOrderTermsToo() {
        assertSameLogits(deepFm("hidden_units: [32, 16] batch_norm: true dropout: 0.2", false));
    }

    /** The request-side history encoded once by self-attention (RequestPasses' shared row) equals its encoding in every expanded row. */
    @Test
    void deepFmWithASelfAttentionHistoryToo() {
        String model = deepFm("hidden_units: [32, 16]", true).replace("\"category_in_history\"]", "\"category_in_history\", \"seq_items\"]");
        assertTrue(model.contains("seq_items"));
        assertSameLogits(model, ZooFixture.parseWithSelfAttentionHistory(model, ZooFixture.trainConfig(256, 1), "MOST_RECENT"));
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
        // Columns 2-4 of the full input are shared by every row; 0-1 and 5-6 are each row's own.
        SplitInput input = SplitInput.zeros(7, rows, new int[] {0, 1, 5, 6});
        input.sharedRow()[2] = 0.5f;
        input.sharedRow()[3] = -1.25f;
        float[] own = input.rowColumns().data();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < 4; j++) {
                own[r * input.stride() + j] = (float) rnd.nextDouble(-1, 1);
            }
        }
        Tensor full = input.expanded();
        for (int r = 0; r < rows; r++) {
            assertEquals(0.5f, full.get(r, 2));
            assertEquals(-1.25f, full.get(r, 3));
            assertEquals(0f, full.get(r, 4));
            assertEquals(own[r * input.stride() + 2], full.get(r, 5));
        }
        Pass pass = Pass.inference(null);
        Tensor split = layer.forwardSplit(pass, input);
        Tensor expected = layer.forward(pass, full);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.data()[i], split.data()[i], 1e-6, "value " + i);
        }
    }

    @Test
    void aSplitInputWithoutPerRowColumnsGivesTheSharedTermInEveryRow() {
        ModelParameters params = new ModelParameters(5);
        Linear layer = new Linear(params, "layer", 3, 2, true);
        SplitInput input = SplitInput.zeros(3, 4, new int[0]);
        input.sharedRow()[0] = 2f;
        input.sharedRow()[2] = -1f;
        Pass pass = Pass.inference(null);
        Tensor split = layer.forwardSplit(pass, input);
        Tensor expected = layer.forward(pass, input.expanded());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.data()[i], split.data()[i], 1e-6, "value " + i);
        }
    }
}

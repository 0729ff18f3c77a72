package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureSchema;
import org.recspark.model.ModelOutput;
import org.recspark.model.SampledNegatives;
import org.recspark.model.TrainingObjective;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;
import org.recspark.model.nn.Gradients;
import org.recspark.model.nn.Parameter;
import org.recspark.model.nn.Pass;
import org.recspark.model.sampling.ItemCorpus;
import org.recspark.model.tensor.GradientChecker;
import org.recspark.model.tensor.GradientChecker.Variable;
import org.recspark.model.tensor.Graph;
import org.recspark.trainer.eval.TrainingRun;

/** DSSM trained with an exact softmax over every item of the item table (dssm.full_softmax). */
class DssmFullSoftmaxTest {
    private static final float TEMPERATURE = 0.2f;

    @TempDir
    Path dir;

    /** The training rows' first row of each item: the fixture's item table. */
    private static Examples itemTable(Examples train, int itemId) {
        SparseValues ids = train.sparse(itemId);
        Map<Long, Integer> firstRow = new LinkedHashMap<>();
        for (int r = 0; r < train.numRows(); r++) {
            firstRow.putIfAbsent(ids.ids()[ids.start(r)], r);
        }
        return train.select(firstRow.values().stream().mapToInt(Integer::intValue).toArray());
    }

    /** The model with its corpus: the item table, and the training rows' items. */
    private static ZooFixture.Built withCorpus(String fullSoftmax) {
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(DssmSampledNegativesTest.dssm(fullSoftmax)), 3);
        Examples train = ZooFixture.data().train();
        SampledNegatives sampled = (SampledNegatives) built.model();
        sampled.useItemTable(itemTable(train, ZooFixture.data().generator().schema().index("item_id")));
        sampled.useItemCorpus(sampled.newItemCorpus().add(train).build());
        return built;
    }

    private static Examples positives(int rows) {
        float[] ones = new float[rows];
        Arrays.fill(ones, 1f);
        return ZooFixture.data().train().slice(0, rows).withLabel("click", ones);
    }

    @Test
    void lossIsTheSoftmaxOverEveryItemOfTheCorpusByHand() {
        double loss = checkedAgainstHand("full_softmax {}", false);
        double excluding = checkedAgainstHand("full_softmax { exclude_user_items: true }", true);
        assertTrue(excluding < loss, "leaving the users' other items out lowers the loss: " + excluding + " vs " + loss);
    }

    /**
     * The model's loss on a batch of positives against the cross-entropy of each row's own item over
     * every corpus item (without the row user's other training items when {@code excludeUserItems}),
     * computed by hand; returns it.
     */
    private static double checkedAgainstHand(String fullSoftmax, boolean excludeUserItems) {
        ZooFixture.Built built = withCorpus(fullSoftmax);
        SampledNegatives sampled = (SampledNegatives) built.model();
        Examples batch = positives(12);
        TrainingObjective objective = TrainingObjective.of(built.model());
        objective.beforeStep(batch, 0);
        Examples all = sampled.stepNegatives();
        assertEquals(SyntheticCtrData.ITEMS, all.numRows(), "every item of the corpus is a negative, every step");
        built.parameters().allocateRows(batch);
        built.parameters().allocateRows(all);
        Pass pass = new Pass(new Graph(true, 1), batch, new Gradients());
        ModelOutput output = built.model().forward(pass);
        float loss = objective.loss(pass, output, 1f).data()[0];

        float[] u = output.extra(TwoTowerModel.USER_EMBEDDING).data();
        Pass itemPass = new Pass(new Graph(false, 1), all, new Gradients());
        float[] items = built.model().forward(itemPass).extra(TwoTowerModel.ITEM_EMBEDDING).data();
        int dim = u.length / batch.numRows();
        int itemId = ZooFixture.data().generator().schema().index("item_id");
        Examples train = ZooFixture.data().train();
        SparseValues trainIds = train.sparse(itemId);
        SparseValues ids = batch.sparse(itemId);
        SparseValues allIds = all.sparse(itemId);
        double expected = 0;
        int excluded = 0;
        for (int r = 0; r < batch.numRows(); r++) {
            long key = ids.ids()[ids.start(r)];
            java.util.Set<Long> others = new java.util.HashSet<>();
            for (int t = 0; excludeUserItems && t < train.numRows(); t++) {
                long item = trainIds.ids()[trainIds.start(t)];
                if (train.groupKeys()[t] == batch.groupKeys()[r] && item != key) {
                    others.add(item);
                }
            }
            excluded += others.size();
            double max = Double.NEGATIVE_INFINITY;
            List<Double> logits = new ArrayList<>();
            double own = Double.NaN;
            for (int k = 0; k < all.numRows(); k++) {
                long item = allIds.ids()[allIds.start(k)];
                if (others.contains(item)) {
                    continue;
                }
                double dot = 0;
                for (int j = 0; j < dim; j++) {
                    dot += (double) u[r * dim + j] * items[k * dim + j];
                }
                logits.add(dot / TEMPERATURE);
                max = Math.max(max, dot / TEMPERATURE);
                if (item == key) {
                    own = dot / TEMPERATURE;
                }
            }
            double sum = 0;
            for (double l : logits) {
                sum += Math.exp(l - max);
            }
            expected += max + Math.log(sum) - own;
        }
        assertEquals(excludeUserItems, excluded > 0, "the batch users' other training items: " + excluded);
        assertEquals(expected, loss, 1e-4 * Math.abs(expected), fullSoftmax + ": cross-entropy of each row's own item, summed");
        return loss;
    }

    /**
     * The loss's gradients against central differences, for the towers' weights and for the
     * embedding of an item that is in no batch row, which learns through the full softmax alone. The
     * corpus is small (the batch's items and a few more), so the loss stays near log(items) and its
     * float32 differences above the noise; embedding rows are scaled up as in ModelGradientTest. The
     * towers are one linear layer each (as in the MovieLens example), so no ReLU kink lies within a step.
     */
    @Test
    void gradientsMatchCentralDifferencesIncludingItemsOutsideTheBatch() {
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(DssmSampledNegativesTest.dssm("full_softmax {}")
                .replace("hidden_units: [16, 8]", "hidden_units: [8]")), 3);
        SampledNegatives sampled = (SampledNegatives) built.model();
        Examples batch = positives(3);
        FeatureSchema schema = ZooFixture.data().generator().schema();
        int itemId = schema.index("item_id");
        // item_id and the user's seq_items share the item table: the outside items must be in neither
        java.util.Set<Long> inBatch = new java.util.HashSet<>();
        for (String feature : List.of("item_id", "seq_items")) {
            SparseValues values = batch.sparse(schema.index(feature));
            for (int i = 0; i < values.offsets()[values.rows()]; i++) {
                inBatch.add(values.ids()[i]);
            }
        }
        Examples everyItem = itemTable(ZooFixture.data().train(), itemId);
        SparseValues everyId = everyItem.sparse(itemId);
        int[] outsideRows = java.util.stream.IntStream.range(0, everyItem.numRows())
                .filter(r -> !inBatch.contains(everyId.ids()[everyId.start(r)])).limit(3).toArray();
        assertEquals(3, outsideRows.length, "items of the fixture that no batch row holds");
        long outside = everyId.ids()[everyId.start(outsideRows[0])];
        sampled.useItemTable(everyItem.select(outsideRows));
        sampled.useItemCorpus(sampled.newItemCorpus().add(batch).build());
        TrainingObjective objective = TrainingObjective.of(built.model());
        objective.beforeStep(batch, 0);
        built.parameters().allocateRows(batch);
        built.parameters().allocateRows(sampled.stepNegatives());
        for (EmbeddingTable table : built.parameters().tables()) {
            for (int slot = 0; slot < table.size(); slot++) {
                float[] values = table.values(slot);
                for (int k = 0; k < table.dim(); k++) {
                    values[table.offset(slot) + k] *= 10f;
                }
            }
        }
        Gradients[] last = new Gradients[1];
        GradientChecker.Forward forward = graph -> {
            Gradients gradients = new Gradients();
            last[0] = gradients;
            Pass pass = new Pass(graph, batch, gradients);
            return objective.loss(pass, built.model().forward(pass), 1f / batch.numRows());
        };
        List<Variable> variables = new ArrayList<>();
        List<java.util.function.Supplier<float[]>> analytic = new ArrayList<>();
        for (Parameter p : built.parameters().trainable()) {
            int n = Math.min(p.size(), 16);
            variables.add(Variable.of(p.name(), p.value(), 0, n).allowingZeroGradient());
            analytic.add(() -> {
                float[] g = last[0].denseGradients().get(p);
                return g == null ? null : Arrays.copyOf(g, n);
            });
        }
        EmbeddingTable items = built.parameters().tables().stream().filter(t -> t.name().equals("item_emb")).findFirst().orElseThrow();
        int slot = -1;
        for (int s = 0; s < items.size(); s++) {
            if (items.idAt(s) == outside) {
                slot = s;
            }
        }
        assertTrue(slot >= 0, "the outside item's embedding row was allocated with the corpus");
        int outsideSlot = slot;
        variables.add(Variable.of(items.name() + "[" + outside + "]", items.values(outsideSlot), items.offset(outsideSlot), items.dim()));
        analytic.add(() -> {
            SparseGradient g = last[0].sparseGradients().get(items);
            int offset = g == null ? -1 : g.offsetIfPresent(outsideSlot);
            return offset < 0 ? null : Arrays.copyOfRange(g.rows(), offset, offset + items.dim());
        });
        GradientChecker.Result result = GradientChecker.check("dssm full_softmax", GradientChecker.DEFAULT.withStep(1e-3).withTolerance(2e-2, 1e-4),
                forward, variables, v -> analytic.get(v).get());
        float[] outsideGradient = result.analytic()[variables.size() - 1];
        double norm = 0;
        for (float g : outsideGradient) {
            norm += (double) g * g;
        }
        assertTrue(Math.sqrt(norm) > 2.5e-4, "an item outside the batch learns as a negative: gradient norm " + Math.sqrt(norm));
    }

    @Test
    void inBatchNegativesASamplerAndThePopularityCorrectionAreConfigErrorsBesideIt() {
        ConfigException batch = assertThrows(ConfigException.class, () -> ZooFixture.build(ZooFixture.parse(DssmSampledNegativesTest.dssm(
                "in_batch_negatives: true popularity_correction: true full_softmax {}")), 1));
        assertEquals(List.of("model_config.dssm.in_batch_negatives", "model_config.dssm.popularity_correction"),
                batch.violations().stream().map(Violation::path).toList(), batch.getMessage());
        ConfigException sampler = assertThrows(ConfigException.class, () -> ZooFixture.build(ZooFixture.parse(DssmSampledNegativesTest.dssm(
                "full_softmax {} negative_sampler {}")), 1));
        assertEquals(List.of("model_config.dssm.negative_sampler"), sampler.violations().stream().map(Violation::path).toList(),
                sampler.getMessage());
    }

    @Test
    void withoutTheItemTableOrAboveMaxItemsTrainingIsRefused() {
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(DssmSampledNegativesTest.dssm("full_softmax { max_items: 10 }")), 3);
        SampledNegatives sampled = (SampledNegatives) built.model();
        assertTrue(sampled.samplesNegatives() && sampled.drawsFromItemTable());
        IllegalStateException missing = assertThrows(IllegalStateException.class, sampled::newItemCorpus);
        assertTrue(missing.getMessage().startsWith("model_config.dssm.full_softmax scores every item of the item table"), missing.getMessage());
        Examples train = ZooFixture.data().train();
        sampled.useItemTable(itemTable(train, ZooFixture.data().generator().schema().index("item_id")));
        ItemCorpus corpus = sampled.newItemCorpus().add(train).build();
        ConfigException tooMany = assertThrows(ConfigException.class, () -> sampled.useItemCorpus(corpus));
        assertEquals(List.of("model_config.dssm.full_softmax.max_items"), tooMany.violations().stream().map(Violation::path).toList());
        assertTrue(tooMany.getMessage().contains(corpus.size() + " items"), tooMany.getMessage());
    }

    /** On planted clusters the full softmax learns a retriever, through the trainer as `train` runs it. */
    @Test
    void trainsARetrieverOnPlantedClusters() {
        String model = """
                model_config {
                  feature_groups { name: "user" features: ["user_id"] }
                  feature_groups { name: "item" features: ["item_id", "cluster"] }
                  dssm {
                    user_group: "user"
                    item_group: "item"
                    user_tower { hidden_units: [16] }
                    item_tower { hidden_units: [16] }
                    temperature: 0.1
                    full_softmax {}
                  }
                  label: "click"
                }
                """;
        PipelineConfig config = PlantedInteractions.config(model, ZooFixture.trainConfig(64, 20),
                "eval_config { metrics { recall_at_k { k: 20 } } every_steps: 1000000 }");
        PlantedInteractions.Data data = PlantedInteractions.data();
        int half = data.test().numRows() / 2;
        Examples table = itemTable(data.train(), data.generator().schema().index("item_id"));
        TrainingRun.Summary s = new TrainingRun(config, dir, data.generator().schema(), dir.resolve("full"), 1)
                .drawingNegativesFrom(table)
                .run(data.train(), data.test().slice(0, half), Optional.of(data.test().slice(half, data.test().numRows())));
        double recall = s.testMetrics().get("recall@20");
        assertTrue(recall > 0.8, "recall@20 after training with the full softmax " + recall);
    }
}

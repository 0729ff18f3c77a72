package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.config.ConfigValidator;
import org.recspark.config.Violation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureSchema;
import org.recspark.model.ModelOutput;
import org.recspark.model.SampledNegatives;
import org.recspark.model.TrainingObjective;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;
import org.recspark.model.nn.Gradients;
import org.recspark.model.nn.Pass;
import org.recspark.model.sampling.ItemCorpus;
import org.recspark.model.tensor.Graph;
import org.recspark.trainer.eval.TrainingRun;

/** DSSM trained with negatives drawn from the training rows' items instead of the batch's. */
class DssmSampledNegativesTest {
    @TempDir
    Path dir;

    static String dssm(String sampler) {
        return """
                model_config {
                  feature_groups { name: "user" features: ["seq_categories", "seq_items"] }
                  feature_groups { name: "item" features: ["item_id", "category", "quality"] }
                  dssm {
                    user_group: "user"
                    item_group: "item"
                    user_tower { hidden_units: [16, 8] }
                    item_tower { hidden_units: [16, 8] }
                    temperature: 0.2
                    %s
                  }
                  label: "click"
                }
                """.formatted(sampler);
    }

    private static final String RECALL = """
            eval_config { metrics { recall_at_k { k: 20 } } every_steps: 1000000 }
            """;

    /** Planted interactions: users and items in clusters, so recall@20 of a retriever that learned them is near 1. */
    private static final String PLANTED_DSSM = """
            model_config {
              feature_groups { name: "user" features: ["user_id"] }
              feature_groups { name: "item" features: ["item_id", "cluster"] }
              dssm {
                user_group: "user"
                item_group: "item"
                user_tower { hidden_units: [16] }
                item_tower { hidden_units: [16] }
                temperature: 0.1
                %s
              }
              label: "click"
            }
            """;

    private double testRecall(String sampler, String trainConfig, String name) {
        return modelTestRecall(PLANTED_DSSM.formatted(sampler), trainConfig, name);
    }

    private double modelTestRecall(String model, String trainConfig, String name) {
        PipelineConfig config = PlantedInteractions.config(model, trainConfig, RECALL);
        PlantedInteractions.Data data = PlantedInteractions.data();
        int half = data.test().numRows() / 2;
        TrainingRun.Summary s = new TrainingRun(config, dir, data.generator().schema(), dir.resolve(name), 1)
                .run(data.train(), data.test().slice(0, half), Optional.of(data.test().slice(half, data.test().numRows())));
        return s.testMetrics().get("recall@20");
    }

    @Test
    void uniformAndPopularitySamplersTrainARetrieverThatBeatsTheUntrainedOne() {
        String trained = ZooFixture.trainConfig(64, 20);
        String untrained = trained.replace("log_every_steps", "max_steps: 1\n  log_every_steps");
        for (String sampler : List.of("negative_sampler { distribution: UNIFORM num_negatives: 32 }",
                "negative_sampler { distribution: POPULARITY num_negatives: 32 alpha: 0.75 }")) {
            String name = sampler.contains("UNIFORM") ? "uniform" : "popularity";
            double before = testRecall(sampler, untrained, name + "-one-step");
            double after = testRecall(sampler, trained, name + "-trained");
            assertTrue(before < 0.3, sampler + ": one step cannot have learned the clusters, recall@20 " + before);
            assertTrue(after > 0.8, sampler + ": recall@20 after training " + after + ", after one step " + before);
        }
    }

    /**
     * A penalty (variational dropout's) wraps the model's training objective; the trainer must still
     * give the model its item corpus and allocate the drawn negatives' rows.
     */
    @Test
    void aSamplerStillTrainsWhenAPenaltyWrapsTheObjective() {
        String model = PLANTED_DSSM.formatted("negative_sampler { distribution: UNIFORM num_negatives: 32 }")
                .replaceFirst("model_config \\{", "model_config {\n  variational_dropout {}");
        double recall = modelTestRecall(model, ZooFixture.trainConfig(64, 20), "gated");
        assertTrue(recall > 0.5, "recall@20 with the gates on " + recall);
    }

    @Test
    void aDrawnNegativeThatIsTheRowsOwnItemIsMaskedOut() {
        PipelineConfig config = ZooFixture.parse(dssm("negative_sampler { num_negatives: 16 }"));
        ZooFixture.Built built = ZooFixture.build(config, 3);
        FeatureSchema schema = ZooFixture.data().generator().schema();
        Examples train = ZooFixture.data().train();
        SparseValues ids = train.sparse(schema.index("item_id"));
        long item = ids.ids()[ids.start(0)];
        int[] rowsOfItem = java.util.stream.IntStream.range(0, train.numRows())
                .filter(r -> ids.ids()[ids.start(r)] == item).toArray();
        Examples sameItem = train.select(rowsOfItem);
        SampledNegatives sampled = (SampledNegatives) built.model();
        assertTrue(sampled.samplesNegatives());
        sampled.useItemCorpus(sampled.newItemCorpus().add(sameItem).build());
        TrainingObjective objective = TrainingObjective.of(built.model());
        objective.beforeStep(sameItem, 0);
        assertEquals(16, sampled.stepNegatives().numRows(), "num_negatives rows drawn, all of them the one item");
        built.parameters().allocateRows(sameItem);
        Pass pass = new Pass(new Graph(true, 1), sameItem, new Gradients());
        ModelOutput output = built.model().forward(pass);
        float loss = objective.loss(pass, output, 1f).data()[0];
        assertEquals(0, loss, 1e-6, "every negative is the positive itself, so only the positive is left in the softmax");
    }

    @Test
    void drawsDependOnTheStepAndAreSharedByTheBatch() {
        PipelineConfig config = ZooFixture.parse(dssm("negative_sampler { num_negatives: 8 }"));
        ZooFixture.Built built = ZooFixture.build(config, 3);
        SampledNegatives sampled = (SampledNegatives) built.model();
        Examples train = ZooFixture.data().train();
        sampled.useItemCorpus(sampled.newItemCorpus().add(train).build());
        int itemId = ZooFixture.data().generator().schema().index("item_id");
        TrainingObjective objective = TrainingObjective.of(built.model());
        objective.beforeStep(train.slice(0, 128), 5);
        long[] step5 = sampled.stepNegatives().sparse(itemId).ids();
        objective.beforeStep(train.slice(128, 256), 6);
        long[] step6 = sampled.stepNegatives().sparse(itemId).ids();
        objective.beforeStep(train.slice(0, 128), 5);
        assertArrayEquals(step5, sampled.stepNegatives().sparse(itemId).ids(), "the same step draws the same negatives");
        assertFalse(java.util.Arrays.equals(step5, step6), "another step draws others");
    }

    @Test
    void lossBeforeTheCorpusIsGivenIsAnError() {
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(dssm("negative_sampler {}")), 3);
        Examples batch = ZooFixture.data().train().slice(0, 32);
        built.parameters().allocateRows(batch);
        Pass pass = new Pass(new Graph(true, 1), batch, new Gradients());
        ModelOutput output = built.model().forward(pass);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TrainingObjective.of(built.model()).loss(pass, output, 1f));
        assertTrue(e.getMessage().contains("useItemCorpus"), e.getMessage());
    }

    @Test
    void inBatchNegativesTrueBesideASamplerAndAlphaWithUniformAreConfigErrors() {
        ConfigException e = assertThrows(ConfigException.class, () -> ZooFixture.build(ZooFixture.parse(
                dssm("in_batch_negatives: true negative_sampler { distribution: UNIFORM alpha: 0.5 }")), 1));
        assertEquals(List.of("model_config.dssm.in_batch_negatives", "model_config.dssm.negative_sampler.alpha"),
                e.violations().stream().map(Violation::path).toList(), e.getMessage());
        assertTrue(e.getMessage().contains("exclude each other"), e.getMessage());
        assertTrue(e.getMessage().contains("POPULARITY only"), e.getMessage());
    }

    @Test
    void numNegativesOutOfRangeIsAConfigError() {
        List<Violation> violations = ConfigValidator.validate(ZooFixture.parse(dssm("negative_sampler { num_negatives: 0 }")));
        assertEquals(List.of("model_config.dssm.negative_sampler.num_negatives"), violations.stream().map(Violation::path).toList(),
                violations.toString());
    }

    /**
     * With pool ITEM_TABLE an item that no training row holds is in the corpus with a count of 0,
     * drawn with probability (0 + count_smoothing)^alpha / sum over items of (count + count_smoothing)^alpha,
     * and its negative rows carry the item table's features.
     */
    @Test
    void anItemTableItemThatNoTrainingRowHoldsIsDrawnWithItsSmoothedProbability() {
        PipelineConfig config = ZooFixture.parse(dssm(
                "negative_sampler { pool: ITEM_TABLE distribution: POPULARITY alpha: 1 count_smoothing: 20 num_negatives: 64 }"));
        ZooFixture.Built built = ZooFixture.build(config, 3);
        FeatureSchema schema = ZooFixture.data().generator().schema();
        int itemId = schema.index("item_id");
        int category = schema.index("category");
        Examples train = ZooFixture.data().train();
        SparseValues ids = train.sparse(itemId);
        long absent = ids.ids()[ids.start(0)];
        java.util.Map<Long, Integer> firstRow = new java.util.LinkedHashMap<>();
        for (int r = 0; r < train.numRows(); r++) {
            firstRow.putIfAbsent(ids.ids()[ids.start(r)], r);
        }
        Examples itemTable = train.select(firstRow.values().stream().mapToInt(Integer::intValue).toArray());
        Examples trainWithout = train.select(java.util.stream.IntStream.range(0, train.numRows())
                .filter(r -> ids.ids()[ids.start(r)] != absent).toArray());

        SampledNegatives sampled = (SampledNegatives) built.model();
        assertTrue(sampled.drawsFromItemTable());
        IllegalStateException missing = assertThrows(IllegalStateException.class, sampled::newItemCorpus);
        assertTrue(missing.getMessage().startsWith("model_config.dssm.negative_sampler.pool: ITEM_TABLE"), missing.getMessage());
        sampled.useItemTable(itemTable);
        ItemCorpus corpus = sampled.newItemCorpus().add(trainWithout).build();
        sampled.useItemCorpus(corpus);
        int index = corpus.indexOf(absent);
        assertTrue(index >= 0, "the item of the table alone is in the corpus");
        assertEquals(0, corpus.count(index));
        assertEquals(firstRow.size(), corpus.size());
        double expected = 20.0 / (trainWithout.numRows() + 20.0 * corpus.size());

        TrainingObjective objective = TrainingObjective.of(built.model());
        int steps = 2000;
        long drawn = 0;
        // the absent item is row 0's, so the item table's first row
        long[] absentCategory = itemTable.sparse(category).select(new int[]{0}).ids();
        for (int step = 0; step < steps; step++) {
            objective.beforeStep(train.slice(0, 8), step);
            Examples negatives = sampled.stepNegatives();
            SparseValues negativeIds = negatives.sparse(itemId);
            for (int k = 0; k < negatives.numRows(); k++) {
                if (negativeIds.ids()[negativeIds.start(k)] == absent) {
                    drawn++;
                    assertArrayEquals(absentCategory, negatives.sparse(category).select(new int[]{k}).ids(),
                            "a drawn item carries the item table's features");
                }
            }
        }
        long draws = steps * 64L;
        double sigma = Math.sqrt(draws * expected * (1 - expected));
        assertTrue(drawn > 0, "the item without training rows is drawn");
        assertEquals(draws * expected, drawn, 5 * sigma, "draws of the item without training rows, p " + expected);
    }

    @Test
    void countSmoothingIsForPopularityAndMustGiveItemTableItemsAWeight() {
        ConfigException uniform = assertThrows(ConfigException.class, () -> ZooFixture.build(ZooFixture.parse(
                dssm("negative_sampler { distribution: UNIFORM count_smoothing: 1 }")), 1));
        assertEquals(List.of("model_config.dssm.negative_sampler.count_smoothing"),
                uniform.violations().stream().map(Violation::path).toList(), uniform.getMessage());
        ConfigException zero = assertThrows(ConfigException.class, () -> ZooFixture.build(ZooFixture.parse(
                dssm("negative_sampler { pool: ITEM_TABLE distribution: POPULARITY count_smoothing: 0 }")), 1));
        assertTrue(zero.getMessage().contains("never drawn"), zero.getMessage());
    }

    /** The rows with other group keys (users). */
    private static Examples withUsers(Examples rows, long[] users) {
        int n = rows.schema().features().size();
        SparseValues[] sparse = new SparseValues[n];
        float[][] dense = new float[n][];
        for (int f = 0; f < n; f++) {
            if (rows.schema().features().get(f).sparse()) {
                sparse[f] = rows.sparse(f);
            } else {
                dense[f] = rows.dense(f);
            }
        }
        return new Examples(rows.schema(), rows.numRows(), sparse, dense, rows.labels(), users);
    }

    private static float[] embeddings(ZooFixture.Built built, Examples rows, String tower) {
        built.parameters().allocateRows(rows);
        Pass pass = new Pass(new Graph(false, 1), rows, new Gradients());
        return built.model().forward(pass).extra(tower).data();
    }

    /**
     * A user's hard negatives join the softmax of that user's rows only, without log-Q correction:
     * the loss equals a hand computation over [own item, drawn negatives, the row user's hard
     * negatives], and exceeds the loss without them.
     */
    @Test
    void hardNegativesJoinTheirOwnUsersSoftmaxUncorrected() {
        float temperature = 0.2f;
        PipelineConfig config = ZooFixture.parse(dssm("negative_sampler { distribution: POPULARITY num_negatives: 4 hard_negatives_per_user: 2 }"));
        ZooFixture.Built built = ZooFixture.build(config, 3);
        SampledNegatives sampled = (SampledNegatives) built.model();
        assertTrue(sampled.usesHardNegatives());
        FeatureSchema schema = ZooFixture.data().generator().schema();
        int itemId = schema.index("item_id");
        Examples train = ZooFixture.data().train();
        float[] ones = new float[12];
        java.util.Arrays.fill(ones, 1f);
        Examples batch = train.slice(0, 12).withLabel("click", ones);
        long user = batch.groupKeys()[0];
        long stranger = java.util.Arrays.stream(train.groupKeys()).filter(u -> java.util.Arrays.stream(batch.groupKeys()).noneMatch(b -> b == u))
                .findFirst().orElseThrow();
        // three pairs of the row-0 user (one more than hard_negatives_per_user) and one of a user outside the batch
        Examples pairs = withUsers(train.select(new int[]{100, 101, 102, 103}), new long[]{user, user, user, stranger});
        ItemCorpus corpus = sampled.newItemCorpus().add(train).build();
        sampled.useItemCorpus(corpus);
        sampled.useHardNegatives(pairs);

        TrainingObjective objective = TrainingObjective.of(built.model());
        objective.beforeStep(batch, 7);
        Examples hard = sampled.stepHardNegatives();
        assertEquals(2, hard.numRows(), "hard_negatives_per_user of the batch user's three; none of the stranger's");
        for (long owner : hard.groupKeys()) {
            assertEquals(user, owner);
        }
        Examples drawn = sampled.stepNegatives();
        built.parameters().allocateRows(batch);
        built.parameters().allocateRows(drawn);
        built.parameters().allocateRows(hard);
        Pass pass = new Pass(new Graph(true, 1), batch, new Gradients());
        ModelOutput output = built.model().forward(pass);
        float loss = objective.loss(pass, output, 1f).data()[0];

        float[] u = output.extra(TwoTowerModel.USER_EMBEDDING).data();
        float[] v = output.extra(TwoTowerModel.ITEM_EMBEDDING).data();
        float[] negatives = embeddings(built, drawn, TwoTowerModel.ITEM_EMBEDDING);
        float[] hards = embeddings(built, hard, TwoTowerModel.ITEM_EMBEDDING);
        int dim = u.length / batch.numRows();
        SparseValues ids = batch.sparse(itemId);
        SparseValues drawnIds = drawn.sparse(itemId);
        SparseValues hardIds = hard.sparse(itemId);
        double expected = 0;
        double expectedWithoutHard = 0;
        for (int r = 0; r < batch.numRows(); r++) {
            long key = ids.ids()[ids.start(r)];
            double own = dot(u, r, v, r, dim) / temperature;
            List<Double> others = new java.util.ArrayList<>();
            for (int k = 0; k < drawn.numRows(); k++) {
                long negative = drawnIds.ids()[drawnIds.start(k)];
                if (negative != key) {
                    others.add(dot(u, r, negatives, k, dim) / temperature - Math.log(4 * probability(corpus, negative)));
                }
            }
            double ownCorrected = own - Math.log(4 * probability(corpus, key));
            expectedWithoutHard += logSumExp(ownCorrected, others) - ownCorrected;
            if (batch.groupKeys()[r] == user) {
                for (int k = 0; k < hard.numRows(); k++) {
                    if (hardIds.ids()[hardIds.start(k)] != key) {
                        others.add(dot(u, r, hards, k, dim) / temperature);
                    }
                }
            }
            expected += logSumExp(ownCorrected, others) - ownCorrected;
        }
        assertEquals(expected, loss, 1e-3 * Math.abs(expected), "the sampled softmax with the hard negatives, by hand");
        assertTrue(expected > expectedWithoutHard + 1e-3, "the hard negatives add to the loss: " + expected + " vs " + expectedWithoutHard);
    }

    /** POPULARITY with alpha 0.75: the sampler's probability of the item. */
    private static double probability(ItemCorpus corpus, long key) {
        double total = 0;
        for (int i = 0; i < corpus.size(); i++) {
            total += Math.pow(corpus.count(i), 0.75);
        }
        return Math.pow(corpus.count(corpus.indexOf(key)), 0.75) / total;
    }

    private static double dot(float[] a, int row, float[] b, int other, int dim) {
        double s = 0;
        for (int j = 0; j < dim; j++) {
            s += (double) a[row * dim + j] * b[other * dim + j];
        }
        return s;
    }

    private static double logSumExp(double first, List<Double> rest) {
        double max = first;
        for (double x : rest) {
            max = Math.max(max, x);
        }
        double sum = Math.exp(first - max);
        for (double x : rest) {
            sum += Math.exp(x - max);
        }
        return max + Math.log(sum);
    }

    @Test
    void itemCorpusHasTheModelsItemKey() {
        ZooFixture.Built built = ZooFixture.build(ZooFixture.parse(dssm("negative_sampler {}")), 3);
        ItemCorpus corpus = ((SampledNegatives) built.model()).newItemCorpus().add(ZooFixture.data().train()).build();
        assertEquals(SyntheticCtrData.ITEMS, corpus.size(), "every item of the fixture appears in its training rows");
    }
}

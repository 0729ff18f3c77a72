package org.recspark.hpo.trial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.Direction;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;
import org.recspark.config.proto.TrialStopping;
import org.recspark.features.FeatureGenerator;
import org.recspark.hpo.HyperParameterSearch;
import org.recspark.hpo.Objective;
import org.recspark.hpo.space.ConfigPathSetter;
import org.recspark.hpo.space.ParameterSpaceFixture;
import org.recspark.hpo.stopping.LearningCurve;
import org.recspark.trainer.model.ZooConfigs;
import org.recspark.trainer.model.ZooFixture;

/** Trials that train: the trainer tests' synthetic CTR data through each trial's own feature config. */
class RealTrialsTest {
    private static final PipelineConfig BASE = ConfigParser.parseText(ZooFixture.pipelineText(ZooConfigs.DEEPFM, ZooFixture.trainConfig(256, 2))
            + "eval_config { metrics { auc {} } metrics { logloss {} } every_steps: 8 }", "synthetic-trials.pbtxt");
    private static final Objective AUC = new Objective("auc", Direction.MAXIMIZE);

    @TempDir
    Path dir;

    private final AtomicInteger builds = new AtomicInteger();

    /** The synthetic rows through the config's feature jar: 6,000 to train, 1,000 to evaluate, 1,000 to test. */
    private TrialData rows(PipelineConfig config) {
        builds.incrementAndGet();
        ZooFixture.Data data = ZooFixture.data();
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), dir);
        var test = data.raw().examples(generator, data.raw().testRows());
        return new TrialData(data.raw().examples(generator, data.raw().trainRows()), test.slice(0, 1000), Optional.of(test.slice(1000, 2000)));
    }

    @Test
    void aSearchTrainsItsTrialsRebuildsRowsOnlyForNewFeatureConfigsAndRecordsInvalidOnes() throws Exception {
        SearchSpace space = ParameterSpaceFixture.space("""
                params { path: "train_config.dense_optimizer.learning_rate.initial" float_range { min: 0.002 max: 0.05 log_scale: true } }
                params { path: "model_config.deepfm.dnn.hidden_units" choices { values: ["[32, 16]", "[8]"] } }
                params { path: "feature_config.features[3].id.vocab_list" choices { values: ['["morning", "noon", "evening", "night"]', '["night", "evening", "noon", "morning"]'] } }
                params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 1.3 } }
                algorithm: RANDOM max_trials: 6 parallelism: 2 seed: 2 trial_stopping: MEDIAN
                objective { metric: "auc" direction: MAXIMIZE }
                """);
        TrialRunner runner = TrialRunner.forSearch(BASE, space, dir, 1);
        HyperParameterSearch.Result result = new HyperParameterSearch(BASE, dir, space, dir.resolve("search"),
                new LocalTrialExecutor(new CachedTrialData(this::rows, 4), runner)).run();
        assertEquals(6, result.trials().size());
        Set<String> vocabularies = new HashSet<>();
        int trained = 0;
        for (TrialRecord t : result.trials()) {
            double dropout = Double.parseDouble(t.params().get("model_config.deepfm.dnn.dropout"));
            if (dropout >= 1) {
                assertEquals(TrialStatus.FAILED, t.outcome().status());
                assertTrue(t.outcome().error().contains("model_config.deepfm.dnn.dropout: must be < 1, got "), t.outcome().error());
                continue;
            }
            trained++;
            vocabularies.add(t.params().get("feature_config.features[3].id.vocab_list"));
            assertTrue(Set.of(TrialStatus.COMPLETED, TrialStatus.STOPPED).contains(t.outcome().status()), t.toString());
            assertTrue(t.outcome().objective() > 0.6, "the planted signal is learned: " + t);
            assertEquals(t.outcome().curve().best(AUC), t.outcome().objective());
            assertTrue(Files.isRegularFile(Path.of(t.outcome().runDir()).resolve("summary.json")), t.outcome().runDir());
            assertTrue(t.outcome().stopReason() != null && t.outcome().steps() > 0, t.toString());
        }
        assertEquals(3, trained, "seed 2 samples three valid and three invalid dropouts");
        assertEquals(2, vocabularies.size(), "and both vocabularies among the valid ones");
        assertEquals(vocabularies.size(), builds.get(), "rows are built once per distinct feature config");
        assertTrue(Files.isRegularFile(result.bestConfig().orElseThrow()));
    }

    @Test
    void rowsAreSharedAcrossEmbeddingOnlyChangesAndRebuiltForIdChanges() {
        var base = BASE.getFeatureConfig();
        var widerEmbeddings = ConfigPathSetter.set(BASE, "feature_config.features[0].embedding_dim", "32").getFeatureConfig();
        var summed = ConfigPathSetter.set(BASE, "feature_config.features[7].pooling", "SUM").getFeatureConfig();
        var otherIds = ConfigPathSetter.set(BASE, "feature_config.features[3].id.vocab_list", "[\"night\", \"day\"]").getFeatureConfig();
        assertEquals(FeatureDataKey.of(base), FeatureDataKey.of(widerEmbeddings));
        assertEquals(FeatureDataKey.of(base), FeatureDataKey.of(summed));
        assertNotEquals(FeatureDataKey.of(base), FeatureDataKey.of(otherIds));
        CachedTrialData cache = new CachedTrialData(this::rows, 2);
        TrialData first = cache.forConfig(BASE);
        assertTrue(first == cache.forConfig(ConfigPathSetter.set(BASE, "feature_config.features[0].embedding_dim", "32")));
        assertEquals(1, builds.get());
    }

    @Test
    void aTrialBehindTheEarlierOnesIsStoppedAtItsFirstEvaluation() {
        TrialRunner runner = new TrialRunner(dir, 1, AUC, TrialStopping.MEDIAN, 8 * 256);
        LearningCurve excellent = new LearningCurve(List.of(new LearningCurve.Point(8, 2048, 0.999), new LearningCurve.Point(96, 24576, 0.999)));
        TrialSpec spec = new TrialSpec(3, Map.of(), BASE, List.of(excellent, excellent, excellent));
        TrialOutcome outcome = runner.run(spec, () -> rows(BASE), dir.resolve("behind"));
        assertEquals(TrialStatus.STOPPED, outcome.status(), outcome.toString());
        assertEquals(8, outcome.steps());
        assertEquals(1, outcome.curve().points().size());
        assertTrue(outcome.stopReason().startsWith("stopped at step 8 by median stopping: best auc "), outcome.stopReason());
    }

    @Test
    void aDivergedTrainingIsAFailedTrialWithTheTrainersMessage() {
        PipelineConfig exploding = ConfigPathSetter.set(ConfigPathSetter.set(BASE, "train_config.dense_optimizer",
                "sgd {} learning_rate { initial: 1e30 }"), "train_config.sparse_optimizer", "sgd {} learning_rate { initial: 1e30 }");
        TrialRunner runner = new TrialRunner(dir, 1, AUC, TrialStopping.NO_STOPPING, 0);
        TrialOutcome outcome = runner.run(new TrialSpec(0, Map.of(), exploding, List.of()), () -> rows(exploding), dir.resolve("nan"));
        assertEquals(TrialStatus.FAILED, outcome.status(), outcome.toString());
        assertTrue(outcome.error().startsWith("IllegalStateException: loss is "), outcome.error());
        assertTrue(Double.isNaN(outcome.objective()));
    }

    @Test
    void aSearchSelectsTwoTowerTrialsOnFullCorpusRecall() throws Exception {
        PipelineConfig dssm = ConfigParser.parseText(ZooFixture.pipelineText("""
                model_config {
                  feature_groups { name: "user" features: ["seq_categories", "seq_items"] }
                  feature_groups { name: "item" features: ["item_id", "category", "quality"] }
                  dssm {
                    user_group: "user"
                    item_group: "item"
                    user_tower { hidden_units: [16, 8] }
                    item_tower { hidden_units: [16, 8] }
                    temperature: 0.2
                    in_batch_negatives: true
                    popularity_correction: true
                  }
                  label: "click"
                }
                """, ZooFixture.trainConfig(256, 2))
                + "eval_config { metrics { recall_at_k { k: 20 } } metrics { ndcg_at_k { k: 20 } } every_steps: 8 }", "dssm-trials.pbtxt");
        SearchSpace space = ParameterSpaceFixture.space("""
                params { path: "model_config.dssm.temperature" float_range { min: 0.05 max: 0.5 } }
                algorithm: RANDOM max_trials: 2 parallelism: 1 seed: 3 trial_stopping: NO_STOPPING
                objective { metric: "recall@20" direction: MAXIMIZE }
                """);
        Objective recall = new Objective("recall@20", Direction.MAXIMIZE);
        TrialRunner runner = TrialRunner.forSearch(dssm, space, dir, 1);
        HyperParameterSearch.Result result = new HyperParameterSearch(dssm, dir, space, dir.resolve("dssm-search"),
                new LocalTrialExecutor(new CachedTrialData(this::rows, 1), runner)).run();
        assertEquals(2, result.trials().size());
        for (TrialRecord t : result.trials()) {
            assertEquals(TrialStatus.COMPLETED, t.outcome().status(), t.toString());
            assertTrue(t.outcome().objective() > 0 && t.outcome().objective() <= 1, t.toString());
            assertEquals(t.outcome().curve().best(recall), t.outcome().objective());
        }
        assertTrue(Files.isRegularFile(result.bestConfig().orElseThrow()));
    }
}

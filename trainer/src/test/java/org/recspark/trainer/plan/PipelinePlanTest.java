package org.recspark.trainer.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigException;
import org.recspark.config.proto.FeatureGroup;
import org.recspark.config.proto.GroupType;
import org.recspark.config.proto.LogisticRegression;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureSpec;

/**
 * The pre-flight plan of the sample pipeline, and each family of check that used to fail only once
 * training had started (model cross-checks, feature groups, optimizers, metrics, evaluation rules)
 * reported by compiling the plan with its config path, all of them at once. (The config's own
 * rules restate the optimizers' and the metric tasks' checks; the plan reports one problem per path.)
 */
class PipelinePlanTest {
    private static Path examples;
    private static PipelineConfig sample;

    @BeforeAll
    static void loadTheSample() {
        examples = ExamplePlansTest.repoRoot().resolve("examples");
        sample = PipelinePlan.load(examples.resolve("sample_pipeline.pbtxt")).config();
    }

    private static ConfigException planFails(PipelineConfig config) {
        return assertThrows(ConfigException.class, () -> PipelinePlan.compile(config, examples));
    }

    private static void assertReports(ConfigException e, String path, String messagePart) {
        assertTrue(e.violations().stream().anyMatch(v -> v.path().equals(path) && v.message().contains(messagePart)),
                "expected " + path + ": ..." + messagePart + "... in " + e.getMessage());
    }

    @Test
    void planOfTheSampleHoldsFeaturesModelShapesTasksMetricsAndTheSamplesSchema() {
        PipelinePlan plan = PipelinePlan.compile(sample, examples);
        assertEquals("deepfm", plan.modelType());
        assertEquals(List.of("click"), plan.taskNames());
        assertEquals(List.of("auc", "gauc", "logloss", "calibration"), plan.metricNames().subList(0, 4));
        ParameterShape items = plan.parameter("item_id").orElseThrow(() -> new AssertionError(plan.parameters().toString()));
        assertEquals(ParameterShape.Kind.EMBEDDING_TABLE, items.kind());
        assertEquals(100_000, items.rows());
        assertTrue(plan.denseParameterCount() > 0, plan.parameters().toString());
        assertTrue(plan.parameters().stream().anyMatch(p -> p.kind() == ParameterShape.Kind.WEIGHT && p.rows() > 1 && p.cols() == 256),
                "the first DNN layer has 256 outputs: " + plan.parameters());

        SampleSchema samples = plan.samples();
        assertEquals(List.of(new SampleColumn("user_id", SampleColumn.Type.ANY), new SampleColumn("click", SampleColumn.Type.NUMBER),
                new SampleColumn("ts", SampleColumn.Type.NUMBER)), samples.columns());
        long weighted = plan.schema().features().stream().filter(FeatureSpec::weighted).count();
        assertEquals(plan.schema().size() + weighted, samples.features().size());
        assertTrue(samples.features().contains(new SampleColumn("item_tags", SampleColumn.Type.ID_LIST)), samples.features().toString());
        assertTrue(samples.features().contains(new SampleColumn("log_price", SampleColumn.Type.FLOAT_LIST)), samples.features().toString());
    }

    /** A table of four billion rows of 8 floats would be 128 GB: planning it must only record its shape. */
    @Test
    void aHugeEmbeddingTableIsPlannedWithoutAllocatingIt() {
        PipelineConfig.Builder huge = sample.toBuilder();
        huge.getFeatureConfigBuilder().getFeaturesBuilderList().stream().filter(f -> f.getName().equals("user_id"))
                .forEach(f -> f.getIdBuilder().setHashBucketSize(4_000_000_000L));
        PipelinePlan plan = PipelinePlan.compile(huge.build(), examples);
        ParameterShape users = plan.parameter("user_id").orElseThrow();
        assertEquals(4_000_000_000L, users.rows());
        assertEquals(4_000_000_000L * users.cols(), users.count());
    }

    @Test
    void aModelsOwnCrossCheckIsReportedWithItsPath() {
        PipelineConfig lrWithoutWideGroup = sample.toBuilder()
                .setModelConfig(sample.getModelConfig().toBuilder().setLr(LogisticRegression.getDefaultInstance())).build();
        assertReports(planFails(lrWithoutWideGroup), "model_config.feature_groups", "lr needs at least one WIDE feature group");
    }

    /**
     * The registry's check runs on the config alone, so a model's reference to a missing group is
     * reported beside a group's own problem, which stops the model from being built.
     */
    @Test
    void theModelsRegistryCheckIsReportedBesideTheGroupsProblems() {
        PipelineConfig.Builder bad = sample.toBuilder();
        bad.getModelConfigBuilder().getDeepfmBuilder().clearGroups().addGroups("nope");
        bad.getModelConfigBuilder().getFeatureGroupsBuilder(0).addFeatures("no_such_feature");
        ConfigException e = planFails(bad.build());
        assertReports(e, "model_config.deepfm.groups[0]", "no feature group named 'nope' in model_config.feature_groups");
        assertTrue(e.violations().stream().anyMatch(v -> v.path().startsWith("model_config.feature_groups[0].features[")
                && v.message().contains("no feature named 'no_such_feature'")), e.getMessage());
    }

    @Test
    void aSequenceGroupWithoutFeaturesIsReported() {
        PipelineConfig emptySequence = sample.toBuilder().setModelConfig(sample.getModelConfig().toBuilder()
                .setFeatureGroups(2, FeatureGroup.newBuilder().setName("history").setType(GroupType.SEQUENCE))).build();
        ConfigException e = planFails(emptySequence);
        assertTrue(e.violations().stream().anyMatch(v -> v.path().startsWith("model_config.feature_groups[2]")), e.getMessage());
    }

    @Test
    void optimizersThatDoNotApplyToTheirParametersAreBothReported() {
        PipelineConfig.Builder swapped = sample.toBuilder();
        swapped.getTrainConfigBuilder().getDenseOptimizerBuilder().getLazyAdamBuilder();
        swapped.getTrainConfigBuilder().getSparseOptimizerBuilder().getAdamwBuilder();
        ConfigException e = planFails(swapped.build());
        assertReports(e, "train_config.dense_optimizer", "lazy_adam is for ");
        assertReports(e, "train_config.sparse_optimizer", "adamw is for dense parameters");
    }

    @Test
    void metricsAndExportRulesAreCheckedAgainstTheModelsTasks() {
        PipelineConfig.Builder wrong = sample.toBuilder();
        wrong.getEvalConfigBuilder().getMetricsBuilder(0).setTask("purchase");
        wrong.getExportConfigBuilder().getBestMetricBuilder().setMetric("auc_typo");
        ConfigException e = planFails(wrong.build());
        assertReports(e, "eval_config.metrics[0].task", "'purchase'");

        PipelineConfig.Builder typo = sample.toBuilder();
        typo.getExportConfigBuilder().getBestMetricBuilder().setMetric("auc_typo");
        typo.getExportConfigBuilder().getEarlyStopBuilder().getTargetBuilder().setMetric("ndcg");
        ConfigException rules = planFails(typo.build());
        assertReports(rules, "export_config.best_metric.metric", "'auc_typo' is not computed");
        assertReports(rules, "export_config.early_stop.target.metric", "'ndcg' is not computed");
    }

    @Test
    void everyProblemIsReportedAtOnceFromTheConfigsOwnValidationToTheTrainersChecks() {
        PipelineConfig.Builder bad = sample.toBuilder()
                .setModelConfig(sample.getModelConfig().toBuilder().setLr(LogisticRegression.getDefaultInstance()));
        bad.getTrainConfigBuilder().setBatchSize(0).getDenseOptimizerBuilder().getFtrlBuilder();
        ConfigException e = planFails(bad.build());
        assertReports(e, "train_config.batch_size", "must be >= 1, got 0");
        assertReports(e, "train_config.dense_optimizer", "ftrl is for ");
        assertReports(e, "model_config.feature_groups", "lr needs at least one WIDE feature group");
        assertEquals(e.violations().size(), e.violations().stream().distinct().count(), "no problem twice: " + e.getMessage());
    }

    @Test
    void aTopKMetricWithAnInvalidKIsReportedAtItsPathInsteadOfCrashingThePlan() {
        PipelineConfig.Builder bad = sample.toBuilder();
        bad.getEvalConfigBuilder().addMetricsBuilder().getRecallAtKBuilder().setK(0);
        bad.getTrainConfigBuilder().setBatchSize(-5);
        ConfigException e = planFails(bad.build());
        assertReports(e, "eval_config.metrics[4].recall_at_k.k", "must be >= 1, got 0");
        assertReports(e, "train_config.batch_size", "must be >= 1, got -5");
    }

    @Test
    void loadReportsAnUnknownFieldTogetherWithThePlansProblems(@TempDir Path dir) throws Exception {
        String text = Files.readString(examples.resolve("sample_pipeline.pbtxt"))
                .replace("dropout: 0.1", "dropuot: 0.1")
                .replace("groups: [\"all\"]", "groups: [\"alll\"]")
                .replace("../sample-data/", examples.resolveSibling("sample-data").toAbsolutePath() + "/");
        Path file = Files.writeString(dir.resolve("typo.pbtxt"), text);
        ConfigException e = assertThrows(ConfigException.class, () -> PipelinePlan.load(file));
        assertTrue(e.violations().get(0).message().startsWith("unknown field 'dropuot' in MLP"), e.getMessage());
        assertReports(e, "model_config.deepfm.groups[0]", "no feature group named 'alll'");
    }

    @Test
    void aFeaturesOnlyConfigPlansWithoutAModel() {
        PipelinePlan features = PipelinePlan.compile(sample.toBuilder().clearModelConfig().build(), examples);
        assertFalse(features.hasModel());
        assertEquals(List.of(), features.tasks());
        assertEquals(sample.getFeatureConfig().getFeaturesCount(), features.schema().size());
    }
}

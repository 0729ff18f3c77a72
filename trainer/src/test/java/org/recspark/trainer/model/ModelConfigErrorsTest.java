package org.recspark.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.config.Violation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.TaskSpec;
import org.recspark.model.nn.ModelParameters;

/**
 * Configs the model zoo cannot build fail in {@link ModelFactory#create} with a {@link ConfigException}
 * whose violations name the offending field by path, without relying on the pipeline validator
 * having run (the configs are parsed, not validated).
 */
class ModelConfigErrorsTest {
    private static ConfigException buildFails(String modelConfig) {
        return assertThrows(ConfigException.class, () -> ZooFixture.build(ZooFixture.parse(modelConfig), 1),
                "building should fail for:\n" + modelConfig);
    }

    private static void assertViolations(ConfigException e, List<String> paths, String messagePart) {
        assertEquals(paths, e.violations().stream().map(Violation::path).toList(), "violation paths of: " + e.getMessage());
        for (Violation v : e.violations()) {
            assertTrue(v.message().contains(messagePart), "message should mention '" + messagePart + "': " + v);
        }
    }

    private static void assertViolation(ConfigException e, String path, String messagePart) {
        assertViolations(e, List.of(path), messagePart);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            model_config.wide_and_deep.wide_groups[0]  | wide_and_deep { wide_groups: "nope" deep_groups: "all" dnn { hidden_units: [8] } }
            model_config.wide_and_deep.deep_groups[1]  | wide_and_deep { wide_groups: "all" deep_groups: ["all", "nope"] dnn { hidden_units: [8] } }
            model_config.deepfm.groups[1]              | deepfm { groups: ["all", "nope"] dnn { hidden_units: [8] } }
            model_config.din.sequence_group            | din { sequence_group: "nope" target_features: "item_id" dnn { hidden_units: [8] } }
            model_config.multi_tower.towers[1].group   | multi_tower { towers { group: "all" dnn { hidden_units: [8] } } towers { group: "nope" dnn { hidden_units: [8] } } final_dnn { hidden_units: [8] } }
            model_config.dssm.user_group               | dssm { user_group: "nope" item_group: "all" user_tower { hidden_units: [8] } item_tower { hidden_units: [8] } }
            model_config.dssm.item_group               | dssm { user_group: "all" item_group: "nope" user_tower { hidden_units: [8] } item_tower { hidden_units: [8] } }
            model_config.mf_bpr.user_group             | mf_bpr { user_group: "nope" item_group: "all" }
            model_config.mf_bpr.item_group             | mf_bpr { user_group: "all" item_group: "nope" }
            """)
    void unknownFeatureGroupInAModel(String path, String model) {
        ConfigException e = buildFails("""
                model_config {
                  feature_groups { name: "all" features: ["user_id", "item_id", "hour"] }
                  %s
                  label: "click"
                }
                """.formatted(model));
        assertViolation(e, path, "no feature group named 'nope'");
    }

    /** A WIDE group has first-order weights only; using it as a deep input is a config error, not a failing step. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            model_config.deepfm.groups[1]              | deepfm { groups: ["deep", "wide"] dnn { hidden_units: [8] } }
            model_config.wide_and_deep.deep_groups[1]  | wide_and_deep { wide_groups: "wide" deep_groups: ["deep", "wide"] dnn { hidden_units: [8] } }
            model_config.multi_tower.towers[0].group   | multi_tower { towers { group: "wide" dnn { hidden_units: [8] } } final_dnn { hidden_units: [8] } }
            model_config.dssm.item_group               | dssm { user_group: "deep" item_group: "wide" user_tower { hidden_units: [8] } item_tower { hidden_units: [8] } }
            model_config.mf_bpr.item_group             | mf_bpr { user_group: "deep" item_group: "wide" }
            """)
    void wideGroupUsedAsDeepInput(String path, String model) {
        ConfigException e = buildFails("""
                model_config {
                  feature_groups { name: "wide" type: WIDE features: ["item_id", "category"] }
                  feature_groups { name: "deep" features: ["user_id", "hour"] }
                  %s
                  label: "click"
                }
                """.formatted(model));
        assertViolation(e, path, "group 'wide' is WIDE");
    }

    @Test
    void featureGroupNamingUnknownFeatures() {
        ConfigException e = buildFails("""
                model_config {
                  feature_groups { name: "a" features: ["user_id", "no_such_feature", "hour"] }
                  feature_groups { name: "b" features: ["also_missing"] }
                  deepfm { dnn { hidden_units: [8] } }
                  label: "click"
                }
                """);
        assertEquals(List.of(
                new Violation("model_config.feature_groups[0].features[1]", "no feature named 'no_such_feature' in feature_config"),
                new Violation("model_config.feature_groups[1].features[0]", "no feature named 'also_missing' in feature_config")),
                e.violations(), "every unknown feature is reported at once");
    }

    @Test
    void badFeatureGroups() {
        assertViolation(buildFails("""
                model_config {
                  feature_groups { name: "all" features: ["user_id"] }
                  feature_groups { name: "all" features: ["hour"] }
                  deepfm { dnn { hidden_units: [8] } }
                  label: "click"
                }
                """), "model_config.feature_groups[1].name", "defined twice");
        assertViolation(buildFails("""
                model_config {
                  feature_groups { name: "history" type: SEQUENCE features: ["seq_items", "category"] }
                  din { sequence_group: "history" target_features: ["item_id", "category"] dnn { hidden_units: [8] } }
                  label: "click"
                }
                """), "model_config.feature_groups[0].features[1]", "not a sequence feature");
    }

    /** The encoder replaces a DEEP group's pooling; DIN's attention and a WIDE group's first-order weights would silently bypass it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            SEQUENCE | feature_groups { name: "history" type: SEQUENCE features: ["seq_items"] } din { sequence_group: "history" target_features: ["item_id"] dnn { hidden_units: [8] } }
            WIDE     | feature_groups { name: "history" type: WIDE features: ["seq_items"] } feature_groups { name: "all" features: ["item_id"] } wide_and_deep { wide_groups: "history" deep_groups: "all" dnn { hidden_units: [8] } }
            """)
    void onlyADeepGroupTakesASelfAttentionSequence(String type, String model) {
        PipelineConfig config = ZooFixture.parseWithSelfAttentionHistory("model_config { " + model + " label: \"click\" }", ZooFixture.TRAIN_CONFIG,
                "MOST_RECENT");
        FeatureSchema schema = FeatureGenerator.compile(config.getFeatureConfig(), Path.of(".")).schema();
        ConfigException e = assertThrows(ConfigException.class, () -> ModelFactory.create(new ModelContext(config, schema, new ModelParameters(1))));
        assertViolation(e, "model_config.feature_groups[0].features[0]", "self_attention encoder, which replaces its pooling in a DEEP group; a "
                + type + " group");
    }

    /** Recency weights act through pooling; DIN's attention would read the ids and silently drop them. */
    @Test
    void aSequenceGroupRefusesARecencyWeightedSequence() {
        String din = """
                model_config {
                  feature_groups { name: "history" type: SEQUENCE features: ["seq_items"] }
                  din { sequence_group: "history" target_features: ["item_id"] dnn { hidden_units: [8] } }
                  label: "click"
                }
                """;
        String pipeline = ZooFixture.pipelineText(din, "").replace("max_length: 10 } embedding_dim: 8 shared_embedding: \"item_emb\"",
                "max_length: 10 recency_decay: 0.8 } embedding_dim: 8 shared_embedding: \"item_emb\"");
        PipelineConfig config = ConfigParser.parseText(pipeline, "weighted.pbtxt");
        assertTrue(config.getFeatureConfig().getFeaturesList().stream().anyMatch(f -> f.getSequence().hasRecencyDecay()));
        FeatureSchema schema = FeatureGenerator.compile(config.getFeatureConfig(), Path.of(".")).schema();
        ConfigException e = assertThrows(ConfigException.class, () -> ModelFactory.create(new ModelContext(config, schema, new ModelParameters(1))));
        assertViolation(e, "model_config.feature_groups[0].features[0]", "recency_decay");
    }

    @Test
    void deepFmWithMixedEmbeddingDims() {
        ConfigException e = buildFails("""
                model_config {
                  feature_groups { name: "all" features: ["user_id", "hour_dim4", "quality"] }
                  deepfm { dnn { hidden_units: [8] } }
                  label: "click"
                }
                """);
        assertViolation(e, "model_config.feature_groups[0]", "'hour_dim4' has 4, others 8");

        // The FM covers only the groups DeepFM uses: a 4-wide feature in another group is fine.
        Model model = ZooFixture.build(ZooFixture.parse("""
                model_config {
                  feature_groups { name: "all" features: ["user_id", "item_id", "quality"] }
                  feature_groups { name: "other" features: ["hour_dim4"] }
                  deepfm { groups: "all" dnn { hidden_units: [8] } }
                  label: "click"
                }
                """), 1).model();
        assertEquals(1, model.tasks().size());
    }

    @Test
    void dinTargetFeatureNotSharingTheSequenceEmbedding() {
        String din = """
                model_config {
                  feature_groups { name: "history" type: SEQUENCE features: ["seq_items", "seq_categories"] }
                  din { sequence_group: "history" target_features: %s dnn { hidden_units: [8] } }
                  label: "click"
                }
                """;
        ConfigException e = buildFails(din.formatted("[\"item_id\", \"category_own\"]"));
        assertViolation(e, "model_config.din.target_features[1]", "'category_own' must share the embedding of sequence feature 'seq_categories'");

        assertViolation(buildFails(din.formatted("[\"quality\", \"category\"]")), "model_config.din.target_features[0]",
                "'quality' must share the embedding");
        assertViolation(buildFails(din.formatted("[\"item_id\"]")), "model_config.din.target_features",
                "one target feature per feature of group 'history' (2), got 1");
        assertViolation(buildFails(din.formatted("[\"item_id\", \"no_such_feature\"]")), "model_config.din.target_features[1]",
                "no feature named 'no_such_feature'");
        assertViolation(buildFails("""
                model_config {
                  feature_groups { name: "history" features: ["seq_items"] }
                  din { sequence_group: "history" target_features: "item_id" dnn { hidden_units: [8] } }
                  label: "click"
                }
                """), "model_config.din.sequence_group", "DIN attends a SEQUENCE group");
    }

    @Test
    void dssmTowersOfDifferentWidths() {
        ConfigException e = buildFails("""
                model_config {
                  feature_groups { name: "user" features: ["user_id"] }
                  feature_groups { name: "item" features: ["item_id"] }
                  dssm { user_group: "user" item_group: "item" user_tower { hidden_units: [16] } item_tower { hidden_units: [32, 8] } }
                  label: "click"
                }
                """);
        assertViolation(e, "model_config.dssm.item_tower.hidden_units", "user tower 16, item tower 8");
    }

    private static String dbmtl(String relations) {
        return """
                model_config {
                  feature_groups { name: "all" features: ["user_id", "item_id", "quality"] }
                  dbmtl {
                    tasks { name: "ctr" label: "click" tower { hidden_units: [8] } }
                    tasks { name: "cvr" label: "conversion" tower { hidden_units: [8] } }
                    tasks { name: "ctcvr" label: "conversion" }
                    %s
                  }
                }
                """.formatted(relations);
    }

    @Test
    void dbmtlRelationCycle() {
        ConfigException e = buildFails(dbmtl("""
                relations { task: "cvr" depends_on: "ctr" }
                relations { task: "ctr" depends_on: "ctcvr" }
                relations { task: "ctcvr" depends_on: "cvr" }
                """));
        assertViolation(e, "model_config.dbmtl.relations", "cycle");
        assertTrue(e.violations().get(0).message().contains("ctr -> ctcvr -> cvr -> ctr"), "the cycle is spelled out: " + e.getMessage());

        assertViolation(buildFails(dbmtl("relations { task: \"cvr\" depends_on: \"cvr\" }")), "model_config.dbmtl.relations",
                "cvr -> cvr");
        // A chain without a cycle builds, in dependency order.
        Model chain = ZooFixture.build(ZooFixture.parse(dbmtl("""
                relations { task: "ctcvr" depends_on: ["ctr", "cvr"] }
                relations { task: "cvr" depends_on: "ctr" }
                """)), 1).model();
        assertEquals(List.of("ctr", "cvr", "ctcvr"), chain.tasks().stream().map(TaskSpec::name).toList());
    }

    @Test
    void dbmtlRelationWithUnknownTasks() {
        ConfigException e = buildFails(dbmtl("""
                relations { task: "cvr" depends_on: "ctr" }
                relations { task: "purchase" depends_on: ["ctr", "like"] }
                """));
        assertEquals(List.of(
                new Violation("model_config.dbmtl.relations[1].task", "no task named 'purchase'"),
                new Violation("model_config.dbmtl.relations[1].depends_on", "no task named 'like'")),
                e.violations(), "both unknown names are reported");
    }

    @Test
    void noModelSelected() {
        ConfigException e = buildFails("""
                model_config {
                  feature_groups { name: "all" features: ["user_id"] }
                  label: "click"
                }
                """);
        assertViolation(e, "model_config", "no model is selected");
    }

    @Test
    void missingGroupsAndLabel() {
        assertViolation(buildFails("""
                model_config {
                  feature_groups { name: "all" features: ["user_id"] }
                  lr {}
                  label: "click"
                }
                """), "model_config.feature_groups", "lr needs at least one WIDE feature group");
        assertViolation(buildFails("""
                model_config {
                  feature_groups { name: "wide" type: WIDE features: ["user_id"] }
                  mmoe { expert { hidden_units: [8] } tasks { name: "ctr" label: "click" } }
                }
                """), "model_config.feature_groups", "at least one DEEP feature group");
        // Two labels in input_config: a single-task model must say which one it predicts.
        assertViolation(buildFails("""
                model_config {
                  feature_groups { name: "all" features: ["user_id"] }
                  deepfm { dnn { hidden_units: [8] } }
                }
                """), "model_config.label", "is required when input_config has 2 labels");
    }
}

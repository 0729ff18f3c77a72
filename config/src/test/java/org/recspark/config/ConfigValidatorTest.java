package org.recspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.PipelineConfig;

class ConfigValidatorTest {

    private static List<String> violations(String text) {
        PipelineConfig config = ConfigParser.parseText(text, "test");
        return ConfigValidator.validate(config).stream().map(Violation::toString).collect(Collectors.toList());
    }

    private static void assertViolations(String text, String... expected) {
        List<String> actual = violations(text);
        for (String e : expected) {
            assertTrue(actual.contains(e), "expected <" + e + "> among " + actual);
        }
        assertEquals(expected.length, actual.size(), "unexpected extra violations: " + actual);
    }

    @Test
    void validMinimalConfigHasNoViolations() {
        assertEquals(List.of(), violations("feature_config { features { name: \"a\" id { input: \"user.a\" num_buckets: 3 } } }"));
    }

    @Test
    void reportsAllViolationsAtOnceWithPathsAndValues() {
        assertViolations("""
                feature_config {
                  features { name: "a" id { input: "user.a" hash_bucket_size: 10 } }
                  features { name: "b" id { input: "user.b" hash_bucket_size: 10 } }
                  features { name: "c" id { input: "item.c" hash_bucket_size: 10 } }
                  features { name: "d" id { input: "d" hash_bucket_size: -5 } embedding_dim: 0 }
                }
                train_config { batch_size: 0 }
                """,
                "feature_config.features[3].id.input: must be <user|item|context>.<field>, got 'd'",
                "feature_config.features[3].id.hash_bucket_size: must be > 0, got -5",
                "feature_config.features[3].embedding_dim: must be > 0, got 0",
                "train_config.batch_size: must be >= 1, got 0");
    }

    @Test
    void dailyGuardsAreCheckedWithTheirPaths() {
        assertViolations("""
                feature_config { features { name: "a" id { input: "user.a" num_buckets: 3 } } }
                daily_config { guards { min_positive_rate: 0.3 max_positive_rate: 0.2 max_psi: 0 numeric_bins: 1
                                        max_missing_rate_change: 1.5 features: ["a", "b"] } }
                """,
                "daily_config.guards.min_positive_rate: must be <= max_positive_rate 0.2, got 0.3",
                "daily_config.guards.max_psi: must be > 0, got 0",
                "daily_config.guards.numeric_bins: must be >= 2, got 1",
                "daily_config.guards.max_missing_rate_change: must be <= 1, got 1.5",
                "daily_config.guards.features[1]: no feature named 'b' in feature_config");
    }

    @Test
    void theInputCacheBudgetMustBePositive() {
        String features = "feature_config { features { name: \"a\" id { input: \"user.a\" num_buckets: 3 } } }\n";
        assertViolations(features + "train_config { input_cache { max_bytes: 0 } }",
                "train_config.input_cache.max_bytes: must be >= 1, got 0");
        assertViolations(features + "train_config { input_cache { max_bytes: -1 } }",
                "train_config.input_cache.max_bytes: must be >= 1, got -1");
        assertEquals(List.of(), violations(features + "train_config { input_cache { max_bytes: 268435456 } }"));
        assertEquals(1L << 30, ConfigParser.parseText(features + "train_config { input_cache {} }", "test")
                .getTrainConfig().getInputCache().getMaxBytes(), "1 GiB unless set");
    }

    @Test
    void featureConfigIsRequired() {
        assertViolations("name: \"x\"", "feature_config: is required");
    }

    @Test
    void featureRules() {
        assertViolations("""
                feature_config {
                  features { name: "a" id { input: "user.a" hash_bucket_size: 10 num_buckets: 3 } }
                  features { name: "a" tag { input: "user.t" } }
                  features { name: "c" combo { inputs: "user.a" } }
                  features { name: "d" raw { input: "item.p" dim: 2 boundaries: [1, 1] } }
                  features { name: "e" raw { input: "item.p" normalizer { minmax { min: 3 max: 3 } } } }
                  features { name: "f" lookup { map_input: "user.m" key_input: "item.k" normalizer {} } }
                  features { name: "g" }
                  features { name: "h" id { input: "item.v" vocab_list: ["x", "y", "x"] } }
                }
                """,
                "feature_config.features[0].id: exactly one of hash_bucket_size, vocab_list, vocab_file, num_buckets must define the id space, got 2",
                "feature_config.features[1].name: duplicate feature name 'a' (first at feature_config.features[0])",
                "feature_config.features[1].tag: exactly one of hash_bucket_size, vocab_list, vocab_file must define the id space, got 0",
                "feature_config.features[2].combo.inputs: a combo crosses at least 2 inputs, got 1",
                "feature_config.features[2].combo.hash_bucket_size: is required",
                "feature_config.features[3].raw.boundaries: bucketizing needs a scalar (dim 1), got dim 2",
                "feature_config.features[3].raw.boundaries[1]: boundaries must be strictly increasing, got 1 after 1",
                "feature_config.features[4].raw.normalizer.minmax.max: must be > min (3), got 3",
                "feature_config.features[5].lookup.normalizer: no normalizer set: expected one of log, zscore, minmax",
                "feature_config.features[6]: no feature type set: expected one of id, raw, tag, combo, lookup, match, sequence",
                "feature_config.features[7].id.vocab_list[2]: duplicate value 'x' (also at feature_config.features[7].id.vocab_list[0])");
    }

    @Test
    void sharedEmbeddingsMustAgree() {
        assertViolations("""
                feature_config {
                  features { name: "a" id { input: "user.a" hash_bucket_size: 10 } shared_embedding: "t" }
                  features { name: "b" tag { input: "user.b" hash_bucket_size: 20 } shared_embedding: "t" embedding_dim: 8 }
                  features { name: "c" raw { input: "user.c" } shared_embedding: "t" }
                }
                """,
                "feature_config.features[1]: shares embedding 't' with feature_config.features[0] but has 20 ids where it has 10",
                "feature_config.features[1].embedding_dim: shares embedding 't' with feature_config.features[0] whose embedding_dim is 16, got 8",
                "feature_config.features[2].shared_embedding: only sparse (id-valued) features have embeddings, but 'c' outputs floats");
    }

    @Test
    void featureInputsMustBeColumnsOfTheirTables() {
        assertViolations("""
                input_config {
                  samples { source { path: "s" format: CSV } schema { name: "user_id" } schema { name: "item_id" }
                            schema { name: "ts" type: INT64 } schema { name: "click" } schema { name: "device" } }
                  users { source { hive_table: "db.users" } schema { name: "user_id" } schema { name: "age" } }
                  items { source { } schema { name: "item_id" } }
                  labels { name: "clicked" }
                }
                feature_config {
                  features { name: "age" raw { input: "user.age" } }
                  features { name: "device" id { input: "context.device" hash_bucket_size: 5 } }
                  features { name: "hour" id { input: "context.hour" num_buckets: 24 } }
                  features { name: "price" raw { input: "item.price" } }
                }
                """,
                "input_config.items.source: one of path, hive_table is required",
                "input_config.labels[0].name: 'clicked' is not a column of the samples table [user_id, item_id, ts, click, device]",
                "feature_config.features[2]: input 'context.hour' is not a column of input_config.samples",
                "feature_config.features[3]: input 'item.price' is not a column of input_config.samples or input_config.items");
    }

    @Test
    void selfAttentionOfASequenceIsValidatedWithItsPaths() {
        assertEquals(List.of(), violations("""
                feature_config {
                  features { name: "hist" sequence { input: "user.hist" num_buckets: 10 max_length: 20
                             self_attention { num_blocks: 2 num_heads: 4 ffn_dim: 64 pooling: MEAN dropout: 0.2 } } embedding_dim: 32 }
                }
                """));
        assertViolations("""
                feature_config {
                  features { name: "hist" sequence { input: "user.hist" num_buckets: 10 recency_decay: 0.8
                             self_attention { num_heads: 3 } } embedding_dim: 32 pooling: SUM }
                  features { name: "bad" sequence { input: "user.bad" num_buckets: 10
                             self_attention { num_blocks: 0 ffn_dim: 0 dropout: 1 } } embedding_dim: 8 }
                }
                """,
                "feature_config.features[0].sequence.recency_decay: recency_decay weighs a pooled history; with self_attention the "
                        + "encoder's position embeddings see the order, so drop recency_decay",
                "feature_config.features[0].pooling: a self_attention history is not pooled by the feature's pooling; "
                        + "choose self_attention.pooling (MOST_RECENT or MEAN) instead",
                "feature_config.features[0].sequence.self_attention.num_heads: num_heads 3 must divide the feature's embedding_dim 32 "
                        + "(each head attends in embedding_dim / num_heads columns)",
                "feature_config.features[1].sequence.self_attention.num_blocks: must be >= 1, got 0",
                "feature_config.features[1].sequence.self_attention.ffn_dim: must be > 0, got 0",
                "feature_config.features[1].sequence.self_attention.dropout: must be < 1, got 1");
    }

    /** A Criteo-style table: a label, dense and categorical columns, no user, item or time. */
    private static final String CONTEXT_ONLY_INPUT = """
            input_config {
              samples { source { path: "s" format: CSV } schema { name: "clicked" type: INT64 } schema { name: "i1" type: DOUBLE }
                        schema { name: "c1" } }
              labels { name: "clicked" }
              %s
            }
            feature_config {
              features { name: "i1" raw { input: "context.i1" } }
              features { name: "c1" id { input: "context.c1" hash_bucket_size: 100 } }
              %s
            }
            %s
            """;

    @Test
    void contextOnlySamplesNeedNoUserItemOrTime() {
        assertEquals(List.of(), violations(CONTEXT_ONLY_INPUT.formatted("split { random { eval_fraction: 0.2 test_fraction: 0.1 } }", "",
                "eval_config { metrics { auc {} } metrics { logloss {} } }")));
    }

    @Test
    void aMissingRoleIsReportedWithEverySettingThatNeedsItAtOnce() {
        assertViolations(CONTEXT_ONLY_INPUT.formatted("""
                        users { source { path: "u" } schema { name: "user_id" } }
                        split { by_time { eval_fraction: 0.2 } }""",
                "behaviour_stats { event_types: \"click\" windows: 86400 }",
                "eval_config { metrics { auc {} } metrics { logloss {} } metrics { gauc {} } metrics { recall_at_k { k: 5 } } }"),
                "input_config.user_id_field: is required by input_config.users (joined on it), feature_config.behaviour_stats "
                        + "(replayed per user), eval_config.metrics[2] (gauc, per user), eval_config.metrics[3] (recall_at_k, per user), "
                        + "but the samples table has no column 'user_id'; set input_config.user_id_field to the samples' user column",
                "input_config.item_id_field: is required by feature_config.behaviour_stats (replayed per item), but the samples "
                        + "table has no column 'item_id'; set input_config.item_id_field to the samples' item column",
                "input_config.time_field: is required by feature_config.behaviour_stats (replayed as of each sample's time), "
                        + "input_config.split.by_time, but the samples table has no column 'ts'; set input_config.time_field to the "
                        + "samples' event time column",
                "feature_config.behaviour_stats: needs input_config.behaviours, the log to replay");
    }

    @Test
    void aRoleSetExplicitlyMustBeASamplesColumn() {
        assertViolations(CONTEXT_ONLY_INPUT.formatted("time_field: \"hour\"", "", ""),
                "input_config.time_field: 'hour' is not a column of the samples table [clicked, i1, c1]");
    }

    @Test
    void oneColumnMayBeKeyAndFeatureButALabelNameCannotBeAKeyOrAnotherColumn() {
        assertEquals(List.of(), violations(CONTEXT_ONLY_INPUT.formatted("user_id_field: \"c1\" item_id_field: \"c1\" "
                + "request_id_field: \"c1\"", "features { name: \"c1_again\" id { input: \"user.c1\" hash_bucket_size: 10 } }", "")));
        assertViolations(CONTEXT_ONLY_INPUT.replace("labels { name: \"clicked\" }",
                        "labels { name: \"c1\" column: \"clicked\" } labels { name: \"i1\" column: \"clicked\" }")
                        .formatted("user_id_field: \"c1\"", "", ""),
                "input_config.labels[0].name: 'c1' is also input_config.user_id_field: the label is rewritten as a number under its "
                        + "name, so it cannot be a key too; name the label otherwise and set its column: 'c1'",
                "input_config.labels[1].name: 'i1' is also a column of the samples table, which the label (read from column "
                        + "'clicked') would replace; name the label otherwise");
    }

    @Test
    void inputIntegrityOptionsAreCheckedWithTheirPaths() {
        assertViolations("""
                input_config {
                  samples { source { path: "s" format: PARQUET multi_line: true } on_duplicate_key: KEEP_FIRST
                            schema { name: "user_id" } schema { name: "item_id" min: 1 }
                            schema { name: "ts" type: INT64 min: 10 max: 5 } schema { name: "click" type: DOUBLE min: 0 max: 1 } }
                  users { source { path: "u" format: CSV multi_line: true } on_duplicate_key: REJECT allow_empty: true
                          schema { name: "user_id" } }
                  labels { name: "click" }
                }
                feature_config { features { name: "a" id { input: "user.user_id" hash_bucket_size: 3 } } }
                """,
                "input_config.samples.schema[1].min: applies to INT64 and DOUBLE columns, 'item_id' is STRING",
                "input_config.samples.schema[2].min: must be <= max 5, got 10",
                "input_config.samples.on_duplicate_key: applies to input_config.users and input_config.items only, "
                        + "the tables looked up by key",
                "input_config.samples.source.multi_line: applies to CSV files only, the source is PARQUET");
    }

    @Test
    void modelReferencesAreChecked() {
        assertViolations("""
                input_config { samples { source { path: "s" } schema { name: "user_id" } schema { name: "item_id" }
                  schema { name: "ts" } schema { name: "click" } schema { name: "buy" } }
                  labels { name: "click" } labels { name: "buy" } }
                feature_config { features { name: "a" id { input: "user.user_id" hash_bucket_size: 10 } } }
                model_config {
                  feature_groups { name: "g" features: ["a", "zz"] }
                  feature_groups { name: "s" features: ["a"] type: SEQUENCE }
                  mmoe { expert { hidden_units: [8] }
                         tasks { name: "ctr" label: "click" } tasks { name: "ctr" label: "cart" } }
                }
                eval_config { metrics { auc {} task: "cvr" } metrics { } }
                train_config { sparse_optimizer { adamw {} } dense_optimizer { ftrl {} } }
                export_config { exporters { type: BEST } }
                """,
                "model_config.feature_groups[0].features[1]: no feature named 'zz' in feature_config",
                "model_config.feature_groups[1].features[0]: a SEQUENCE group holds sequence features, 'a' is id",
                "model_config.mmoe.tasks[1].name: duplicate task name 'ctr'",
                "model_config.mmoe.tasks[1].label: must be one of input_config.labels [click, buy], got 'cart'",
                "eval_config.metrics[0].task: must name a task of the multi-task model [ctr, ctr], got 'cvr'",
                "eval_config.metrics[1]: no metric set: expected one of auc, gauc, logloss, mse, rmse, mae, calibration, precision_recall, recall_at_k, hit_rate_at_k, ndcg_at_k, mrr_at_k",
                "train_config.sparse_optimizer: adamw is for dense parameters; sparse embeddings use sgd, adagrad, adam, lazy_adam or ftrl",
                "train_config.dense_optimizer: ftrl is for sparse embeddings; dense parameters use sgd, adagrad, adam or adamw",
                "export_config.best_metric: is required by the BEST exporter at export_config.exporters[0]");
    }

    @Test
    void singleTaskModelNeedsALabelWhenThereAreSeveral() {
        assertViolations("""
                input_config { samples { source { path: "s" } schema { name: "user_id" } schema { name: "item_id" }
                  schema { name: "ts" } schema { name: "click" } schema { name: "buy" } schema { name: "a" } }
                  labels { name: "click" } labels { name: "buy" } }
                feature_config { features { name: "a" id { input: "user.a" hash_bucket_size: 10 } } }
                model_config { feature_groups { name: "g" features: "a" } lr {} }
                """,
                "model_config.label: is required when input_config has several labels [click, buy]");
    }

    @Test
    void searchSpaceIsChecked() {
        assertViolations("""
                feature_config { features { name: "a" id { input: "user.a" hash_bucket_size: 10 } } }
                hpo_config {
                  params { path: "model_config.deepfm.dnn.dropuot" float_range { min: 0.5 max: 0.1 } }
                  params { path: "train_config.batch_size" int_range { min: 0 max: 10 log_scale: true } }
                  params { path: "train_config[0].seed" choices { values: "1" } }
                  params { path: "train_config.seed" }
                  objective { metric: "auc" }
                }
                """,
                "hpo_config.params[0].float_range: min must be < max, got 0.5 >= 0.1",
                "hpo_config.params[0].path: 'model_config.deepfm.dnn.dropuot' does not name a config field: no field 'dropuot' in MLP",
                "hpo_config.params[1].int_range.min: log scale needs min > 0, got 0",
                "hpo_config.params[2].path: 'train_config[0].seed' indexes 'train_config', which is not a repeated field",
                "hpo_config.params[3]: no domain set: expected one of choices, int_range, float_range");
    }

    @Test
    void resolvesIndexedFieldPaths() {
        assertNull(PipelineRules.resolveFieldPath("feature_config.features[2].id.hash_bucket_size"));
        assertNull(PipelineRules.resolveFieldPath("train_config.dense_optimizer.adam.beta1"));
    }
}

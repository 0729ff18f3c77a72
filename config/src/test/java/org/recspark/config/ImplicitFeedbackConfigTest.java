package org.recspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.PipelineConfig;

/** Positives-only samples and the INTERACTION_LIST format, checked with their paths. */
class ImplicitFeedbackConfigTest {
    private static final String PIPELINE = """
            input_config {
              samples { source { path: "s" format: %s } %s }
              labels { name: "click" %s }
              %s
            }
            feature_config {
              features { name: "user_id" id { input: "user.user_id" hash_bucket_size: 100 } }
              features { name: "item_id" id { input: "item.item_id" hash_bucket_size: 100 } }
            }
            model_config {
              feature_groups { name: "user" features: "user_id" }
              feature_groups { name: "item" features: "item_id" }
              %s
              label: "click"
            }
            eval_config { %s }
            """;
    private static final String SCHEMA = "schema { name: \"user_id\" } schema { name: \"item_id\" } schema { name: \"ts\" type: INT64 }";
    private static final String DSSM = "dssm { user_group: \"user\" item_group: \"item\" user_tower { hidden_units: [8] } "
            + "item_tower { hidden_units: [8] } %s }";

    private static List<String> violations(String format, String schema, String label, String input, String model, String metrics) {
        String eval = metrics.isEmpty() ? "metrics { recall_at_k { k: 10 } }" : metrics;
        PipelineConfig config = ConfigParser.parseText(PIPELINE.formatted(format, schema, label, input, model, eval), "implicit");
        return ConfigValidator.validate(config).stream().map(Violation::toString).toList();
    }

    @Test
    void positivesOnlySamplesNeedNoLabelColumnForADssmThatMakesItsOwnNegatives() {
        for (String negatives : List.of("", "in_batch_negatives: true", "negative_sampler { num_negatives: 16 }")) {
            assertEquals(List.of(), violations("CSV", SCHEMA, "", "positives_only: true", DSSM.formatted(negatives),
                    "metrics { recall_at_k { k: 10 } }"), negatives);
        }
    }

    @Test
    void withoutPositivesOnlyTheLabelColumnIsStillRequired() {
        assertEquals(List.of("input_config.labels[0].name: 'click' is not a column of the samples table [user_id, item_id, ts]"),
                violations("CSV", SCHEMA, "", "", DSSM.formatted(""), ""));
    }

    @Test
    void aModelThatNeedsLabelsIsRefusedWithPositivesOnly() {
        assertEquals(List.of("input_config.positives_only: every row is a positive, so the model must make its own negatives (dssm with "
                        + "in-batch negatives, a negative_sampler or full_softmax); model_config.lr learns from labels 0 and 1"),
                violations("CSV", SCHEMA, "", "positives_only: true", "lr {}", ""));
        assertEquals(List.of("input_config.positives_only: every row is a positive, so the model must make its own negatives (dssm with "
                        + "in-batch negatives, a negative_sampler or full_softmax); model_config.dssm without in-batch negatives, a "
                        + "negative_sampler or full_softmax (pointwise) learns from labels 0 and 1"),
                violations("CSV", SCHEMA, "", "positives_only: true", DSSM.formatted("in_batch_negatives: false"), ""));
    }

    @Test
    void positivesOnlyRefusesLabelColumnsThresholdsAndPointwiseMetrics() {
        assertEquals(List.of(
                        "input_config.labels[0].column: input_config.positives_only: every label is 1 and read from no column, got column 'ts'",
                        "input_config.labels[0].positive_threshold: input_config.positives_only: every label is 1, there is no value to threshold",
                        "eval_config.metrics[0]: input_config.positives_only: every label is 1, so auc has no negatives to measure; use "
                                + "recall_at_k, hit_rate_at_k, ndcg_at_k or mrr_at_k"),
                violations("CSV", SCHEMA, "column: \"ts\" positive_threshold: 1", "positives_only: true", DSSM.formatted(""),
                        "metrics { auc {} } metrics { recall_at_k { k: 5 } }"));
        assertEquals(List.of("input_config.labels[0].name: input_config.positives_only: the samples table has a column 'click', which the "
                        + "constant label would replace; drop positives_only to read it as the label, or name the label otherwise"),
                violations("CSV", SCHEMA + " schema { name: \"click\" type: INT64 }", "", "positives_only: true", DSSM.formatted(""), ""));
    }

    @Test
    void anInteractionListHasAUserAnItemAndOptionallyAnInt64Position() {
        String twoColumns = "schema { name: \"user_id\" } schema { name: \"item_id\" type: INT64 }";
        assertEquals(List.of(), violations("INTERACTION_LIST", twoColumns, "", "positives_only: true", DSSM.formatted(""), ""));
        assertEquals(List.of(), violations("INTERACTION_LIST", SCHEMA, "", "positives_only: true", DSSM.formatted(""), ""));
        assertEquals(List.of("input_config.samples.schema[0].type: the user column of an INTERACTION_LIST is STRING or INT64, got DOUBLE",
                        "input_config.samples.schema[2].type: the position column of an INTERACTION_LIST is INT64, got STRING"),
                violations("INTERACTION_LIST", "schema { name: \"user_id\" type: DOUBLE } schema { name: \"item_id\" } schema { name: \"ts\" }",
                        "", "positives_only: true", DSSM.formatted(""), ""));
        assertEquals(List.of("input_config.samples.schema: an INTERACTION_LIST line gives a user column, an item column and optionally an "
                        + "INT64 position column; the schema declares 4 columns"),
                violations("INTERACTION_LIST", SCHEMA + " schema { name: \"x\" }", "", "positives_only: true", DSSM.formatted(""), ""));
        assertEquals(List.of("input_config.users.source.format: INTERACTION_LIST applies to input_config.samples only"),
                violations("INTERACTION_LIST", SCHEMA, "", "positives_only: true users { source { path: \"u\" format: INTERACTION_LIST } "
                        + "schema { name: \"user_id\" } schema { name: \"item_id\" } }", DSSM.formatted(""), ""));
    }

    @Test
    void anItemArrayTableIsAColumnarSamplesTableWithTheInteractionListsColumns() {
        String arrays = "item_array: true " + SCHEMA;
        assertEquals(List.of(), violations("PARQUET", arrays, "", "positives_only: true", DSSM.formatted(""), ""));
        assertEquals(List.of(), violations("ORC", arrays, "", "positives_only: true", DSSM.formatted(""), ""));
        assertEquals(List.of("input_config.samples.item_array: reads an array column of a Parquet or ORC file or a Hive table, the source is CSV"),
                violations("CSV", arrays, "", "positives_only: true", DSSM.formatted(""), ""));
        assertEquals(List.of("input_config.samples.item_array: reads an array column of a Parquet or ORC file or a Hive table, the source is "
                        + "INTERACTION_LIST (already a list of items per line; drop item_array)"),
                violations("INTERACTION_LIST", arrays, "", "positives_only: true", DSSM.formatted(""), ""));
        assertEquals(List.of("input_config.samples.schema[1].type: the item column of an item_array table is STRING or INT64, got STRING_LIST",
                        "input_config.samples.schema[2].type: the position column of an item_array table is INT64, got STRING"),
                violations("PARQUET", "item_array: true schema { name: \"user_id\" } schema { name: \"item_id\" type: STRING_LIST } "
                        + "schema { name: \"ts\" }", "", "positives_only: true", DSSM.formatted(""), ""));
        assertEquals(List.of("input_config.users.item_array: item_array applies to input_config.samples only"),
                violations("PARQUET", SCHEMA, "", "positives_only: true users { source { path: \"u\" } item_array: true "
                        + "schema { name: \"user_id\" } schema { name: \"item_id\" } }", DSSM.formatted(""), ""));
    }

    @Test
    void negativesFromTheItemTableNeedAnItemsTableHoldingEveryInputOfTheItemGroup() {
        String sampler = "negative_sampler { pool: ITEM_TABLE distribution: POPULARITY }";
        String items = "items { source { path: \"i\" } schema { name: \"item_id\" } schema { name: \"brand\" } }";
        assertEquals(List.of(), violations("CSV", SCHEMA, "", "positives_only: true " + items, DSSM.formatted(sampler), ""));
        assertEquals(List.of("model_config.dssm.negative_sampler.pool: ITEM_TABLE draws negatives from input_config.items, which is not set"),
                violations("CSV", SCHEMA, "", "positives_only: true", DSSM.formatted(sampler), ""));
        assertEquals(List.of("model_config.dssm.negative_sampler.pool: ITEM_TABLE computes the item features from input_config.items alone, "
                        + "but feature 'item_id' of the item group 'item' reads 'item.item_id', which is not a column of that table",
                        "input_config.item_id_field: 'item_id' is not a column of the items table [sku]"),
                violations("CSV", SCHEMA, "", "positives_only: true items { source { path: \"i\" } schema { name: \"sku\" } } "
                        + "item_id_field: \"item_id\"", DSSM.formatted(sampler), ""));
    }

    @Test
    void aFullSoftmaxMakesItsOwnNegativesAndNeedsAnItemsTableHoldingEveryInputOfTheItemGroup() {
        String full = "in_batch_negatives: false popularity_correction: false full_softmax {}";
        String items = "items { source { path: \"i\" } schema { name: \"item_id\" } schema { name: \"brand\" } }";
        assertEquals(List.of(), violations("CSV", SCHEMA, "", "positives_only: true " + items, DSSM.formatted(full), ""));
        assertEquals(List.of("model_config.dssm.full_softmax: full_softmax scores every item from input_config.items, which is not set"),
                violations("CSV", SCHEMA, "", "positives_only: true", DSSM.formatted(full), ""));
    }

    @Test
    void hardNegativesNeedTheirTableWithTheUserAndItemColumnsAndAnItemsTable() {
        String sampler = "negative_sampler { hard_negatives_per_user: 3 }";
        String items = "items { source { path: \"i\" } schema { name: \"item_id\" } } ";
        String pairs = "hard_negatives { source { path: \"h\" } schema { name: \"user_id\" } schema { name: \"item_id\" } } ";
        assertEquals(List.of(), violations("CSV", SCHEMA, "", "positives_only: true " + items + pairs, DSSM.formatted(sampler), ""));
        assertEquals(List.of("model_config.dssm.negative_sampler.hard_negatives_per_user: adds the user's items of "
                        + "input_config.hard_negatives, which is not set"),
                violations("CSV", SCHEMA, "", "positives_only: true " + items, DSSM.formatted(sampler), ""));
        assertEquals(List.of("model_config.dssm.negative_sampler.hard_negatives_per_user: hard negatives take their item features from "
                        + "input_config.items, which is not set"),
                violations("CSV", SCHEMA, "", "positives_only: true " + pairs, DSSM.formatted(sampler), ""));
        assertEquals(List.of("input_config.hard_negatives.schema: 'item_id' is not a column of the hard_negatives table [user_id, shown]",
                        "input_config.hard_negatives: is read for model_config.dssm.negative_sampler.hard_negatives_per_user only, which is "
                                + "not set above 0"),
                violations("CSV", SCHEMA, "", "positives_only: true " + items + pairs.replace("\"item_id\"", "\"shown\""),
                        DSSM.formatted("negative_sampler {}"), ""));
    }

    @Test
    void leaveLastOutNeedsTheUserAndTimeColumns() {
        assertEquals(List.of(), violations("CSV", SCHEMA, "", "positives_only: true split { leave_last_out { test: true } }",
                DSSM.formatted(""), ""));
        assertEquals(List.of("input_config.time_field: is required by input_config.split.leave_last_out (the last by time), but the samples "
                        + "table has no column 'ts'; set input_config.time_field to the samples' event time column"),
                violations("CSV", "schema { name: \"user_id\" } schema { name: \"item_id\" }", "", "positives_only: true split { leave_last_out {} }",
                        DSSM.formatted(""), ""));
    }
}

package org.recspark.trainer.model;

/** model_config sections of every built-in model over the features of {@link ZooFixture}. */
public final class ZooConfigs {
    private ZooConfigs() {
    }

    static final String LR = """
            model_config {
              feature_groups { name: "wide" type: WIDE features: ["user_id", "item_id", "category", "hour", "quality", "category_in_history"] }
              lr {}
              label: "click"
            }
            """;

    static final String WIDE_AND_DEEP = """
            model_config {
              feature_groups { name: "wide" type: WIDE features: ["item_id", "category", "hour", "category_in_history"] }
              feature_groups { name: "deep" features: ["user_id", "item_id", "category", "hour", "quality", "seq_categories"] }
              wide_and_deep { wide_groups: "wide" deep_groups: "deep" dnn { hidden_units: [32, 16] } }
              label: "click"
            }
            """;

    /** No category_in_history: the FM term has to find category x seq_categories itself. */
    public static final String DEEPFM = """
            model_config {
              feature_groups { name: "all" features: ["user_id", "item_id", "category", "hour", "seq_categories", "quality"] }
              deepfm { dnn { hidden_units: [32, 16] } }
              label: "click"
            }
            """;

    static String dcnV2(int lowRank, boolean stacked) {
        return """
                model_config {
                  feature_groups { name: "all" features: ["user_id", "item_id", "category", "hour", "quality", "category_in_history", "seq_categories"] }
                  dcn_v2 { num_cross_layers: 2 low_rank: %d stacked: %s dnn { hidden_units: [32, 16] } }
                  label: "click"
                }
                """.formatted(lowRank, stacked);
    }

    /**
     * No category_in_history: the planted signal is only in the attended history. The attention MLP
     * is left at its default (64, 32).
     */
    static final String DIN = """
            model_config {
              feature_groups { name: "profile" features: ["user_id", "hour", "quality"] }
              feature_groups { name: "history" type: SEQUENCE features: ["seq_items", "seq_categories"] }
              din {
                sequence_group: "history"
                target_features: ["item_id", "category"]
                dnn { hidden_units: [32, 16] }
              }
              label: "click"
            }
            """;

    static final String MULTI_TOWER = """
            model_config {
              feature_groups { name: "user" features: ["user_id", "seq_categories"] }
              feature_groups { name: "item" features: ["item_id", "category", "quality"] }
              feature_groups { name: "context" features: ["hour", "category_in_history"] }
              multi_tower {
                towers { group: "user" dnn { hidden_units: [16] } }
                towers { group: "item" dnn { hidden_units: [16] } }
                towers { group: "context" dnn { hidden_units: [8] } }
                final_dnn { hidden_units: [16] }
              }
              label: "click"
            }
            """;

    /**
     * The user is described by the history (a user id would only memorise noise in 6,000 rows); the
     * item group starts with item_id, the feature the popularity correction counts.
     */
    static String dssm(boolean inBatchNegatives, boolean popularityCorrection, String towerUnits) {
        return """
                model_config {
                  feature_groups { name: "user" features: ["seq_categories", "seq_items"] }
                  feature_groups { name: "item" features: ["item_id", "category", "quality"] }
                  dssm {
                    user_group: "user"
                    item_group: "item"
                    user_tower { hidden_units: %s }
                    item_tower { hidden_units: %s }
                    temperature: 0.2
                    in_batch_negatives: %s
                    popularity_correction: %s
                  }
                  label: "click"
                }
                """.formatted(towerUnits, towerUnits, inBatchNegatives, popularityCorrection);
    }

    private static final String ALL_DEEP = """
              feature_groups { name: "all" features: ["user_id", "item_id", "category", "hour", "quality", "category_in_history", "seq_categories"] }
            """;

    public static final String MMOE = "model_config {\n" + ALL_DEEP + """
              mmoe {
                num_experts: 3
                expert { hidden_units: [16] }
                tasks { name: "ctr" label: "click" tower { hidden_units: [8] } }
                tasks { name: "cvr" label: "conversion" tower { hidden_units: [8] } }
              }
            }
            """;

    static final String ESMM = "model_config {\n" + ALL_DEEP + """
              esmm {
                ctr { name: "ctr" label: "click" tower { hidden_units: [16] } }
                cvr { name: "ctcvr" label: "conversion" tower { hidden_units: [16] } }
              }
            }
            """;

    static final String DBMTL = "model_config {\n" + ALL_DEEP + """
              dbmtl {
                bottom { hidden_units: [32] }
                tasks { name: "ctr" label: "click" tower { hidden_units: [8] } }
                tasks { name: "cvr" label: "conversion" tower { hidden_units: [8] } }
                relations { task: "cvr" depends_on: "ctr" }
              }
            }
            """;

    static final String PLE = "model_config {\n" + ALL_DEEP + """
              ple {
                num_levels: 2
                num_shared_experts: 1
                num_task_experts: 1
                expert { hidden_units: [16] }
                tasks { name: "ctr" label: "click" tower { hidden_units: [8] } }
                tasks { name: "cvr" label: "conversion" tower { hidden_units: [8] } }
              }
            }
            """;
}

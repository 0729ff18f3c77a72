package org.recspark.trainer.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.recspark.config.proto.ModelConfig;
import org.recspark.model.ModelTypes;

/**
 * model_config sections of the built-in models over the features of {@link ZooFixture}. Each
 * registered model's default one is the test resource {@code zoo/<name>.pbtxt} (its oneof name), which
 * the shared model tests iterate through the registry: a new model adds its file there, not a line here.
 */
public final class ZooConfigs {
    private ZooConfigs() {
    }

    /** The built-in models of the registry (all but custom), by oneof name in the proto's order. */
    static List<String> builtInModels() {
        return ModelTypes.names().stream().filter(name -> !name.equals(ModelTypes.of(ModelConfig.ModelCase.CUSTOM).name())).toList();
    }

    /** The default test config of a registered model: the resource zoo/{@code name}.pbtxt. */
    static String of(String name) {
        String resource = "zoo/" + name + ".pbtxt";
        try (InputStream in = ZooConfigs.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + resource + ": every built-in model needs its default "
                        + "model_config over ZooFixture's features there");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    static final String LR = of("lr");

    static final String WIDE_AND_DEEP = of("wide_and_deep");

    /** No category_in_history: the FM term has to find category x seq_categories itself. */
    public static final String DEEPFM = of("deepfm");

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
    static final String DIN = of("din");

    static final String MULTI_TOWER = of("multi_tower");

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

    /**
     * DSSM with no tower MLPs: the user and item id embeddings are the towers' outputs (matrix
     * factorisation trained with the in-batch softmax).
     */
    static String dssmMatrixFactorisation() {
        return """
                model_config {
                  feature_groups { name: "user" features: ["user_id"] }
                  feature_groups { name: "item" features: ["item_id"] }
                  dssm { user_group: "user" item_group: "item" temperature: 0.2 }
                  label: "click"
                }
                """;
    }

    /**
     * YouTube DNN's candidate generator (Covington et al. 2016) as a DSSM: the user tower reads the
     * user id beside the behaviour history (seq_items, mean-pooled through item_id's shared table
     * item_emb), then an MLP; the item side is the item id embedding itself, no MLP.
     */
    static String youtubeDnn() {
        return """
                model_config {
                  feature_groups { name: "user" features: ["user_id", "seq_items"] }
                  feature_groups { name: "item" features: ["item_id"] }
                  dssm { user_group: "user" item_group: "item" user_tower { hidden_units: [32, 8] } temperature: 0.2 }
                  label: "click"
                }
                """;
    }

    /** MF-BPR over the user and item ids; {@code negatives} per positive (0: the whole shard). */
    static String mfBpr(int negatives, float l2) {
        return """
                model_config {
                  feature_groups { name: "user" features: ["user_id"] }
                  feature_groups { name: "item" features: ["item_id"] }
                  mf_bpr { user_group: "user" item_group: "item" negatives_per_positive: %d l2_regularization: %s }
                  label: "click"
                }
                """.formatted(negatives, l2);
    }

    public static final String MMOE = of("mmoe");

    static final String ESMM = of("esmm");

    static final String DBMTL = of("dbmtl");

    static final String PLE = of("ple");
}

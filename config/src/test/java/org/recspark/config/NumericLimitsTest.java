package org.recspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.PipelineConfig;

/** Sizes that are fine one by one but overflow the id offsets or a batch's arrays, and values no field means. */
class NumericLimitsTest {
    private static List<String> violations(String text) {
        PipelineConfig config = ConfigParser.parseText(text, "test");
        return ConfigValidator.validate(config).stream().map(Violation::toString).toList();
    }

    @Test
    void idOffsetsThatOverflowALongAreRefusedAtTheTableThatOverflows() {
        assertEquals(List.of("feature_config.features[2].combo.hash_bucket_size: the id spaces of the embedding tables add up "
                        + "to more than 9223372036854775807 (the largest id offset, a long): 9223372036854775000 ids before this "
                        + "table, 1000 in it"),
                violations("""
                        feature_config {
                          features { name: "a" id { input: "user.a" hash_bucket_size: 9223372036854775000 } }
                          features { name: "b" id { input: "user.b" hash_bucket_size: 9223372036854775000 } shared_embedding: "a" }
                          features { name: "c" combo { inputs: ["user.a", "user.b"] hash_bucket_size: 1000 } }
                        }
                        """));
    }

    @Test
    void sharedTablesCountOnceSoTheirSumFits() {
        assertEquals(List.of(), violations("""
                feature_config {
                  features { name: "a" id { input: "user.a" hash_bucket_size: 5000000000000000000 } shared_embedding: "t" }
                  features { name: "b" id { input: "user.b" hash_bucket_size: 5000000000000000000 } shared_embedding: "t" }
                }
                """));
    }

    @Test
    void batchAndLayerArraysMustFitAJavaArray() {
        assertEquals(Stream.of(
                        "feature_config.features[1]: a batch of its values (train_config.batch_size 1000000 x 5000 floats per row) "
                                + "exceeds the largest Java array (2147483639)",
                        "model_config.feature_groups[0]: a batch of the group's input (train_config.batch_size 1000000 x 7048 "
                                + "floats per row) exceeds the largest Java array (2147483639)",
                        "model_config.deepfm.dnn.hidden_units[1]: the layer's weights (100000 x 100000 floats) exceed the largest "
                                + "Java array (2147483639)",
                        "model_config.deepfm.dnn.hidden_units[1]: a batch of the layer's activations (train_config.batch_size "
                                + "1000000 x 100000 floats) exceeds the largest Java array (2147483639)",
                        "model_config.deepfm.dnn.hidden_units[0]: a batch of the layer's activations (train_config.batch_size "
                                + "1000000 x 100000 floats) exceeds the largest Java array (2147483639)").sorted().toList(),
                violations("""
                        feature_config {
                          features { name: "s" sequence { input: "user.s" hash_bucket_size: 10 max_length: 512 } embedding_dim: 4 }
                          features { name: "r" raw { input: "user.r" dim: 5000 } }
                        }
                        model_config {
                          feature_groups { name: "all" features: ["s", "r"] }
                          deepfm { groups: ["all"] dnn { hidden_units: [100000, 100000] } }
                        }
                        train_config { batch_size: 1000000 }
                        """).stream().sorted().toList());
    }

    @Test
    void nanAndInfinityAreNotValuesOfAnyField() {
        assertEquals(List.of(
                        "feature_config.features[0].raw.default_value: must be a finite number, got NaN",
                        "feature_config.features[0].raw.boundaries[1]: must be a finite number, got Infinity",
                        "model_config.deepfm.dnn.dropout: must be a finite number, got NaN"),
                violations("""
                        feature_config { features { name: "r" raw { input: "user.r" default_value: nan boundaries: [1, inf] } } }
                        model_config { feature_groups { name: "g" features: "r" } deepfm { groups: "g" dnn { hidden_units: 8 dropout: nan } } }
                        """));
        assertEquals(List.of("train_config.gradient_clip_norm: must be a finite number, got Infinity"),
                ConfigValidator.validate(ConfigParser.parseJson("""
                        {"featureConfig": {"features": [{"name": "a", "id": {"input": "user.a", "numBuckets": 3}}]},
                         "trainConfig": {"gradientClipNorm": "Infinity"}}
                        """, "j.json")).stream().map(Violation::toString).toList());
    }

    @Test
    void emptySharedEmbeddingAndDuplicateLabelsAreErrors() {
        assertEquals(List.of(
                        "feature_config.features[0].shared_embedding: must not be empty; leave it out for a table of the feature's own",
                        "input_config.labels[1].name: duplicate label 'click' (first at input_config.labels[0])"),
                violations("""
                        input_config {
                          samples { source { path: "s.csv" format: CSV } schema { name: "user_id" } schema { name: "item_id" }
                                    schema { name: "ts" } schema { name: "click" } schema { name: "a" } }
                          labels { name: "click" } labels { name: "click" }
                        }
                        feature_config { features { name: "a" id { input: "user.a" num_buckets: 3 } shared_embedding: "" } }
                        """));
    }
}

package org.recspark.trainer.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.MapRecord;
import org.recspark.model.data.Examples;
import org.recspark.model.data.ExamplesBuilder;

/** Small labelled data with a planted signal for training-loop tests. */
final class RandomExamples {
    static final String FEATURES = """
            feature_config {
              features { name: "user" id { input: "user.user_id" num_buckets: 200 } embedding_dim: 8 }
              features { name: "item" id { input: "item.item_id" num_buckets: 300 } embedding_dim: 8 }
              features { name: "tags" tag { input: "item.tags" separator: "|" hash_bucket_size: 50 } embedding_dim: 8 }
              features { name: "price" raw { input: "item.price" } }
            }
            """;
    static final String INPUT = """
            input_config {
              samples {
                source { path: "samples.csv" format: CSV }
                schema { name: "user_id" type: STRING }
                schema { name: "item_id" type: STRING }
                schema { name: "click" type: INT64 }
                schema { name: "ts" type: INT64 }
              }
              items {
                source { path: "items.csv" format: CSV }
                schema { name: "item_id" type: STRING }
                schema { name: "tags" type: STRING }
                schema { name: "price" type: DOUBLE }
              }
              labels { name: "click" }
            }
            """;

    private RandomExamples() {
    }

    static PipelineConfig config(String modelAndTrain) {
        return ConfigParser.parseText(INPUT + FEATURES + modelAndTrain, "test config");
    }

    static Examples generate(PipelineConfig config, int rows, long seed) {
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), Path.of("."));
        ExamplesBuilder builder = new ExamplesBuilder(generator.schema(), List.of("click"));
        SplittableRandom random = new SplittableRandom(seed);
        MapRecord context = new MapRecord(Map.of());
        for (int r = 0; r < rows; r++) {
            int user = random.nextInt(200);
            int item = random.nextInt(300);
            String tags = "t" + (item % 7) + "|t" + (item % 11);
            double price = (item % 13) / 13.0;
            boolean affinity = (user % 7) == (item % 7);
            float label = random.nextDouble() < (affinity ? 0.8 : 0.15) ? 1f : 0f;
            builder.add(generator.generate(new MapRecord(Map.of("user_id", String.valueOf(user))),
                    new MapRecord(Map.of("item_id", String.valueOf(item), "tags", tags, "price", price)), context),
                    new float[][]{{label}}, new long[]{user});
        }
        return builder.build();
    }
}

package org.recspark.trainer.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.MapRecord;
import org.recspark.model.data.Examples;
import org.recspark.model.data.ExamplesBuilder;

/**
 * Positives-only interactions with a planted retrieval signal: users and items each belong to one
 * of {@value #CLUSTERS} clusters, and a user interacts only with items of its own cluster, drawn
 * without replacement in proportion to a Zipf popularity over all items (so item counts are skewed).
 * Each user's first {@value #TRAIN_PER_USER} items are training rows, the next
 * {@value #TEST_PER_USER} test rows; every row's label "click" is 1. A retriever that learns the
 * clusters ranks a user's held-out items among the top {@value #ITEMS_PER_CLUSTER}.
 */
public final class PlantedInteractions {
    static final int CLUSTERS = 10;
    static final int ITEMS_PER_CLUSTER = 20;
    static final int ITEMS = CLUSTERS * ITEMS_PER_CLUSTER;
    static final int USERS = 300;
    static final int TRAIN_PER_USER = 9;
    static final int TEST_PER_USER = 3;

    static final String INPUT_CONFIG = """
            name: "planted_interactions"
            input_config {
              samples {
                source { path: "planted/samples.csv" format: CSV }
                schema { name: "user_id" type: INT64 nullable: false }
                schema { name: "item_id" type: INT64 nullable: false }
                schema { name: "ts" type: INT64 nullable: false }
                schema { name: "click" type: INT64 }
              }
              users {
                source { path: "planted/users.csv" format: CSV }
                schema { name: "user_id" type: INT64 nullable: false }
              }
              items {
                source { path: "planted/items.csv" format: CSV }
                schema { name: "item_id" type: INT64 nullable: false }
                schema { name: "cluster" type: INT64 }
              }
              labels { name: "click" }
            }
            """;

    static final String FEATURE_CONFIG = """
            feature_config {
              features { name: "user_id" id { input: "user.user_id" num_buckets: %d } embedding_dim: 8 }
              features { name: "item_id" id { input: "item.item_id" num_buckets: %d } embedding_dim: 8 }
              features { name: "cluster" id { input: "item.cluster" num_buckets: %d } embedding_dim: 8 }
            }
            """.formatted(USERS, ITEMS, CLUSTERS);

    /** The rows through the feature jar; the user is each row's group key. */
    record Data(FeatureGenerator generator, Examples train, Examples test) {}

    private static Data data;

    private PlantedInteractions() {
    }

    /** The whole pipeline config of a model_config section and a train_config. */
    static PipelineConfig config(String modelConfig, String trainConfig, String more) {
        return ConfigParser.parseText(INPUT_CONFIG + FEATURE_CONFIG + modelConfig + trainConfig + more, "planted.pbtxt");
    }

    static synchronized Data data() {
        if (data == null) {
            FeatureGenerator generator = FeatureGenerator.compile(config("", "", "").getFeatureConfig(), Path.of("."));
            SplittableRandom random = new SplittableRandom(42);
            double[] popularity = new double[ITEMS];
            int[] rank = new int[ITEMS];
            for (int i = 0; i < ITEMS; i++) {
                rank[i] = i;
            }
            for (int i = ITEMS - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = rank[i];
                rank[i] = rank[j];
                rank[j] = t;
            }
            for (int i = 0; i < ITEMS; i++) {
                popularity[i] = 1.0 / (1 + rank[i]);
            }
            ExamplesBuilder train = new ExamplesBuilder(generator.schema(), List.of("click"));
            ExamplesBuilder test = new ExamplesBuilder(generator.schema(), List.of("click"));
            MapRecord context = new MapRecord(Map.of());
            for (int u = 0; u < USERS; u++) {
                int cluster = u % CLUSTERS;
                MapRecord user = new MapRecord(Map.of("user_id", (long) u));
                List<Integer> items = drawDistinct(cluster, popularity, TRAIN_PER_USER + TEST_PER_USER, random);
                for (int k = 0; k < items.size(); k++) {
                    int i = items.get(k);
                    MapRecord item = new MapRecord(Map.of("item_id", (long) i, "cluster", (long) (i / ITEMS_PER_CLUSTER)));
                    (k < TRAIN_PER_USER ? train : test).add(generator.generate(user, item, context), new float[][]{{1f}}, new long[]{u});
                }
            }
            data = new Data(generator, train.build(), test.build());
        }
        return data;
    }

    private static List<Integer> drawDistinct(int cluster, double[] popularity, int n, SplittableRandom random) {
        List<Integer> left = new ArrayList<>();
        for (int i = cluster * ITEMS_PER_CLUSTER; i < (cluster + 1) * ITEMS_PER_CLUSTER; i++) {
            left.add(i);
        }
        List<Integer> out = new ArrayList<>();
        while (out.size() < n) {
            double total = 0;
            for (int i : left) {
                total += popularity[i];
            }
            double x = random.nextDouble() * total;
            int pick = left.size() - 1;
            for (int k = 0; k < left.size(); k++) {
                x -= popularity[left.get(k)];
                if (x < 0) {
                    pick = k;
                    break;
                }
            }
            out.add(left.remove(pick));
        }
        return out;
    }
}

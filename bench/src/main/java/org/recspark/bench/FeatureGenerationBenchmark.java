package org.recspark.bench;

import com.google.protobuf.TextFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.recspark.config.proto.FeatureConfig;
import org.recspark.features.FeatureBatch;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSide;
import org.recspark.features.RawRecord;

/**
 * One online request: 1 user x 1,000 items with 30 features (10 user-side including two behaviour
 * sequences, 15 item-side including user x item crosses, a match and a lookup, 5 context-side),
 * generated as one 1 x N batch versus 1,000 single-item calls. Single-threaded; bench/run pins it
 * to one core.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class FeatureGenerationBenchmark {
    static final int ITEMS = 1000;

    static final String FEATURES = """
            features { name: "user_id" id { input: "user.user_id" hash_bucket_size: 1000000 } }
            features { name: "age" raw { input: "user.age" boundaries: [18, 25, 30, 35, 40, 50, 60] } }
            features { name: "gender" id { input: "user.gender" vocab_list: ["M", "F"] } }
            features { name: "city" id { input: "user.city" hash_bucket_size: 10000 } }
            features { name: "occupation" id { input: "user.occupation" hash_bucket_size: 100 } }
            features { name: "interests" tag { input: "user.interests" hash_bucket_size: 10000 } }
            features { name: "interest_weights" tag { input: "user.interest_weights" kv_separator: ":" hash_bucket_size: 10000 } }
            features { name: "click_seq" sequence { input: "user.click_seq" hash_bucket_size: 1000000 max_length: 50 dedup: true } }
            features { name: "buy_seq" sequence { input: "user.buy_seq" hash_bucket_size: 1000000 max_length: 20 } }
            features { name: "activity" raw { input: "user.activity" normalizer { log {} } } }

            features { name: "item_id" id { input: "item.item_id" hash_bucket_size: 1000000 } }
            features { name: "category" id { input: "item.category" hash_bucket_size: 10000 } }
            features { name: "brand" id { input: "item.brand" hash_bucket_size: 100000 } }
            features { name: "shop" id { input: "item.shop" hash_bucket_size: 100000 } }
            features { name: "price" raw { input: "item.price" normalizer { log {} } } }
            features { name: "price_bucket" raw { input: "item.price" boundaries: [5, 10, 20, 50, 100, 200, 500] } }
            features { name: "tags" tag { input: "item.tags" hash_bucket_size: 100000 } }
            features { name: "ctr_7d" raw { input: "item.ctr_7d" normalizer { zscore { mean: 0.05 std: 0.03 } } } }
            features { name: "sales" raw { input: "item.sales" normalizer { log {} } } }
            features { name: "title_terms" tag { input: "item.title_terms" hash_bucket_size: 100000 } }
            features { name: "interest_match" match { map_input: "user.interests" key_input: "item.category" } }
            features { name: "category_affinity" lookup { map_input: "user.category_affinity" key_input: "item.category" } }
            features { name: "gender_x_category" combo { inputs: ["user.gender", "item.category"] hash_bucket_size: 100000 } }
            features { name: "gender_x_brand" combo { inputs: ["user.gender", "item.brand"] hash_bucket_size: 100000 } }
            features { name: "city_x_category" combo { inputs: ["user.city", "item.category"] hash_bucket_size: 100000 } }

            features { name: "device" id { input: "context.device" vocab_list: ["ios", "android", "web"] } }
            features { name: "hour" id { input: "context.hour" num_buckets: 24 } }
            features { name: "weekday" id { input: "context.weekday" num_buckets: 7 } }
            features { name: "network" id { input: "context.network" hash_bucket_size: 100 } }
            features { name: "page" id { input: "context.page" hash_bucket_size: 1000 } }
            """;

    FeatureGenerator generator;
    RawRecord user;
    RawRecord context;
    List<RawRecord> items;

    @Setup
    public void setUp() throws TextFormat.ParseException {
        generator = FeatureGenerator.compile(TextFormat.parse(FEATURES, FeatureConfig.class), Path.of("."));
        long perItem = generator.schema().features().stream().filter(f -> f.side() == FeatureSide.ITEM).count();
        if (generator.schema().size() != 30 || perItem != 15) {
            throw new IllegalStateException("the workload is 30 features, 15 per item; got " + generator.schema().size()
                    + " features, " + perItem + " per item");
        }
        SplittableRandom rnd = new SplittableRandom(2026);
        user = RawRecord.of(userFields(rnd));
        context = RawRecord.of(Map.of("device", "android", "hour", 21, "weekday", "3", "network", "wifi", "page", "home_feed"));
        items = new ArrayList<>(ITEMS);
        for (int i = 0; i < ITEMS; i++) {
            items.add(RawRecord.of(itemFields(rnd)));
        }
    }

    /** Raw values as an online service holds them: strings for ids and lists, numbers for numbers. */
    static Map<String, Object> userFields(SplittableRandom rnd) {
        Map<String, Object> user = new HashMap<>();
        user.put("user_id", "u" + rnd.nextInt(10_000_000));
        user.put("age", 18 + rnd.nextInt(50));
        user.put("gender", rnd.nextBoolean() ? "M" : "F");
        user.put("city", "c" + rnd.nextInt(500));
        user.put("occupation", "o" + rnd.nextInt(20));
        user.put("interests", joined(rnd, "cat", 8, 200, ""));
        user.put("interest_weights", joined(rnd, "cat", 8, 200, ":0.5"));
        user.put("click_seq", joined(rnd, "i", 60, 1_000_000, ""));
        user.put("buy_seq", joined(rnd, "i", 20, 1_000_000, ""));
        user.put("activity", rnd.nextInt(1000));
        user.put("category_affinity", joined(rnd, "cat", 10, 200, ":0.25"));
        return user;
    }

    static Map<String, Object> itemFields(SplittableRandom rnd) {
        Map<String, Object> item = new HashMap<>();
        item.put("item_id", "i" + rnd.nextInt(1_000_000));
        item.put("category", "cat" + rnd.nextInt(200));
        item.put("brand", "b" + rnd.nextInt(20_000));
        item.put("shop", "s" + rnd.nextInt(50_000));
        item.put("price", 1 + rnd.nextDouble() * 500);
        item.put("tags", joined(rnd, "t", 4, 5000, ""));
        item.put("ctr_7d", rnd.nextDouble() * 0.2);
        item.put("sales", rnd.nextInt(100_000));
        item.put("title_terms", joined(rnd, "w", 6, 50_000, ""));
        return item;
    }

    private static String joined(SplittableRandom rnd, String prefix, int n, int range, String suffix) {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < n; k++) {
            s.append(k > 0 ? "|" : "").append(prefix).append(rnd.nextInt(range)).append(suffix);
        }
        return s.toString();
    }

    @Benchmark
    public FeatureBatch oneRequestOf1000Items() {
        return generator.generate(user, items, context);
    }

    @Benchmark
    public void thousandSingleItemCalls(Blackhole bh) {
        for (RawRecord item : items) {
            bh.consume(generator.generate(user, item, context));
        }
    }
}

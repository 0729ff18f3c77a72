package org.recspark.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A request of 1 user x N items gives, row by row, what N single-item calls give. */
class RequestBatchParityTest {
    static final String ALL_TYPES = """
            features { name: "uid" id { input: "user.user_id" hash_bucket_size: 100000 } }
            features { name: "age" raw { input: "user.age" boundaries: [18, 25, 35, 50] } }
            features { name: "interests" tag { input: "user.interests" hash_bucket_size: 1000 } }
            features { name: "weighted" tag { input: "user.weighted" kv_separator: ":" hash_bucket_size: 100 } }
            features { name: "clicks" sequence { input: "user.clicks" hash_bucket_size: 5000 max_length: 5 dedup: true } }
            features { name: "iid" id { input: "item.item_id" hash_bucket_size: 100000 } }
            features { name: "cat" id { input: "item.category" vocab_list: ["c0", "c1", "c2", "c3"] } }
            features { name: "price" raw { input: "item.price" normalizer { log {} } } }
            features { name: "vec" raw { input: "item.vec" dim: 2 } }
            features { name: "cross" combo { inputs: ["user.gender", "item.category", "context.device"] hash_bucket_size: 5000 } }
            features { name: "aff" lookup { map_input: "user.affinity" key_input: "item.category" } }
            features { name: "hit" match { map_input: "user.interests" key_input: "item.category" } }
            features { name: "device" id { input: "context.device" vocab_list: ["ios", "android"] } }
            features { name: "hour" raw { input: "context.hour" normalizer { minmax { min: 0 max: 23 } } } }
            """;

    static Map<String, Object> randomUser(SplittableRandom rnd) {
        Map<String, Object> user = new HashMap<>();
        user.put("user_id", "u" + rnd.nextInt(1000));
        if (rnd.nextInt(5) > 0) {
            user.put("age", rnd.nextInt(15, 70));
        }
        user.put("gender", rnd.nextBoolean() ? "M" : "F");
        user.put("interests", "c" + rnd.nextInt(4) + "|c" + rnd.nextInt(4));
        user.put("weighted", "t" + rnd.nextInt(9) + ":" + rnd.nextInt(1, 5));
        List<String> clicks = new ArrayList<>();
        for (int i = rnd.nextInt(12); i > 0; i--) {
            clicks.add("i" + rnd.nextInt(20));
        }
        user.put("clicks", clicks);
        user.put("affinity", Map.of("c" + rnd.nextInt(4), rnd.nextDouble()));
        return user;
    }

    static Map<String, Object> randomItem(SplittableRandom rnd) {
        Map<String, Object> item = new HashMap<>();
        item.put("item_id", "i" + rnd.nextInt(500));
        item.put("category", "c" + rnd.nextInt(5));
        if (rnd.nextInt(4) > 0) {
            item.put("price", rnd.nextDouble() * 100);
        }
        item.put("vec", rnd.nextDouble() + "," + rnd.nextDouble());
        return item;
    }

    @Test
    void oneByNEqualsNSingleCalls() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator(ALL_TYPES);
        SplittableRandom rnd = new SplittableRandom(7);
        for (int request = 0; request < 50; request++) {
            RawRecord user = RawRecord.of(randomUser(rnd));
            RawRecord context = RawRecord.of(Map.of("device", rnd.nextBoolean() ? "ios" : "web", "hour", rnd.nextInt(24)));
            List<RawRecord> items = new ArrayList<>();
            for (int i = rnd.nextInt(1, 30); i > 0; i--) {
                items.add(RawRecord.of(randomItem(rnd)));
            }
            FeatureBatch batch = g.generate(user, items, context);
            assertEquals(items.size(), batch.numRows());
            for (int row = 0; row < items.size(); row++) {
                FeatureBatch single = g.generate(user, items.get(row), context);
                assertRowEquals(batch, row, single, 0);
            }
        }
    }

    @Test
    void requestSideColumnsAreComputedOnceAndBroadcast() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator(ALL_TYPES);
        SplittableRandom rnd = new SplittableRandom(3);
        List<RawRecord> items = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            items.add(RawRecord.of(randomItem(rnd)));
        }
        FeatureBatch batch = g.generate(RawRecord.of(randomUser(rnd)), items, RawRecord.of(Map.of("device", "ios")));
        for (FeatureSpec spec : g.schema().features()) {
            FeatureColumn column = batch.column(spec.name());
            assertEquals(!spec.perItem(), column.isBroadcast(), spec.name());
            if (column instanceof SparseColumn sparse && column.isBroadcast()) {
                assertEquals(sparse.length(0), sparse.storedIds(), spec.name() + " is stored once, not per item");
            }
        }
        assertTrue(g.schema().spec("cross").perItem(), "a cross with an item input is per item");
        assertTrue(!g.schema().spec("device").perItem(), "a context feature is per request");
    }

    static void assertRowEquals(FeatureBatch a, int rowA, FeatureBatch b, int rowB) {
        for (int f = 0; f < a.columns().size(); f++) {
            FeatureColumn ca = a.column(f);
            FeatureColumn cb = b.column(f);
            String what = ca.name() + " row " + rowA;
            if (ca instanceof SparseColumn sa) {
                SparseColumn sb = (SparseColumn) cb;
                assertArrayEquals(sb.ids(rowB), sa.ids(rowA), what);
                assertArrayEquals(sb.weights(rowB), sa.weights(rowA), what);
            } else {
                assertArrayEquals(((DenseColumn) cb).values(rowB), ((DenseColumn) ca).values(rowA), what);
            }
        }
    }
}

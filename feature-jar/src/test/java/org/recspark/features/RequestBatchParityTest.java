package org.recspark.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.Feature;

/**
 * A request of 1 user x N items gives, row by row and feature by feature, what N single-item calls
 * give, over random records and a config with every feature type, computed per request and per item.
 */
class RequestBatchParityTest {
    static final String ALL_TYPES = """
            features { name: "uid" id { input: "user.user_id" hash_bucket_size: 100000 } }
            features { name: "age" raw { input: "user.age" boundaries: [18, 25, 35, 50] } }
            features { name: "interests" tag { input: "user.interests" hash_bucket_size: 1000 } }
            features { name: "weighted" tag { input: "user.weighted" kv_separator: ":" hash_bucket_size: 100 } }
            features { name: "clicks" sequence { input: "user.clicks" hash_bucket_size: 5000 max_length: 5 dedup: true } }
            features { name: "device" id { input: "context.device" vocab_list: ["ios", "android"] } }
            features { name: "hour" raw { input: "context.hour" normalizer { minmax { min: 0 max: 23 } } } }
            features { name: "gender_x_device" combo { inputs: ["user.gender", "context.device"] hash_bucket_size: 100 } }
            features { name: "page_affinity" lookup { map_input: "user.affinity" key_input: "context.page_cat" } }
            features { name: "page_hit" match { map_input: "user.interests" key_input: "context.page_cat" } }

            features { name: "iid" id { input: "item.item_id" hash_bucket_size: 100000 } }
            features { name: "cat" id { input: "item.category" vocab_list: ["c0", "c1", "c2", "c3"] } }
            features { name: "price" raw { input: "item.price" normalizer { log {} } } }
            features { name: "vec" raw { input: "item.vec" dim: 2 } }
            features { name: "item_tags" tag { input: "item.tags" hash_bucket_size: 1000 default_value: "none" } }
            features { name: "buyers" sequence { input: "item.buyers" num_buckets: 50 max_length: 3 } }
            features { name: "cross" combo { inputs: ["user.gender", "item.category", "context.device"] hash_bucket_size: 5000 } }
            features { name: "interest_x_cat" combo { inputs: ["user.interests", "item.tags"] hash_bucket_size: 5000 max_crosses: 3 } }
            features { name: "aff" lookup { map_input: "user.affinity" key_input: "item.category" } }
            features { name: "aff_bucket" lookup { map_input: "user.affinity" key_input: "item.tags" combiner: MAX_VALUE boundaries: [0.25, 0.5] } }
            features { name: "segment_score" lookup { map_input: "item.segment_scores" key_input: "user.segments" combiner: MEAN_VALUES } }
            features { name: "hit" match { map_input: "user.interests" key_input: "item.category" } }
            features { name: "audience" match { map_input: "item.audience" key_input: "user.segments" kv_separator: ":" } }
            """;

    /** A user; with {@code dirty}, some fields now and then hold a value their feature cannot use. */
    static Map<String, Object> randomUser(SplittableRandom rnd, boolean dirty) {
        Map<String, Object> user = new HashMap<>();
        user.put("user_id", rnd.nextBoolean() ? "u" + rnd.nextInt(1000) : (Object) (long) rnd.nextInt(1000));
        if (rnd.nextInt(5) > 0) {
            user.put("age", rnd.nextInt(15, 70));
        }
        user.put("gender", rnd.nextBoolean() ? "M" : "F");
        user.put("interests", rnd.nextBoolean() ? "c" + rnd.nextInt(4) + "|c" + rnd.nextInt(4) : List.of("c" + rnd.nextInt(4)));
        user.put("weighted", "t" + rnd.nextInt(9) + ":" + rnd.nextInt(1, 5));
        List<String> clicks = new ArrayList<>();
        for (int i = rnd.nextInt(12); i > 0; i--) {
            clicks.add("i" + rnd.nextInt(20));
        }
        user.put("clicks", clicks);
        user.put("affinity", rnd.nextBoolean() ? Map.of("c" + rnd.nextInt(4), rnd.nextDouble())
                : "c" + rnd.nextInt(2) + ":" + rnd.nextDouble() + "|t" + rnd.nextInt(2, 4) + ":" + rnd.nextDouble());
        user.put("segments", "s" + rnd.nextInt(3) + "|s" + rnd.nextInt(3, 6));
        if (dirty && rnd.nextInt(4) == 0) {
            switch (rnd.nextInt(4)) {
                case 0 -> user.put("affinity", "c1:0.5|c2");
                case 1 -> user.put("age", "old");
                case 2 -> user.put("weighted", "t1");
                default -> user.put("segments", Map.of("s1", 1));
            }
        }
        return user;
    }

    static Map<String, Object> randomContext(SplittableRandom rnd, boolean dirty) {
        Map<String, Object> context = new HashMap<>();
        context.put("device", rnd.nextBoolean() ? "ios" : "web");
        context.put("hour", rnd.nextInt(24));
        if (rnd.nextBoolean()) {
            context.put("page_cat", "c" + rnd.nextInt(4));
        }
        if (dirty && rnd.nextInt(6) == 0) {
            context.put("hour", "noon");
        }
        return context;
    }

    static Map<String, Object> randomItem(SplittableRandom rnd, boolean dirty) {
        Map<String, Object> item = new HashMap<>();
        item.put("item_id", "i" + rnd.nextInt(500));
        item.put("category", "c" + rnd.nextInt(5));
        if (rnd.nextInt(4) > 0) {
            item.put("price", rnd.nextBoolean() ? rnd.nextDouble() * 100 : String.valueOf(rnd.nextInt(100)));
        }
        item.put("vec", rnd.nextBoolean() ? rnd.nextDouble() + "," + rnd.nextDouble() : new float[] {rnd.nextInt(9), 0.5f});
        if (rnd.nextInt(3) > 0) {
            item.put("tags", "c" + rnd.nextInt(4) + "|t" + rnd.nextInt(4) + "|c" + rnd.nextInt(4));
        }
        item.put("buyers", List.of(rnd.nextInt(50), rnd.nextInt(50), rnd.nextInt(50), rnd.nextInt(50)));
        item.put("segment_scores", "s" + rnd.nextInt(3) + ":" + rnd.nextInt(10) + "|s" + rnd.nextInt(3, 6) + ":" + rnd.nextInt(10));
        item.put("audience", "s" + rnd.nextInt(6) + ":1|s" + rnd.nextInt(6) + ":2");
        if (dirty && rnd.nextInt(8) == 0) {
            switch (rnd.nextInt(4)) {
                case 0 -> item.put("price", "n/a");
                case 1 -> item.put("vec", "1,2,3");
                case 2 -> item.put("buyers", List.of(7, 99));
                default -> item.put("segment_scores", "s1:x");
            }
        }
        return item;
    }

    @Test
    void everyTypeIsComputedOnBothSides() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator(ALL_TYPES);
        Map<FeatureSide, Set<Feature.TypeCase>> types = Map.of(
                FeatureSide.REQUEST, EnumSet.noneOf(Feature.TypeCase.class), FeatureSide.ITEM, EnumSet.noneOf(Feature.TypeCase.class));
        g.schema().features().forEach(spec -> types.get(spec.side()).add(spec.type()));
        Set<Feature.TypeCase> all = EnumSet.complementOf(EnumSet.of(Feature.TypeCase.TYPE_NOT_SET));
        assertEquals(all, types.get(FeatureSide.REQUEST));
        assertEquals(all, types.get(FeatureSide.ITEM));
    }

    @Test
    void oneByNEqualsNSingleCalls() throws Exception {
        assertParity(FeatureTypesGoldenTest.generator(ALL_TYPES), FeatureTypesGoldenTest.generator(ALL_TYPES), false, 7);
    }

    @Test
    void oneByNEqualsNSingleCallsOnDirtyDataIncludingCounts() throws Exception {
        String config = "on_bad_value: COUNT_AND_DEFAULT\n" + ALL_TYPES;
        FeatureGenerator batched = FeatureTypesGoldenTest.generator(config);
        FeatureGenerator singles = FeatureTypesGoldenTest.generator(config);
        assertParity(batched, singles, true, 11);
        assertTrue(batched.badValues().total() > 50, "the dirty data exercised the defaults: " + batched.badValues().snapshot());
        assertTrue(batched.droppedCrosses().count("interest_x_cat") > 0);
    }

    /** Generates random requests with {@code batched} as 1 x N and with {@code singles} item by item. */
    private static void assertParity(FeatureGenerator batched, FeatureGenerator singles, boolean dirty, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<FeatureSpec> specs = batched.schema().features();
        for (int request = 0; request < 200; request++) {
            RawRecord user = RawRecord.of(randomUser(rnd, dirty));
            RawRecord context = RawRecord.of(randomContext(rnd, dirty));
            List<RawRecord> items = new ArrayList<>();
            for (int i = rnd.nextInt(1, 30); i > 0; i--) {
                items.add(RawRecord.of(randomItem(rnd, dirty)));
            }
            Map<String, Long> badBefore = counts(batched.badValues(), specs);
            Map<String, Long> singleBadBefore = counts(singles.badValues(), specs);
            Map<String, Long> droppedBefore = counts(batched.droppedCrosses(), specs);
            Map<String, Long> singleDroppedBefore = counts(singles.droppedCrosses(), specs);

            FeatureBatch batch = batched.generate(user, items, context);
            assertEquals(items.size(), batch.numRows());
            for (int row = 0; row < items.size(); row++) {
                assertRowEquals(batch, row, singles.generate(user, items.get(row), context), 0);
            }

            for (FeatureSpec spec : specs) {
                long bad = batched.badValues().count(spec.name()) - badBefore.get(spec.name());
                long singleBad = singles.badValues().count(spec.name()) - singleBadBefore.get(spec.name());
                long perRow = spec.side() == FeatureSide.ITEM ? 1 : items.size();
                assertEquals(singleBad, bad * perRow, spec.name() + ": a request-side value is counted once per request");
                long dropped = batched.droppedCrosses().count(spec.name()) - droppedBefore.get(spec.name());
                long singleDropped = singles.droppedCrosses().count(spec.name()) - singleDroppedBefore.get(spec.name());
                assertEquals(singleDropped, dropped * perRow, spec.name());
            }
        }
    }

    private static Map<String, Long> counts(FeatureCounts counts, List<FeatureSpec> specs) {
        Map<String, Long> out = new HashMap<>();
        specs.forEach(spec -> out.put(spec.name(), counts.count(spec.name())));
        return out;
    }

    @Test
    void precomputedItemsGiveTheRowsOfTheirRawRecordsOnDirtyData() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator("on_bad_value: COUNT_AND_DEFAULT\n" + ALL_TYPES);
        SplittableRandom rnd = new SplittableRandom(17);
        for (int request = 0; request < 100; request++) {
            RawRecord user = RawRecord.of(randomUser(rnd, true));
            RawRecord context = RawRecord.of(randomContext(rnd, true));
            List<RawRecord> items = new ArrayList<>();
            for (int i = rnd.nextInt(1, 30); i > 0; i--) {
                items.add(RawRecord.of(randomItem(rnd, true)));
            }
            List<PrecomputedItem> precomputed = items.stream().map(g::precompute).toList();
            FeatureBatch expected = g.generate(user, items, context);
            FeatureBatch actual = g.generate(user, precomputed, context);
            for (int row = 0; row < items.size(); row++) {
                assertRowEquals(actual, row, expected, row);
            }
        }
        PrecomputedItem item = g.precompute(RawRecord.of(randomItem(rnd, false)));
        assertTrue(item.precomputedBytes() > 0, "the config has item-only features, stored once per item");
    }

    @Test
    void anotherGeneratorsPrecomputedItemIsComputedFromItsRawFields() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator(ALL_TYPES);
        FeatureGenerator other = FeatureTypesGoldenTest.generator(ALL_TYPES.replace("hash_bucket_size: 100000 } }\n\n",
                "hash_bucket_size: 100000 } }\n").replace("\"iid\" id { input: \"item.item_id\" hash_bucket_size: 100000",
                "\"iid\" id { input: \"item.item_id\" hash_bucket_size: 7"));
        SplittableRandom rnd = new SplittableRandom(19);
        RawRecord user = RawRecord.of(randomUser(rnd, false));
        RawRecord context = RawRecord.of(randomContext(rnd, false));
        RawRecord raw = RawRecord.of(randomItem(rnd, false));
        FeatureBatch fromOther = g.generate(user, List.of(other.precompute(raw)), context);
        assertRowEquals(fromOther, 0, g.generate(user, List.of(raw), context), 0);
    }

    @Test
    void requestSideColumnsAreComputedOnceAndBroadcast() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator(ALL_TYPES);
        SplittableRandom rnd = new SplittableRandom(3);
        List<RawRecord> items = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            items.add(RawRecord.of(randomItem(rnd, false)));
        }
        FeatureBatch batch = g.generate(RawRecord.of(randomUser(rnd, false)), items, RawRecord.of(Map.of("device", "ios")));
        for (FeatureSpec spec : g.schema().features()) {
            FeatureColumn column = batch.column(spec.name());
            assertEquals(spec.side() == FeatureSide.REQUEST, column.isBroadcast(), spec.name());
            assertEquals(100, column.numRows());
            if (column instanceof SparseColumn sparse && column.isBroadcast()) {
                assertEquals(sparse.length(0), sparse.storedIds(), spec.name() + " is stored once, not per item");
                assertArrayEquals(sparse.ids(0), sparse.ids(99));
            }
        }
        assertEquals(FeatureSide.ITEM, g.schema().spec("cross").side(), "a cross with an item input is per item");
        assertEquals(FeatureSide.REQUEST, g.schema().spec("gender_x_device").side(), "user x context is per request");
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

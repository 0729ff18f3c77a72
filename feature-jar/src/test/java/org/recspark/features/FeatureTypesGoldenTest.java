package org.recspark.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.FeatureConfig;

/**
 * Golden outputs of every feature type for fixed inputs. Hashed ids were computed with an
 * independent MurmurHash3 implementation; vocabulary ids, buckets and normalisers by hand.
 * A change here breaks offline/online consistency for every deployed model: update deliberately.
 */
class FeatureTypesGoldenTest {

    static FeatureGenerator generator(String text) throws TextFormat.ParseException {
        return FeatureGenerator.compile(TextFormat.parse(text, FeatureConfig.class), Path.of("."));
    }

    private static FeatureBatch one(FeatureGenerator g, Map<String, ?> user, Map<String, ?> item, Map<String, ?> context) {
        return g.generate(RawRecord.of(user), RawRecord.of(item), RawRecord.of(context));
    }

    @Test
    void idFeatures() throws Exception {
        FeatureGenerator g = generator("""
                features { name: "uid" id { input: "user.user_id" hash_bucket_size: 1000 } }
                features { name: "gender" id { input: "user.gender" vocab_list: ["M", "F"] default_value: "M" } }
                features { name: "hour" id { input: "context.hour" num_buckets: 24 } }
                features { name: "num" id { input: "item.n" hash_bucket_size: 1000 } }
                """);
        FeatureBatch b = one(g, Map.of("user_id", "u42", "gender", "F"), Map.of("n", 123L), Map.of("hour", 7));
        assertArrayEquals(new long[] {518}, b.sparse("uid").ids(0));
        assertArrayEquals(new long[] {2}, b.sparse("gender").ids(0));
        assertArrayEquals(new long[] {7}, b.sparse("hour").ids(0));
        assertArrayEquals(new long[] {362}, b.sparse("num").ids(0));

        FeatureBatch other = one(g, Map.of("gender", "X"), Map.of("n", "123"), Map.of("hour", "23"));
        assertArrayEquals(new long[0], other.sparse("uid").ids(0), "missing without default: no id");
        assertArrayEquals(new long[] {0}, other.sparse("gender").ids(0), "out of vocabulary: id 0");
        assertArrayEquals(new long[] {23}, other.sparse("hour").ids(0));
        assertArrayEquals(new long[] {362}, other.sparse("num").ids(0), "\"123\" and 123L are the same id");

        FeatureBatch missing = one(g, Map.of(), Map.of("n", 123.0), Map.of());
        assertArrayEquals(new long[] {1}, missing.sparse("gender").ids(0), "missing takes default 'M'");
        assertArrayEquals(new long[] {362}, missing.sparse("num").ids(0), "123.0 is the same id too");
        assertEquals(1000, g.schema().spec("uid").idSpaceSize());
        assertEquals(3, g.schema().spec("gender").idSpaceSize());
    }

    @Test
    void rawFeatures() throws Exception {
        FeatureGenerator g = generator("""
                features { name: "log" raw { input: "item.x" normalizer { log {} } } }
                features { name: "z" raw { input: "item.x" normalizer { zscore { mean: 10 std: 2 } } } }
                features { name: "mm" raw { input: "item.x" normalizer { minmax { min: 0 max: 10 } } } }
                features { name: "bucket" raw { input: "item.x" boundaries: [10, 20, 50] } }
                features { name: "vec" raw { input: "item.v" dim: 3 } }
                features { name: "dflt" raw { input: "item.absent" default_value: 3 normalizer { zscore { mean: 1 std: 4 } } } }
                """);
        FeatureBatch b = one(g, Map.of(), Map.of("x", "14", "v", "1,2,3"), Map.of());
        assertEquals((float) Math.log(15), b.dense("log").value(0, 0), 1e-6);
        assertEquals(2.0f, b.dense("z").value(0, 0));
        assertEquals(1.0f, b.dense("mm").value(0, 0), "min-max clips to [0, 1]");
        assertArrayEquals(new long[] {1}, b.sparse("bucket").ids(0));
        assertArrayEquals(new float[] {1, 2, 3}, b.dense("vec").values(0));
        assertEquals(0.5f, b.dense("dflt").value(0, 0), "default 3 is normalised: (3 - 1) / 4");

        double[] xs = {5, 10, 20, 49.9, 50, 1000, -99};
        long[] buckets = {0, 1, 2, 2, 3, 3, 0};
        for (int i = 0; i < xs.length; i++) {
            FeatureBatch r = one(g, Map.of(), Map.of("x", xs[i], "v", List.of(1, 2, 3)), Map.of());
            assertArrayEquals(new long[] {buckets[i]}, r.sparse("bucket").ids(0), "bucket of " + xs[i]);
        }
        FeatureBatch negative = one(g, Map.of(), Map.of("x", -99, "v", new double[] {4, 5, 6}), Map.of());
        assertEquals((float) -Math.log(100), negative.dense("log").value(0, 0), 1e-6);
        assertEquals(0.0f, negative.dense("mm").value(0, 0));
        assertArrayEquals(new float[] {4, 5, 6}, negative.dense("vec").values(0));
        assertEquals(4, g.schema().spec("bucket").idSpaceSize());
    }

    @Test
    void tagFeatures() throws Exception {
        FeatureGenerator g = generator("""
                features { name: "tags" tag { input: "item.tags" hash_bucket_size: 100 } }
                features { name: "weighted" tag { input: "user.w" kv_separator: ":" vocab_list: ["x", "y"] } }
                features { name: "dflt" tag { input: "user.absent" vocab_list: ["x", "y"] default_value: "y|x" } }
                """);
        FeatureBatch b = one(g, Map.of("w", "x:0.5|y:2|z:1"), Map.of("tags", "a|b||a"), Map.of());
        assertArrayEquals(new long[] {85, 70, 85}, b.sparse("tags").ids(0), "empty tokens skipped, repeats kept");
        assertArrayEquals(new long[] {1, 2, 0}, b.sparse("weighted").ids(0));
        assertArrayEquals(new float[] {0.5f, 2f, 1f}, b.sparse("weighted").weights(0));
        assertArrayEquals(new long[] {2, 1}, b.sparse("dflt").ids(0));
        FeatureBatch list = one(g, Map.of("w", List.of("y:3")), Map.of("tags", List.of("b", "a")), Map.of());
        assertArrayEquals(new long[] {70, 85}, list.sparse("tags").ids(0));
        assertArrayEquals(new float[] {3f}, list.sparse("weighted").weights(0));
        FeatureBatch map = one(g, Map.of("w", Map.of("y", 0.25)), Map.of("tags", "a"), Map.of());
        assertArrayEquals(new long[] {2}, map.sparse("weighted").ids(0), "a Map is tag -> weight");
        assertArrayEquals(new float[] {0.25f}, map.sparse("weighted").weights(0));
        assertEquals(true, g.schema().spec("weighted").weighted());
    }

    @Test
    void comboFeatures() throws Exception {
        FeatureGenerator g = generator("""
                features { name: "gc" combo { inputs: ["user.gender", "item.category"] hash_bucket_size: 10000 } }
                features { name: "multi" combo { inputs: ["user.t", "item.c"] hash_bucket_size: 10000 } }
                features { name: "capped" combo { inputs: ["user.t", "item.c", "context.d"] hash_bucket_size: 10000 max_crosses: 1 } }
                """);
        FeatureBatch b = one(g, Map.of("gender", "F", "t", "a|b"), Map.of("category", "cat3", "c", "c"), Map.of("d", "c"));
        assertArrayEquals(new long[] {7965}, b.sparse("gc").ids(0));
        assertArrayEquals(new long[] {508, 2561}, b.sparse("multi").ids(0));
        assertEquals(1, b.sparse("capped").length(0));
        FeatureBatch missing = one(g, Map.of("gender", "F"), Map.of(), Map.of());
        assertEquals(0, missing.sparse("gc").length(0), "a cross with a missing input has no ids");
    }

    @Test
    void lookupFeatures() throws Exception {
        FeatureGenerator g = generator("""
                features { name: "aff" lookup { map_input: "user.aff" key_input: "item.cat" } }
                features { name: "sum" lookup { map_input: "user.aff" key_input: "item.cats" } }
                features { name: "max" lookup { map_input: "user.aff" key_input: "item.cats" combiner: MAX_VALUE } }
                features { name: "dflt" lookup { map_input: "user.aff" key_input: "item.none" default_value: -1 } }
                features { name: "bucket" lookup { map_input: "user.aff" key_input: "item.cat" boundaries: [0.1, 0.5] } }
                """);
        FeatureBatch b = one(g, Map.of("aff", "cat3:0.72|cat9:0.15"), Map.of("cat", "cat9", "cats", "cat3|cat9|cat1"), Map.of());
        assertEquals(0.15f, b.dense("aff").value(0, 0));
        assertEquals(0.87f, b.dense("sum").value(0, 0), 1e-6);
        assertEquals(0.72f, b.dense("max").value(0, 0));
        assertEquals(-1f, b.dense("dflt").value(0, 0));
        assertArrayEquals(new long[] {1}, b.sparse("bucket").ids(0));
        FeatureBatch fromMap = one(g, Map.of("aff", Map.of("cat3", 0.72, "cat9", "0.15")), Map.of("cat", "cat1", "cats", List.of("cat3")), Map.of());
        assertEquals(0f, fromMap.dense("aff").value(0, 0), "key not in map: default 0");
        assertEquals(0.72f, fromMap.dense("sum").value(0, 0));
    }

    @Test
    void lookupsOfEverySideCombination() throws Exception {
        FeatureGenerator g = generator("""
                features { name: "page" lookup { map_input: "user.aff" key_input: "context.page" combiner: MIN_VALUE } }
                features { name: "segment" lookup { map_input: "item.scores" key_input: "user.segments" combiner: MEAN_VALUES
                                                     normalizer { zscore { mean: 1 std: 2 } } } }
                """);
        FeatureBatch b = g.generate(RawRecord.of(Map.of("aff", "a:3|b:-1.5|c:2", "segments", List.of("s1", "s2", "s9"))),
                List.of(RawRecord.of(Map.of("scores", "s1:4|s2:8|s3:100")), RawRecord.of(Map.of("scores", Map.of("s2", 1)))),
                RawRecord.of(Map.of("page", "c|b")));
        assertEquals(FeatureSide.REQUEST, g.schema().spec("page").side());
        assertEquals(-1.5f, b.dense("page").value(1, 0), "min of 2 and -1.5");
        assertEquals(2.5f, b.dense("segment").value(0, 0), "mean of 4 and 8 is 6, (6 - 1) / 2");
        assertEquals(0f, b.dense("segment").value(1, 0), "mean of 1 is 1, (1 - 1) / 2");
    }

    @Test
    void matchFeatures() throws Exception {
        FeatureGenerator g = generator("""
                features { name: "hit" match { map_input: "user.interests" key_input: "item.cat" } }
                features { name: "kv" match { map_input: "user.aff" key_input: "item.cat" kv_separator: ":" } }
                """);
        FeatureBatch b = one(g, Map.of("interests", "cat3|cat7", "aff", "cat7:0.5"), Map.of("cat", "cat7"), Map.of());
        assertEquals(1f, b.dense("hit").value(0, 0));
        assertEquals(1f, b.dense("kv").value(0, 0));
        assertEquals(2f, one(g, Map.of("interests", "cat3|cat7"), Map.of("cat", "cat3|cat7"), Map.of()).dense("hit").value(0, 0));
        assertEquals(0f, one(g, Map.of("interests", List.of("cat3")), Map.of("cat", "cat1"), Map.of()).dense("hit").value(0, 0));
        assertEquals(0f, one(g, Map.of(), Map.of("cat", "cat1"), Map.of()).dense("hit").value(0, 0));
        assertEquals(1f, one(g, Map.of("interests", Map.of(7L, 0.1)), Map.of("cat", 7.0), Map.of()).dense("hit").value(0, 0),
                "Map keys and keys are compared as canonical strings");

        FeatureGenerator itemSide = generator("""
                features { name: "audience" match { map_input: "item.audience" key_input: "user.segments" kv_separator: "=" } }
                """);
        assertEquals(2f, one(itemSide, Map.of("segments", "s1|s2|s3"), Map.of("audience", "s3=1|s1=0.5|s7=1"), Map.of())
                .dense("audience").value(0, 0));
    }

    @Test
    void sequenceFeatures() throws Exception {
        FeatureGenerator g = generator("""
                features { name: "dedup" sequence { input: "user.clicks" hash_bucket_size: 500 max_length: 2 dedup: true } }
                features { name: "raw" sequence { input: "user.clicks" hash_bucket_size: 500 max_length: 3 } }
                features { name: "numbered" sequence { input: "user.n" num_buckets: 10 } }
                """);
        FeatureBatch b = one(g, Map.of("clicks", "i9|i9|i4|i7", "n", List.of(3, 1, 4)), Map.of(), Map.of());
        assertArrayEquals(new long[] {361, 171}, b.sparse("dedup").ids(0));
        assertArrayEquals(new long[] {361, 361, 171}, b.sparse("raw").ids(0));
        assertArrayEquals(new long[] {3, 1, 4}, b.sparse("numbered").ids(0));
        assertEquals(0, one(g, Map.of(), Map.of(), Map.of()).sparse("raw").length(0), "no history: empty sequence");
    }

    @Test
    void recencyDecayWeighsTheKthKeptValueDecayToTheK() throws Exception {
        FeatureGenerator g = generator("""
                features { name: "decayed" sequence { input: "user.clicks" hash_bucket_size: 500 max_length: 3 dedup: true recency_decay: 0.5 } }
                features { name: "flat" sequence { input: "user.clicks" hash_bucket_size: 500 max_length: 3 } }
                """);
        FeatureBatch b = one(g, Map.of("clicks", "i9|i9|i4|i7|i1"), Map.of(), Map.of());
        assertArrayEquals(new long[] {361, 171, b.sparse("decayed").ids(0)[2]}, b.sparse("decayed").ids(0));
        assertArrayEquals(new float[] {1f, 0.5f, 0.25f}, b.sparse("decayed").weights(0), "weights after dedup, most recent first");
        assertTrue(g.schema().spec("decayed").weighted());
        assertFalse(g.schema().spec("flat").weighted(), "without recency_decay the sequence stays unweighted");
    }
}

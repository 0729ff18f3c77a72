package org.recspark.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigException;
import org.recspark.config.proto.FeatureConfig;

class BadInputTest {
    private static final String FEATURES = """
            features { name: "price" raw { input: "item.price" default_value: 1 } }
            features { name: "hour" id { input: "context.hour" num_buckets: 24 } }
            features { name: "aff" lookup { map_input: "user.aff" key_input: "item.cat" } }
            features { name: "w" tag { input: "user.w" kv_separator: ":" hash_bucket_size: 10 } }
            features { name: "vec" raw { input: "item.vec" dim: 2 } }
            features { name: "gender" id { input: "user.gender" hash_bucket_size: 10 } }
            """;

    private static String failure(FeatureGenerator g, Map<String, ?> user, Map<String, ?> item, Map<String, ?> ctx) {
        return assertThrows(FeatureValueException.class,
                () -> g.generate(RawRecord.of(user), RawRecord.of(item), RawRecord.of(ctx))).getMessage();
    }

    @Test
    void badValuesFailNamingFeatureInputAndValue() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator(FEATURES);
        assertEquals("feature 'price' (raw, input item.price): cannot parse 'abc' as a number",
                failure(g, Map.of(), Map.of("price", "abc"), Map.of()));
        assertEquals("feature 'price' (raw, input item.price): expected a finite number, got NaN",
                failure(g, Map.of(), Map.of("price", "NaN"), Map.of()));
        assertEquals("feature 'hour' (id, input context.hour): id 24 is outside [0, 24)",
                failure(g, Map.of(), Map.of(), Map.of("hour", 24)));
        assertEquals("feature 'hour' (id, input context.hour): expected an integer id in [0, 24), got 'noon'",
                failure(g, Map.of(), Map.of(), Map.of("hour", "noon")));
        assertEquals("feature 'aff' (lookup, inputs user.aff, item.cat): map entry 'c1' is not key:value",
                failure(g, Map.of("aff", "c1|c2:3"), Map.of("cat", "c2"), Map.of()));
        assertEquals("feature 'aff' (lookup, inputs user.aff, item.cat): cannot parse 'x' as a number",
                failure(g, Map.of("aff", "c2:x"), Map.of("cat", "c2"), Map.of()));
        assertEquals("feature 'w' (tag, input user.w): weighted tag 'a' is not tag:weight",
                failure(g, Map.of("w", "a"), Map.of(), Map.of()));
        assertEquals("feature 'vec' (raw, input item.vec): expected 2 values, got 3",
                failure(g, Map.of(), Map.of("vec", "1,2,3"), Map.of()));
        assertTrue(failure(g, Map.of("gender", List.of("M", "F")), Map.of(), Map.of())
                .startsWith("feature 'gender' (id, input user.gender): expected a single value, got "));
        assertEquals("feature 'aff' (lookup, inputs user.aff, item.cat): map key 'c1' appears twice",
                failure(g, Map.of("aff", "c1:1|c1:2"), Map.of("cat", "c9"), Map.of()));
        assertEquals("feature 'aff' (lookup, inputs user.aff, item.cat): expected a map, got Long 5",
                failure(g, Map.of("aff", 5L), Map.of("cat", "c9"), Map.of()));
        assertEquals("feature 'vec' (raw, input item.vec): expected a number, got null",
                failure(g, Map.of(), Map.of("vec", java.util.Arrays.asList(1.0, null)), Map.of()));
        FeatureValueException e = assertThrows(FeatureValueException.class, () -> g.generate(RawRecord.EMPTY,
                List.of(RawRecord.of(Map.of("price", 2)), RawRecord.of(Map.of("price", "2,5"))), RawRecord.EMPTY));
        assertEquals("price", e.feature());
        assertEquals("feature 'price' (raw, input item.price): cannot parse '2,5' as a number", e.getMessage());
    }

    @Test
    void aMalformedMapIsBadWhicheverKeyIsLookedUp() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator(FEATURES);
        assertEquals("feature 'aff' (lookup, inputs user.aff, item.cat): cannot parse 'x' as a number",
                failure(g, Map.of("aff", "c1:1|c2:x"), Map.of("cat", "c1"), Map.of()), "the bad entry is not the key's");
        FeatureGenerator match = FeatureTypesGoldenTest.generator(
                "features { name: \"hit\" match { map_input: \"user.interests\" key_input: \"item.cat\" } }");
        assertEquals("feature 'hit' (match, inputs user.interests, item.cat): expected a map, list or separated string, got Double 1.5",
                failure(match, Map.of("interests", 1.5), Map.of("cat", "c1"), Map.of()));
    }

    @Test
    void countAndDefaultCountsPerFeatureAndUsesDefaults() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator("on_bad_value: COUNT_AND_DEFAULT\n" + FEATURES);
        FeatureBatch b = g.generate(RawRecord.of(Map.of("w", "a:1|b")), RawRecord.of(Map.of("price", "abc")),
                RawRecord.of(Map.of("hour", "99")));
        assertEquals(1f, b.dense("price").value(0, 0), "default_value replaces the bad value");
        assertEquals(0, b.sparse("hour").length(0));
        assertEquals(0, b.sparse("w").length(0), "ids of a partly bad value are rolled back");
        g.generate(RawRecord.EMPTY, RawRecord.of(Map.of("price", "x")), RawRecord.EMPTY);
        assertEquals(2, g.badValues().count("price"));
        assertEquals(1, g.badValues().count("hour"));
        assertEquals(Map.of("price", 2L, "hour", 1L, "w", 1L), g.badValues().snapshot());
        assertEquals(4, g.badValues().total());
    }

    @Test
    void aBadRequestSideValueOfAPerItemFeatureIsCountedForEveryItemAsInSingleCalls() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator("on_bad_value: COUNT_AND_DEFAULT\n" + FEATURES);
        List<RawRecord> items = List.of(RawRecord.of(Map.of("cat", "c1")), RawRecord.of(Map.of("cat", "c2")), RawRecord.EMPTY);
        FeatureBatch b = g.generate(RawRecord.of(Map.of("aff", "c1:1|c2", "w", "a")), items, RawRecord.EMPTY);
        assertArrayEquals(new float[] {0, 0, 0}, new float[] {b.dense("aff").value(0, 0), b.dense("aff").value(1, 0),
                b.dense("aff").value(2, 0)});
        assertEquals(3, g.badValues().count("aff"), "once per item: both inputs are always checked");
        assertEquals(1, g.badValues().count("w"), "a request-side feature is computed, and counted, once");
    }

    @Test
    void crossesBeyondMaxCrossesAreDroppedAndCounted() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator("""
                features { name: "cross" combo { inputs: ["user.a", "item.b"] hash_bucket_size: 1000 max_crosses: 4 } }
                features { name: "wide" combo { inputs: ["user.a", "item.b"] hash_bucket_size: 1000 } }
                """);
        FeatureBatch b = g.generate(RawRecord.of(Map.of("a", "x|y|z")), RawRecord.of(Map.of("b", "1|2")), RawRecord.EMPTY);
        long[] expected = {key("x", "1"), key("x", "2"), key("y", "1"), key("y", "2")};
        assertArrayEquals(expected, b.sparse("cross").ids(0), "the first 4 of 6, in input order");
        assertEquals(6, b.sparse("wide").length(0));
        assertEquals(Map.of("cross", 2L), g.droppedCrosses().snapshot());
        assertEquals(0, g.badValues().total());
    }

    private static long key(String a, String b) {
        return FeatureHashing.bucket(a + FeatureHashing.CROSS_SEPARATOR + b, 1000);
    }

    @Test
    void missingFieldsTakeDefaultsNotErrors() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator(FEATURES);
        FeatureBatch b = g.generate(RawRecord.EMPTY, RawRecord.of(Map.of("price", "")), RawRecord.EMPTY);
        assertEquals(1f, b.dense("price").value(0, 0));
        assertArrayEquals(new float[] {0, 0}, b.dense("vec").values(0));
        assertEquals(0f, b.dense("aff").value(0, 0));
        assertEquals(0, g.badValues().total());
    }

    @Test
    void everyFeatureTypeHasADefaultForAMissingOrEmptyField() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator("""
                features { name: "id_none" id { input: "item.a" hash_bucket_size: 10 } }
                features { name: "id_default" id { input: "item.a" vocab_list: ["x", "y"] default_value: "y" } }
                features { name: "raw" raw { input: "item.a" } }
                features { name: "raw_default" raw { input: "item.a" dim: 2 default_value: -1 } }
                features { name: "raw_bucket" raw { input: "item.a" default_value: 7 boundaries: [5, 10] } }
                features { name: "tag_none" tag { input: "item.a" hash_bucket_size: 10 } }
                features { name: "tag_default" tag { input: "item.a" vocab_list: ["x", "y"] default_value: "x|y|z" } }
                features { name: "combo" combo { inputs: ["user.b", "item.a"] hash_bucket_size: 10 } }
                features { name: "lookup" lookup { map_input: "user.m" key_input: "item.a" default_value: 0.5 } }
                features { name: "lookup_bucket" lookup { map_input: "user.m" key_input: "item.a" boundaries: [1] } }
                features { name: "match" match { map_input: "user.m" key_input: "item.a" } }
                features { name: "sequence" sequence { input: "item.a" hash_bucket_size: 10 } }
                """);
        for (Map<String, ?> item : List.of(Map.<String, Object>of(), Map.of("a", ""))) {
            FeatureBatch b = g.generate(RawRecord.of(Map.of("b", "x", "m", "x:2")), RawRecord.of(item), RawRecord.EMPTY);
            assertArrayEquals(new long[0], b.sparse("id_none").ids(0));
            assertArrayEquals(new long[] {2}, b.sparse("id_default").ids(0));
            assertArrayEquals(new float[] {0}, b.dense("raw").values(0), "default_value defaults to 0");
            assertArrayEquals(new float[] {-1, -1}, b.dense("raw_default").values(0));
            assertArrayEquals(new long[] {1}, b.sparse("raw_bucket").ids(0), "the default is bucketized: 5 <= 7 < 10");
            assertArrayEquals(new long[0], b.sparse("tag_none").ids(0));
            assertArrayEquals(new long[] {1, 2, 0}, b.sparse("tag_default").ids(0));
            assertArrayEquals(new long[0], b.sparse("combo").ids(0));
            assertArrayEquals(new float[] {0.5f}, b.dense("lookup").values(0));
            assertArrayEquals(new long[] {0}, b.sparse("lookup_bucket").ids(0));
            assertArrayEquals(new float[] {0}, b.dense("match").values(0));
            assertArrayEquals(new long[0], b.sparse("sequence").ids(0));
        }
        assertEquals(0, g.badValues().total(), "missing is not bad");
    }

    @Test
    void aDefaultThatIsItselfABadValueIsAConfigError() {
        for (String[] c : new String[][] {
                {"id { input: \"context.hour\" num_buckets: 24 default_value: \"24\" }", "feature_config.features[0].id.default_value",
                        "the default is not a usable value: id 24 is outside [0, 24)"},
                {"tag { input: \"user.w\" kv_separator: \":\" hash_bucket_size: 10 default_value: \"a\" }",
                        "feature_config.features[0].tag.default_value", "the default is not a usable value: weighted tag 'a' is not tag:weight"},
                {"raw { input: \"item.x\" default_value: inf }", "feature_config.features[0].raw.default_value",
                        "must be a finite number, got Infinity"}}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> FeatureTypesGoldenTest.generator("features { name: \"f\" " + c[0] + " }"), c[0]);
            assertEquals(List.of(new org.recspark.config.Violation(c[1], c[2])), e.violations());
        }
    }

    @Test
    void anEmptySeparatorTheValidatorLetsThroughSplitsNothing() {
        FeatureGenerator g = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> FeatureTypesGoldenTest.generator("""
                features { name: "aff" lookup { map_input: "user.aff" key_input: "item.cats" key_separator: "" } }
                features { name: "vec" raw { input: "item.vec" separator: "" } }
                """));
        FeatureBatch b = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> g.generate(
                RawRecord.of(Map.of("aff", Map.of("a|b", 2, "a", 5))), RawRecord.of(Map.of("cats", "a|b", "vec", "4")), RawRecord.EMPTY));
        assertEquals(2f, b.dense("aff").value(0, 0), "the key is 'a|b' whole");
        assertEquals(4f, b.dense("vec").value(0, 0));
    }

    @Test
    void vectorsMustHaveExactlyDimNumbers() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator(FEATURES);
        assertEquals("feature 'vec' (raw, input item.vec): cannot parse '' as a number",
                failure(g, Map.of(), Map.of("vec", "1,,2"), Map.of()), "an empty token does not shift the values");
        assertEquals("feature 'vec' (raw, input item.vec): expected 2 values, got 1",
                failure(g, Map.of(), Map.of("vec", new double[] {1}), Map.of()));
        assertEquals("feature 'vec' (raw, input item.vec): expected 2 numbers, got Boolean true",
                failure(g, Map.of(), Map.of("vec", true), Map.of()));
        assertEquals("feature 'price' (raw, input item.price): 1.0E300 is beyond the float range once normalised",
                failure(g, Map.of(), Map.of("price", 1e300), Map.of()));
    }

    @Test
    void invalidConfigIsRejectedWithAllViolations() {
        FeatureConfig config = FeatureConfig.newBuilder()
                .addFeatures(org.recspark.config.proto.Feature.newBuilder().setName("a")
                        .setId(org.recspark.config.proto.IdFeature.newBuilder().setInput("user.a").setHashBucketSize(-5)))
                .addFeatures(org.recspark.config.proto.Feature.newBuilder().setName("a")
                        .setId(org.recspark.config.proto.IdFeature.newBuilder().setInput("a").setNumBuckets(3)))
                .build();
        ConfigException e = assertThrows(ConfigException.class, () -> FeatureGenerator.compile(config, Path.of(".")));
        assertEquals(3, e.violations().size(), e.getMessage());
    }

    @Test
    void vocabularyFilesAreResolvedAgainstTheBaseDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("cities.txt"), "paris\nlondon\n\ntokyo\n");
        FeatureGenerator g = FeatureGenerator.compile(com.google.protobuf.TextFormat.parse(
                "features { name: \"city\" id { input: \"user.city\" vocab_file: \"cities.txt\" } }", FeatureConfig.class), dir);
        assertEquals(4, g.schema().spec("city").idSpaceSize());
        FeatureBatch b = g.generate(RawRecord.of(Map.of("city", "tokyo")), RawRecord.EMPTY, RawRecord.EMPTY);
        assertArrayEquals(new long[] {3}, b.sparse("city").ids(0));

        ConfigException missing = assertThrows(ConfigException.class, () -> FeatureGenerator.compile(
                com.google.protobuf.TextFormat.parse("features { name: \"c\" tag { input: \"user.c\" vocab_file: \"nope.txt\" } }",
                        FeatureConfig.class), dir));
        assertEquals("feature_config.features[0].tag.vocab_file", missing.violations().get(0).path());
        assertTrue(missing.getMessage().contains("nope.txt"), missing.getMessage());
    }

    @Test
    void vocabularyFilesMayStartWithAByteOrderMarkButNotRepeatValues(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("bom.txt"), "\uFEFFparis\r\nlondon\r\n");
        FeatureGenerator g = FeatureGenerator.compile(com.google.protobuf.TextFormat.parse(
                "features { name: \"city\" id { input: \"user.city\" vocab_file: \"bom.txt\" } }", FeatureConfig.class), dir);
        assertArrayEquals(new long[] {1}, g.generate(RawRecord.of(Map.of("city", "paris")), RawRecord.EMPTY, RawRecord.EMPTY)
                .sparse("city").ids(0));

        Files.writeString(dir.resolve("twice.txt"), "a\nb\na\n");
        ConfigException twice = assertThrows(ConfigException.class, () -> FeatureGenerator.compile(
                com.google.protobuf.TextFormat.parse("features { name: \"s\" sequence { input: \"user.s\" vocab_file: \"twice.txt\" } }",
                        FeatureConfig.class), dir));
        assertEquals("feature_config.features[0].sequence.vocab_file", twice.violations().get(0).path());
        assertTrue(twice.violations().get(0).message().endsWith("repeats 'a' (lines 1 and 3)"), twice.getMessage());
    }
}

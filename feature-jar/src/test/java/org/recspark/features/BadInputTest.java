package org.recspark.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        assertEquals("feature 'aff' (lookup, inputs user.aff, item.cat): map entry 'c1' has no ':'",
                failure(g, Map.of("aff", "c1|c2:3"), Map.of("cat", "c2"), Map.of()));
        assertEquals("feature 'aff' (lookup, inputs user.aff, item.cat): cannot parse 'x' as a number",
                failure(g, Map.of("aff", "c2:x"), Map.of("cat", "c2"), Map.of()));
        assertEquals("feature 'w' (tag, input user.w): weighted tag 'a' is not tag:weight",
                failure(g, Map.of("w", "a"), Map.of(), Map.of()));
        assertEquals("feature 'vec' (raw, input item.vec): expected 2 values, got 3",
                failure(g, Map.of(), Map.of("vec", "1,2,3"), Map.of()));
        assertTrue(failure(g, Map.of("gender", List.of("M", "F")), Map.of(), Map.of())
                .startsWith("feature 'gender' (id, input user.gender): expected a single value, got "));
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
    void missingFieldsTakeDefaultsNotErrors() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator(FEATURES);
        FeatureBatch b = g.generate(RawRecord.EMPTY, RawRecord.of(Map.of("price", "")), RawRecord.EMPTY);
        assertEquals(1f, b.dense("price").value(0, 0));
        assertArrayEquals(new float[] {0, 0}, b.dense("vec").values(0));
        assertEquals(0f, b.dense("aff").value(0, 0));
        assertEquals(0, g.badValues().total());
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
}

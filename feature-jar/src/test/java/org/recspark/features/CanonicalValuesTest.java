package org.recspark.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The canonical string of a raw value, which is what gets hashed, looked up in a vocabulary or crossed. */
class CanonicalValuesTest {

    @Test
    void integralNumbersPrintAsIntegersWhateverTheirType() {
        for (Object value : List.of("123", 123, 123L, (short) 123, (byte) 123, 123.0, 123.0f,
                new BigDecimal("123.00"), BigInteger.valueOf(123))) {
            assertEquals("123", RawValues.canonical(value), value.getClass().getSimpleName());
        }
        assertEquals("-7", RawValues.canonical(-7.0));
        assertEquals("0", RawValues.canonical(-0.0), "negative zero is 0");
        assertEquals("10000000000000000", RawValues.canonical(1e16), "large integral doubles print like the long");
        assertEquals("10000000000000000", RawValues.canonical(10_000_000_000_000_000L));
        assertEquals("1.0E19", RawValues.canonical(1e19), "beyond the long range: Double.toString");
    }

    @Test
    void otherValues() {
        assertEquals("0.5", RawValues.canonical(0.5));
        assertEquals("0.1", RawValues.canonical(0.1f), "a float prints as a float, not as its widened double");
        assertEquals("1.25", RawValues.canonical(new BigDecimal("1.2500")));
        assertEquals("1.0E-5", RawValues.canonical(1e-5));
        assertEquals("true", RawValues.canonical(true));
        assertEquals("false", RawValues.canonical(Boolean.FALSE));
        assertEquals(" a b ", RawValues.canonical(" a b "), "strings are taken as they are");
        assertEquals("expected a single value, got HashMap {a=1}",
                assertThrows(BadValue.class, () -> RawValues.canonical(new java.util.HashMap<>(Map.of("a", 1)))).getMessage());
    }

    @Test
    void theSameValueOfAnyTypeGetsTheSameIdInEveryFeatureType() throws Exception {
        FeatureGenerator g = FeatureTypesGoldenTest.generator("""
                features { name: "hashed" id { input: "item.v" hash_bucket_size: 1000 } }
                features { name: "vocab" id { input: "item.v" vocab_list: ["7", "123"] } }
                features { name: "numbered" id { input: "item.v" num_buckets: 200 } }
                features { name: "tags" tag { input: "item.list" hash_bucket_size: 1000 } }
                features { name: "cross" combo { inputs: ["item.v", "item.list"] hash_bucket_size: 1000 } }
                """);
        for (Object v : List.of("123", 123L, 123, 123.0, 123.0f, new BigDecimal("123.000"))) {
            FeatureBatch b = g.generate(RawRecord.EMPTY, RawRecord.of(Map.of("v", v, "list", List.of(v, 7L))), RawRecord.EMPTY);
            String what = v.getClass().getSimpleName() + " " + v;
            assertArrayEquals(new long[] {362}, b.sparse("hashed").ids(0), what);
            assertArrayEquals(new long[] {2}, b.sparse("vocab").ids(0), what);
            assertArrayEquals(new long[] {123}, b.sparse("numbered").ids(0), what);
            assertArrayEquals(new long[] {362, FeatureHashing.bucket("7", 1000)}, b.sparse("tags").ids(0), what);
            assertArrayEquals(new long[] {FeatureHashing.bucket("123\u001f123", 1000), FeatureHashing.bucket("123\u001f7", 1000)},
                    b.sparse("cross").ids(0), what);
        }
    }
}

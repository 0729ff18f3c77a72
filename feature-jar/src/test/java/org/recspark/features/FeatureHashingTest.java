package org.recspark.features;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Pins the hash. The expected values are published MurmurHash3 x64_128 vectors ("hello", the quick
 * brown fox) and values from an independent implementation (Python, written from the reference
 * C++), so a change of library or encoding that would break offline/online consistency fails here.
 */
class FeatureHashingTest {

    @Test
    void matchesReferenceVectors() {
        assertEquals(0L, FeatureHashing.hash64(""));
        assertEquals(0xcbd8a7b341bd9b02L, FeatureHashing.hash64("hello"));
        assertEquals(0xe34bbc7bbc071b6cL, FeatureHashing.hash64("The quick brown fox jumps over the lazy dog"));
    }

    @Test
    void hashesUtf8Bytes() {
        assertEquals(0xa2e7c22a053364ddL, FeatureHashing.hash64("café"));
        assertEquals(0x91aa8d9b5bbea588L, FeatureHashing.hash64("用户画像"));
    }

    @Test
    void bucketIsFloorModOfTheFirstWord() {
        assertEquals(518, FeatureHashing.bucket("u42", 1000));
        assertEquals(5, FeatureHashing.bucket("café", 7));
        assertEquals(7965, FeatureHashing.bucket("F" + FeatureHashing.CROSS_SEPARATOR + "cat3", 10000));
    }
}

package org.recspark.features;

import java.nio.charset.StandardCharsets;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The one hash of the feature jar: MurmurHash3 x64_128 of the UTF-8 bytes of a value's canonical
 * string, seed 0, first 64-bit word (h1), floor-mod the bucket count. Identical in every JVM and
 * pinned by golden tests, since offline and online ids must agree.
 */
public final class FeatureHashing {
    /** Separates the values of one cross in a combo key. */
    public static final char CROSS_SEPARATOR = '\u001F';

    private FeatureHashing() {}

    public static long hash64(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash128x64(bytes, 0, bytes.length, 0)[0];
    }

    public static long bucket(String value, long buckets) {
        return Math.floorMod(hash64(value), buckets);
    }
}

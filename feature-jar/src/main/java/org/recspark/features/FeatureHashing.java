package org.recspark.features;

import java.nio.charset.StandardCharsets;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The one hash of the feature jar: MurmurHash3 x64_128 of the UTF-8 bytes of a value's canonical
 * string, seed 0, first 64-bit word (h1), floor-mod the bucket count. Identical in every JVM and
 * pinned by golden tests, since offline and online ids must agree.
 *
 * <p>Most values are ASCII (ids, tokens, numbers), whose UTF-8 bytes are their chars: those are
 * hashed straight from the string, without the byte array and the two-word result that
 * commons-codec's {@link MurmurHash3#hash128x64} allocates per call (a quarter of a 1 x 1,000
 * request's feature time). Other strings go through commons-codec on their UTF-8 bytes. A test
 * holds the two paths equal.
 */
public final class FeatureHashing {
    /** Separates the values of one cross in a combo key. */
    public static final char CROSS_SEPARATOR = '\u001F';

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private FeatureHashing() {}

    public static long hash64(String value) {
        int length = value.length();
        for (int i = 0; i < length; i++) {
            if (value.charAt(i) >= 0x80) {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                return MurmurHash3.hash128x64(bytes, 0, bytes.length, 0)[0];
            }
        }
        return asciiHash64(value);
    }

    public static long bucket(String value, long buckets) {
        return Math.floorMod(hash64(value), buckets);
    }

    /** MurmurHash3 x64_128's h1, seed 0, of an ASCII string's chars taken as its bytes. */
    static long asciiHash64(String s) {
        int length = s.length();
        long h1 = 0;
        long h2 = 0;
        int blocks = length >>> 4;
        for (int b = 0; b < blocks; b++) {
            int i = b << 4;
            long k1 = littleEndian(s, i, 8);
            long k2 = littleEndian(s, i + 8, 8);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int tail = blocks << 4;
        int rest = length - tail;
        if (rest > 8) {
            h2 ^= mixK2(littleEndian(s, tail + 8, rest - 8));
        }
        if (rest > 0) {
            h1 ^= mixK1(littleEndian(s, tail, Math.min(rest, 8)));
        }
        h1 ^= length;
        h2 ^= length;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        return h1 + h2;
    }

    /** Up to 8 chars from {@code from} as the bytes of a little-endian long. */
    private static long littleEndian(String s, int from, int count) {
        long k = 0;
        for (int j = count - 1; j >= 0; j--) {
            k = (k << 8) | s.charAt(from + j);
        }
        return k;
    }

    private static long mixK1(long k1) {
        return Long.rotateLeft(k1 * C1, 31) * C2;
    }

    private static long mixK2(long k2) {
        return Long.rotateLeft(k2 * C2, 33) * C1;
    }

    private static long fmix64(long k) {
        long h = k;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}

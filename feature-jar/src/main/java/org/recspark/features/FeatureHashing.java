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
        return hash64(value, 0, value.length());
    }

    /** {@link #hash64(String)} of {@code value.substring(from, to)}, without the substring. */
    public static long hash64(String value, int from, int to) {
        Murmur m = new Murmur().add(value, from, to);
        if (m.ascii()) {
            return m.h1();
        }
        byte[] bytes = value.substring(from, to).getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash128x64(bytes, 0, bytes.length, 0)[0];
    }

    public static long bucket(String value, long buckets) {
        return Math.floorMod(hash64(value), buckets);
    }

    /** {@link #bucket(String, long)} of {@code value.substring(from, to)}, without the substring. */
    public static long bucket(String value, int from, int to, long buckets) {
        return Math.floorMod(hash64(value, from, to), buckets);
    }

    /**
     * The bucket of several values joined by {@link #CROSS_SEPARATOR} (a combo's key), without the
     * joined string when they are ASCII.
     */
    public static long crossBucket(String[] values, long buckets) {
        Murmur m = new Murmur();
        for (int k = 0; k < values.length && m.ascii(); k++) {
            if (k > 0) {
                m.add(CROSS_SEPARATOR);
            }
            m.add(values[k], 0, values[k].length());
        }
        return Math.floorMod(m.ascii() ? m.h1() : hash64(String.join(String.valueOf(CROSS_SEPARATOR), values)), buckets);
    }

    /**
     * MurmurHash3 x64_128, seed 0, over chars fed in parts and taken as bytes, which they are in
     * UTF-8 while they are ASCII; {@link #ascii()} turns false at the first char that is not, and
     * the caller then hashes the UTF-8 bytes instead. Whole 16-char blocks of a part are read at
     * once when they start a block. Small and short-lived, so the JIT keeps it in registers.
     */
    static final class Murmur {
        private long h1;
        private long h2;
        private long k1;
        private long k2;
        private int inBlock;
        private int length;
        private boolean ascii = true;

        Murmur add(String s, int from, int to) {
            int i = from;
            while (i < to && ascii) {
                if (inBlock == 0 && to - i >= 16) {
                    int seen = 0;
                    long a = 0;
                    long b = 0;
                    for (int j = 7; j >= 0; j--) {
                        char c = s.charAt(i + j);
                        seen |= c;
                        a = (a << 8) | c;
                    }
                    for (int j = 15; j >= 8; j--) {
                        char c = s.charAt(i + j);
                        seen |= c;
                        b = (b << 8) | c;
                    }
                    if (seen >= 0x80) {
                        ascii = false;
                        return this;
                    }
                    block(a, b);
                    length += 16;
                    i += 16;
                } else {
                    add(s.charAt(i++));
                }
            }
            return this;
        }

        Murmur add(char c) {
            if (c >= 0x80) {
                ascii = false;
                return this;
            }
            long b = c;
            if (inBlock < 8) {
                k1 |= b << (inBlock << 3);
            } else {
                k2 |= b << ((inBlock - 8) << 3);
            }
            length++;
            if (++inBlock == 16) {
                block(k1, k2);
                k1 = 0;
                k2 = 0;
                inBlock = 0;
            }
            return this;
        }

        boolean ascii() {
            return ascii;
        }

        /** The first word of the hash of everything added (the state is left as it is). */
        long h1() {
            long a = h1;
            long b = h2;
            if (inBlock > 8) {
                b ^= mixK2(k2);
            }
            if (inBlock > 0) {
                a ^= mixK1(k1);
            }
            a ^= length;
            b ^= length;
            a += b;
            b += a;
            a = fmix64(a);
            b = fmix64(b);
            return a + b;
        }

        private void block(long a, long b) {
            h1 ^= mixK1(a);
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(b);
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
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

package org.recspark.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Test;

/**
 * Pins the hash. The expected values are published MurmurHash3 x64_128 vectors ("hello", the quick
 * brown fox) and the golden file {@code golden/murmur3_x64_128.tsv}, computed with an independent
 * implementation of the reference C++ (not commons-codec), so a change of library, seed or
 * encoding that would break offline/online consistency fails here.
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

    private static long reference(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash128x64(bytes, 0, bytes.length, 0)[0];
    }

    private static String randomString(SplittableRandom rnd, int length, int maxChar) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append((char) rnd.nextInt(maxChar));
        }
        return b.toString();
    }

    @Test
    void theAsciiPathEqualsCommonsCodecOnTheUtf8Bytes() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int length = 0; length <= 80; length++) {
            for (int trial = 0; trial < 20; trial++) {
                String s = randomString(rnd, length, 0x80);
                FeatureHashing.Murmur whole = new FeatureHashing.Murmur().add(s, 0, s.length());
                assertTrue(whole.ascii());
                assertEquals(reference(s), whole.h1(), "length " + length);
                assertEquals(reference(s), FeatureHashing.hash64(s));
                // the same chars fed in random parts, some char by char
                FeatureHashing.Murmur parts = new FeatureHashing.Murmur();
                int i = 0;
                while (i < length) {
                    int to = Math.min(length, i + rnd.nextInt(1, 40));
                    if (rnd.nextBoolean()) {
                        parts.add(s, i, to);
                    } else {
                        for (int k = i; k < to; k++) {
                            parts.add(s.charAt(k));
                        }
                    }
                    i = to;
                }
                assertEquals(reference(s), parts.h1(), "length " + length + " in parts");
            }
        }
        for (String mixed : new String[] {"u42" + (char) 0x80 + "x", "0123456789abcde" + (char) 0xe9 + "0123456789", "0123456789abcdef" + (char) 0x4e00}) {
            assertFalse(new FeatureHashing.Murmur().add(mixed, 0, mixed.length()).ascii());
            assertEquals(reference(mixed), FeatureHashing.hash64(mixed), "a non-ASCII char takes the UTF-8 path: " + mixed);
        }
        // a char above 0xff whose low byte is ASCII, inside a whole block
        String wide = "abcdefgh" + (char) 0x141 + "jklmnop";
        assertEquals(reference(wide), FeatureHashing.hash64(wide));
    }

    @Test
    void aRangeHashesAsItsSubstring() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 500; trial++) {
            String s = randomString(rnd, rnd.nextInt(0, 60), trial % 3 == 0 ? 0x3000 : 0x80);
            int from = rnd.nextInt(0, s.length() + 1);
            int to = rnd.nextInt(from, s.length() + 1);
            assertEquals(FeatureHashing.hash64(s.substring(from, to)), FeatureHashing.hash64(s, from, to), s + " [" + from + ", " + to + ")");
            assertEquals(FeatureHashing.bucket(s.substring(from, to), 977), FeatureHashing.bucket(s, from, to, 977));
        }
    }

    @Test
    void aCrossBucketIsTheBucketOfItsJoinedKey() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int trial = 0; trial < 300; trial++) {
            String[] values = new String[rnd.nextInt(1, 4)];
            for (int k = 0; k < values.length; k++) {
                values[k] = randomString(rnd, rnd.nextInt(0, 20), trial % 4 == 0 ? 0x300 : 0x80);
            }
            String key = String.join(String.valueOf(FeatureHashing.CROSS_SEPARATOR), values);
            assertEquals(FeatureHashing.bucket(key, 100_003), FeatureHashing.crossBucket(values, 100_003), key);
        }
    }

    @Test
    void bucketIsFloorModOfTheFirstWord() {
        assertEquals(518, FeatureHashing.bucket("u42", 1000));
        assertEquals(5, FeatureHashing.bucket("café", 7));
        assertEquals(7965, FeatureHashing.bucket("F" + FeatureHashing.CROSS_SEPARATOR + "cat3", 10000));
    }

    @Test
    void matchesGoldenFile() throws IOException {
        List<String[]> rows = goldenRows();
        assertTrue(rows.size() >= 20, "golden file read: " + rows.size() + " rows");
        for (String[] row : rows) {
            String input = unescape(row[0]);
            long h1 = Long.parseLong(row[1]);
            assertEquals(h1, FeatureHashing.hash64(input), "h1 of '" + row[0] + "'");
            assertEquals(Long.parseLong(row[2]), FeatureHashing.bucket(input, 1000), "mod 1000 of '" + row[0] + "'");
            assertEquals(Long.parseLong(row[3]), FeatureHashing.bucket(input, 1_000_003), "mod 1000003 of '" + row[0] + "'");
            assertEquals(Long.parseLong(row[4]), FeatureHashing.bucket(input, 1 << 20), "mod 2^20 of '" + row[0] + "'");
        }
    }

    private static List<String[]> goldenRows() throws IOException {
        try (InputStream in = FeatureHashingTest.class.getResourceAsStream("/golden/murmur3_x64_128.tsv")) {
            List<String[]> rows = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#") && !line.isEmpty()) {
                    String[] row = line.split("\t", -1);
                    assertEquals(5, row.length, line);
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    /** Undoes the file's escapes: backslash-backslash and backslash-u followed by four hex digits. */
    private static String unescape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\') {
                out.append(c);
            } else if (text.charAt(i + 1) == '\\') {
                out.append('\\');
                i++;
            } else {
                out.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
                i += 5;
            }
        }
        return out.toString();
    }
}

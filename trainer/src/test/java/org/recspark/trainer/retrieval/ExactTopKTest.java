package org.recspark.trainer.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExactTopKTest {
    /**
     * Small integer embeddings make every dot product exact in float whatever the GEMM's order of
     * summation, so the blocked search must equal a full sort exactly, and ties are frequent.
     */
    private static float[] integerEmbeddings(SplittableRandom rnd, int rows, int dim) {
        float[] v = new float[rows * dim];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextInt(-2, 3);
        }
        return v;
    }

    /** Sorts every non-excluded item by score (exact, in long arithmetic), then by index. */
    private static int[] naive(float[] users, int user, float[] items, int dim, int[] excluded, int k) {
        Set<Integer> skip = new HashSet<>();
        for (int e : excluded) {
            skip.add(e);
        }
        int numItems = items.length / dim;
        long[] scores = new long[numItems];
        for (int i = 0; i < numItems; i++) {
            long s = 0;
            for (int j = 0; j < dim; j++) {
                s += (long) users[user * dim + j] * (long) items[i * dim + j];
            }
            scores[i] = s;
        }
        return IntStream.range(0, numItems).filter(i -> !skip.contains(i)).boxed()
                .sorted(Comparator.<Integer>comparingLong(i -> -scores[i]).thenComparingInt(i -> i))
                .limit(k).mapToInt(Integer::intValue).toArray();
    }

    @Test
    void blockedSearchEqualsAFullSortWithExclusionsTiesAndKBeyondTheCorpus() {
        SplittableRandom rnd = new SplittableRandom(20);
        for (int trial = 0; trial < 30; trial++) {
            int dim = rnd.nextInt(1, 9);
            int numUsers = rnd.nextInt(1, 60);
            int numItems = rnd.nextInt(1, 120);
            int k = trial % 5 == 0 ? numItems + rnd.nextInt(1, 10) : rnd.nextInt(1, 30);
            float[] users = integerEmbeddings(rnd, numUsers, dim);
            float[] items = integerEmbeddings(rnd, numItems, dim);
            int[][] excluded = new int[numUsers][];
            for (int u = 0; u < numUsers; u++) {
                excluded[u] = u % 7 == 3 ? IntStream.range(0, numItems).toArray()   // every item excluded
                        : rnd.ints(rnd.nextInt(0, 20), 0, numItems).toArray();       // unsorted, may repeat
            }
            // Blocks that do not divide the users or items, so every boundary is crossed.
            ExactTopK search = new ExactTopK(rnd.nextInt(1, 9), rnd.nextInt(1, 17), 1 + trial % 3);
            TopKResult result = search.search(users, items, dim, excluded, k);
            for (int u = 0; u < numUsers; u++) {
                int[] expected = naive(users, u, items, dim, excluded[u], k);
                assertArrayEquals(expected, result.items()[u], "trial " + trial + " user " + u);
                for (int r = 0; r < expected.length; r++) {
                    float dot = 0;
                    for (int j = 0; j < dim; j++) {
                        dot += users[u * dim + j] * items[expected[r] * dim + j];
                    }
                    assertEquals(dot, result.scores()[u][r], "trial " + trial + " user " + u + " rank " + r);
                }
                if (u % 7 == 3) {
                    assertEquals(0, result.items()[u].length, "every item excluded");
                }
            }
        }
    }

    @Test
    void defaultBlocksOnFloatEmbeddingsRankByTheExactScore() {
        SplittableRandom rnd = new SplittableRandom(5);
        int dim = 16;
        int numUsers = 300;
        int numItems = 5000;
        float[] users = new float[numUsers * dim];
        float[] items = new float[numItems * dim];
        for (int i = 0; i < users.length; i++) {
            users[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < items.length; i++) {
            items[i] = (float) rnd.nextGaussian();
        }
        int[][] excluded = new int[numUsers][];
        for (int u = 0; u < numUsers; u++) {
            excluded[u] = rnd.ints(50, 0, numItems).toArray();
        }
        TopKResult result = new ExactTopK(2).search(users, items, dim, excluded, 20);
        for (int u = 0; u < numUsers; u++) {
            Set<Integer> skip = new HashSet<>();
            for (int e : excluded[u]) {
                skip.add(e);
            }
            double[] exact = new double[numItems];
            for (int i = 0; i < numItems; i++) {
                for (int j = 0; j < dim; j++) {
                    exact[i] += (double) users[u * dim + j] * items[i * dim + j];
                }
            }
            int[] top = result.items()[u];
            assertEquals(20, top.length);
            double twentieth = exact[top[19]];
            Set<Integer> kept = new HashSet<>();
            for (int t : top) {
                kept.add(t);
            }
            for (int i = 0; i < numItems; i++) {
                if (!kept.contains(i) && !skip.contains(i)) {
                    // Only rounding of the float GEMM may reorder items whose exact scores differ by less than 1e-4.
                    assertTrue(exact[i] <= twentieth + 1e-4, "user " + u + ": item " + i + " scores " + exact[i] + " above the 20th " + twentieth);
                }
            }
            for (int r = 0; r < top.length; r++) {
                assertTrue(!skip.contains(top[r]), "excluded item " + top[r] + " ranked for user " + u);
                assertEquals(exact[top[r]], result.scores()[u][r], 1e-4);
            }
        }
    }

    @Test
    void nanScoresAndMismatchedShapesAreRefused() {
        ExactTopK search = new ExactTopK(1);
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> search.search(new float[] {1, 0}, new float[] {Float.NaN, 0, 1, 1}, 2, new int[1][0], 5));
        assertEquals("the score of user 0 and item 0 is NaN: the embeddings hold NaN or infinite values", nan.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> search.search(new float[] {1, 0, 1}, new float[] {0, 1}, 2, new int[1][0], 5));
        assertEquals("embeddings of 3 and 2 floats are not whole rows of dim 2", shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> search.search(new float[] {1, 0}, new float[] {0, 1}, 2, new int[2][0], 5));
    }
}

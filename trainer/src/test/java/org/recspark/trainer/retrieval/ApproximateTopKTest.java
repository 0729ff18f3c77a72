package org.recspark.trainer.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ApproximateTopKTest {
    private static final double RECALL_AT_DEFAULTS = 0.95;

    /**
     * Items and users around shared random centres (users nearer theirs): a corpus with the
     * structure of trained embeddings, where an approximate index's recall means something. With
     * {@code unit} every row is normalised; otherwise norms vary by a random factor in [0.5, 1.5).
     */
    private static float[] clustered(SplittableRandom rnd, float[] centres, int rows, int dim, double spread, boolean unit) {
        int numCentres = centres.length / dim;
        float[] out = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            int c = rnd.nextInt(numCentres);
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                out[r * dim + j] = (float) (centres[c * dim + j] + spread * rnd.nextGaussian());
                norm += out[r * dim + j] * out[r * dim + j];
            }
            double scale = unit ? 1 / Math.sqrt(norm) : 0.5 + rnd.nextDouble();
            for (int j = 0; j < dim; j++) {
                out[r * dim + j] *= (float) scale;
            }
        }
        return out;
    }

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) rnd.nextGaussian();
        }
        return out;
    }

    /** Per user, the exact top 10 items without exclusion plus 10 random ones: the best candidates are the ones left out. */
    private static int[][] excludingTheBest(SplittableRandom rnd, float[] users, float[] items, int dim) {
        TopKResult unfiltered = new ExactTopK(2).search(users, items, dim, new int[users.length / dim][0], 10);
        int[][] excluded = new int[users.length / dim][];
        for (int u = 0; u < excluded.length; u++) {
            excluded[u] = IntStream.concat(Arrays.stream(unfiltered.items()[u]), rnd.ints(10, 0, items.length / dim)).toArray();
        }
        return excluded;
    }

    private static void assertRecallAtDefaults(EmbeddingSimilarity similarity, boolean unit) {
        assertRecallAtDefaults(similarity, unit, 1);
    }

    private static void assertRecallAtDefaults(EmbeddingSimilarity similarity, boolean unit, int buildThreads) {
        SplittableRandom rnd = new SplittableRandom(7);
        int dim = 32;
        float[] centres = gaussian(rnd, 200 * dim);
        float[] items = clustered(rnd, centres, 20_000, dim, 0.5, unit);
        float[] users = clustered(rnd, centres, 1_000, dim, 0.3, unit);
        int[][] excluded = excludingTheBest(rnd, users, items, dim);
        int k = 20;

        TopKResult exact = new ExactTopK(2).search(users, items, dim, excluded, k);
        TopKResult approximate = new ApproximateTopK(AnnParameters.defaults(), similarity, 2, buildThreads).search(users, items, dim, excluded, k);

        double recall = approximate.recallAgainst(exact);
        assertTrue(recall >= RECALL_AT_DEFAULTS, similarity + " recall@20 " + recall + " < " + RECALL_AT_DEFAULTS);
        for (int u = 0; u < excluded.length; u++) {
            assertEquals(k, approximate.items()[u].length, "user " + u);
            for (int r = 0; r < k; r++) {
                int item = approximate.items()[u][r];
                int user = u;
                assertTrue(Arrays.stream(excluded[u]).noneMatch(e -> e == item), "user " + u + " got excluded item " + item);
                float score = approximate.scores()[u][r];
                double dot = IntStream.range(0, dim).mapToDouble(j -> users[user * dim + j] * items[item * dim + j]).sum();
                assertEquals(dot, score, 1e-4, "the score is the exact inner product");
                if (r > 0) {
                    assertTrue(approximate.scores()[u][r - 1] >= score, "best first, user " + u);
                }
            }
        }
    }

    @Test
    void innerProductRecallAt20AgainstExactSearchIsAtLeast095AtDefaultsAndNoExcludedItemIsReturned() {
        assertRecallAtDefaults(EmbeddingSimilarity.INNER_PRODUCT, false);
    }

    @Test
    void cosineRecallAt20AgainstExactSearchIsAtLeast095AtDefaultsAndNoExcludedItemIsReturned() {
        assertRecallAtDefaults(EmbeddingSimilarity.COSINE, true);
    }

    @Test
    void aGraphBuiltOnTwoThreadsReachesTheSameRecall() {
        assertRecallAtDefaults(EmbeddingSimilarity.COSINE, true, 2);
    }

    @Test
    void aTooSmallGraphAndSearchListMissTheThreshold() {
        SplittableRandom rnd = new SplittableRandom(8);
        int dim = 32;
        float[] centres = gaussian(rnd, 200 * dim);
        float[] items = clustered(rnd, centres, 20_000, dim, 0.5, false);
        float[] users = clustered(rnd, centres, 500, dim, 0.3, false);
        int[][] none = new int[500][0];
        TopKResult exact = new ExactTopK(2).search(users, items, dim, none, 20);
        double recall = new ApproximateTopK(new AnnParameters(2, 2, 1), EmbeddingSimilarity.INNER_PRODUCT, 2)
                .search(users, items, dim, none, 20).recallAgainst(exact);
        assertTrue(recall < RECALL_AT_DEFAULTS, "degree 2, beam width 2, overquery 1: recall@20 " + recall);
    }

    @Test
    void sameEmbeddingsAndParametersGiveTheSameRankingsWhateverTheThreads() {
        SplittableRandom rnd = new SplittableRandom(9);
        int dim = 16;
        float[] items = gaussian(rnd, 5_000 * dim);
        float[] users = gaussian(rnd, 300 * dim);
        int[][] excluded = new int[300][];
        for (int u = 0; u < excluded.length; u++) {
            excluded[u] = rnd.ints(15, 0, 5_000).toArray();
        }
        AnnParameters small = new AnnParameters(8, 20, 1);
        TopKResult first = new ApproximateTopK(small, EmbeddingSimilarity.INNER_PRODUCT, 1).search(users, items, dim, excluded, 10);
        TopKResult second = new ApproximateTopK(small, EmbeddingSimilarity.INNER_PRODUCT, 2).search(users, items, dim, excluded, 10);
        for (int u = 0; u < excluded.length; u++) {
            assertArrayEquals(first.items()[u], second.items()[u], "user " + u);
            assertArrayEquals(first.scores()[u], second.scores()[u], "user " + u);
        }
    }

    @Test
    void usersWithFewItemsLeftGetExactlyTheExactRanking() {
        SplittableRandom rnd = new SplittableRandom(10);
        int dim = 8;
        int numItems = 300;
        float[] items = gaussian(rnd, numItems * dim);
        float[] users = gaussian(rnd, 3 * dim);
        int[][] excluded = {
            IntStream.range(0, numItems).toArray(),          // nothing left
            IntStream.range(0, numItems - 5).toArray(),      // fewer items left than K
            IntStream.range(0, numItems - 90).toArray(),     // fewer than the search list (overquery 10 x K 10)
        };
        TopKResult exact = new ExactTopK(1).search(users, items, dim, excluded, 10);
        TopKResult approximate = new ApproximateTopK(AnnParameters.defaults(), EmbeddingSimilarity.INNER_PRODUCT, 1)
                .search(users, items, dim, excluded, 10);
        assertEquals(0, approximate.items()[0].length);
        assertEquals(5, approximate.items()[1].length);
        for (int u = 0; u < 3; u++) {
            assertArrayEquals(exact.items()[u], approximate.items()[u], "user " + u);
        }
    }

    @Test
    void cosineNeedsUnitItemEmbeddings() {
        float[] items = {1, 0, 0, 2};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ItemGraphIndex.build(items, 2, EmbeddingSimilarity.COSINE, AnnParameters.defaults()));
        assertTrue(e.getMessage().contains("item 1 has norm 2.0"), e.getMessage());
    }

    @Test
    void parametersNameTheBadField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AnnParameters(1, 10, 1)).getMessage().startsWith("degree"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AnnParameters(16, 8, 1)).getMessage().startsWith("beam width"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AnnParameters(16, 32, 0)).getMessage().startsWith("overquery"));
    }

    @Test
    void recallCountsTheReferencePairsFound() {
        TopKResult reference = new TopKResult(new int[][] {{1, 2}, {3, 4}}, new float[2][2]);
        TopKResult result = new TopKResult(new int[][] {{2, 9}, {4, 3}}, new float[2][2]);
        assertEquals(0.75, result.recallAgainst(reference), 1e-12);
    }
}

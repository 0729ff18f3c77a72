package org.recspark.evaluator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RankingAccumulatorTest {

    @Test
    void metricsByHand() {
        RankingAccumulator at2 = new RankingAccumulator(2);
        float[] scores = {0.1f, 0.9f, 0.5f, 0.7f};      // ranking: 1, 3, 2, 0
        at2.addQuery(scores, new int[] {3});            // at rank 2: recall 1, hit 1, ndcg 1/log2(3)
        at2.addQuery(scores, new int[] {0, 1});         // item 1 at rank 1, item 0 outside: recall 0.5, ndcg 1/(1 + 1/log2(3))
        at2.addQuery(scores, new int[] {2});            // rank 3: nothing
        at2.addQuery(scores, new int[0]);               // skipped
        double log3 = Math.log(3) / Math.log(2);
        assertEquals((1 + 0.5 + 0) / 3, at2.recall(), 1e-12);
        assertEquals(2.0 / 3, at2.hitRate(), 1e-12);
        assertEquals((1 / log3 + 1 / (1 + 1 / log3) + 0) / 3, at2.ndcg(), 1e-12);
        assertEquals((0.5 + 1 + 0) / 3, at2.mrr(), 1e-12);
        assertEquals(3, at2.queries());
        assertEquals(1, at2.skippedQueries());
    }

    @Test
    void configuredRankingMetricsByHandFromRankingsShorterThanK() {
        List<RankingMetric> metrics = List.of(new RankingMetric(RankingMetric.Kind.RECALL, 3), new RankingMetric(RankingMetric.Kind.MRR, 3),
                new RankingMetric(RankingMetric.Kind.HIT_RATE, 1), new RankingMetric(RankingMetric.Kind.NDCG, 3));
        int[][] rankings = {
                {7, 4, 9},  // relevant 4 and 5: 4 at rank 2
                {2},        // all but one item excluded: relevant 2 at rank 1
                {},         // every item excluded: relevant 3 cannot be found
                {1, 2, 3}}; // no relevant item: skipped
        int[][] relevant = {{4, 5}, {2}, {3}, {}};
        Map<String, Double> v = RankingMetric.compute(metrics, rankings, relevant);
        assertEquals(List.of("recall@3", "mrr@3", "hit_rate@1", "ndcg@3"), List.copyOf(v.keySet()));
        assertEquals((0.5 + 1 + 0) / 3, v.get("recall@3"), 1e-12);
        assertEquals((0.5 + 1 + 0) / 3, v.get("mrr@3"), 1e-12);
        assertEquals((0 + 1 + 0) / 3.0, v.get("hit_rate@1"), 1e-12);
        double log3 = Math.log(3) / Math.log(2);
        // query 0: DCG 1/log2(3), ideal DCG with two relevant items 1 + 1/log2(3)
        assertEquals(((1 / log3) / (1 + 1 / log3) + 1 + 0) / 3, v.get("ndcg@3"), 1e-12);
    }

    @Test
    void topKIsExactWithLowerIndexWinningTies() {
        assertArrayEquals(new int[] {1, 3}, RankingAccumulator.topK(new float[] {0.1f, 0.9f, 0.5f, 0.9f}, 2));
        SplittableRandom rnd = new SplittableRandom(3);
        for (int trial = 0; trial < 100; trial++) {
            int n = rnd.nextInt(1, 300);
            int k = rnd.nextInt(1, 50);
            float[] scores = new float[n];
            for (int i = 0; i < n; i++) {
                scores[i] = rnd.nextInt(30);
            }
            int[] expected = IntStream.range(0, n).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, RankingAccumulator.topK(scores, k), "trial " + trial);
        }
    }

    @Test
    void mergedEqualsOnePass() {
        SplittableRandom rnd = new SplittableRandom(4);
        RankingAccumulator whole = new RankingAccumulator(10);
        RankingAccumulator a = new RankingAccumulator(10);
        RankingAccumulator b = new RankingAccumulator(10);
        for (int q = 0; q < 200; q++) {
            float[] scores = new float[500];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = (float) rnd.nextDouble();
            }
            int[] relevant = rnd.ints(rnd.nextInt(0, 4), 0, 500).toArray();
            whole.addQuery(scores, relevant);
            (q % 2 == 0 ? a : b).addQuery(scores, relevant);
        }
        a.merge(b);
        assertEquals(whole.recall(), a.recall(), 1e-12);
        assertEquals(whole.hitRate(), a.hitRate(), 1e-12);
        assertEquals(whole.ndcg(), a.ndcg(), 1e-12);
        assertEquals(whole.skippedQueries(), a.skippedQueries());
        assertEquals(200, whole.queries() + whole.skippedQueries());
    }
}

package org.recspark.bench.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recspark.evaluator.RankingMetric;
import org.recspark.sampledata.MovieLens100k.Rating;

class HeldOutRankingTest {
    private static final int[] CATALOGUE = {5, 3, 1, 4, 2};

    /**
     * Users 1-3 rated before the cut; after it user 1 likes item 3 (new) and item 1 again (seen:
     * not relevant), dislikes item 4; user 2 likes item 4; user 3 only dislikes; user 4 likes an
     * item but rated nothing before.
     */
    private static HeldOutRanking task() {
        List<Rating> training = List.of(new Rating(1, 1, 5, 10), new Rating(1, 2, 2, 11), new Rating(2, 1, 4, 12), new Rating(3, 3, 5, 13));
        List<Rating> heldOut = List.of(new Rating(1, 3, 5, 20), new Rating(1, 1, 5, 21), new Rating(1, 4, 3, 22), new Rating(2, 4, 4, 23),
                new Rating(3, 2, 1, 24), new Rating(4, 1, 5, 25));
        return new HeldOutRanking(training, heldOut, CATALOGUE, 4);
    }

    @Test
    void queryUsersNeedANewLikedItemAndAnEarlierRating() {
        HeldOutRanking t = task();
        assertArrayEquals(new int[]{1, 2, 3, 4, 5}, t.itemIds());
        assertArrayEquals(new int[]{1, 2}, t.queryUsers());
        assertArrayEquals(new int[]{0, 1}, t.excluded(0), "every item user 1 rated before the cut, disliked ones too");
        assertArrayEquals(new int[]{2}, t.relevant(0), "item 3 only: item 1 was seen, item 4 disliked");
        assertArrayEquals(new int[]{0}, t.excluded(1));
        assertArrayEquals(new int[]{3}, t.relevant(1));
        assertEquals(2, t.relevantPairs());
        assertEquals(List.of(new Rating(1, 1, 5, 10), new Rating(2, 1, 4, 12), new Rating(3, 3, 5, 13)), t.trainingPositives());
    }

    @Test
    void evaluatesEmbeddingsWithTheExcludedItemsLeftOut() {
        HeldOutRanking t = task();
        // one dimension: items score 5, 4, 3, 2, 1 in corpus order for both users
        Embeddings e = new Embeddings(new float[]{1, 1}, new float[]{5, 4, 3, 2, 1}, 1);
        Map<String, Double> m = t.evaluate(e, List.of(new RankingMetric(RankingMetric.Kind.RECALL, 1),
                new RankingMetric(RankingMetric.Kind.HIT_RATE, 3)), 1);
        // user 1's best unseen item is index 2 (relevant); user 2's is index 1, then 2, 3 (relevant at rank 3)
        assertEquals(0.5, m.get("recall@1"), 1e-12);
        assertEquals(1.0, m.get("hit_rate@3"), 1e-12);
    }

    @Test
    void refusesWrongShapesAndUnknownItems() {
        HeldOutRanking t = task();
        assertThrows(IllegalArgumentException.class, () -> t.evaluate(new Embeddings(new float[3], new float[5], 1),
                List.of(new RankingMetric(RankingMetric.Kind.RECALL, 1)), 1));
        assertThrows(IllegalArgumentException.class, () -> new HeldOutRanking(List.of(new Rating(1, 9, 5, 1)), List.of(), CATALOGUE, 4));
    }
}

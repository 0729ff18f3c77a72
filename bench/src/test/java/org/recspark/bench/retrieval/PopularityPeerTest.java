package org.recspark.bench.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.sampledata.MovieLens100k.Rating;

class PopularityPeerTest {
    @Test
    void itemsScoreTheirTrainingPositiveCount() {
        List<Rating> training = List.of(new Rating(1, 2, 5, 1), new Rating(2, 2, 4, 2), new Rating(3, 2, 1, 3), new Rating(3, 3, 4, 4),
                new Rating(1, 1, 3, 5));
        HeldOutRanking task = new HeldOutRanking(training, List.of(new Rating(1, 3, 5, 9), new Rating(2, 1, 4, 9)), new int[]{1, 2, 3}, 4);
        Embeddings e = PopularityPeer.embed(task);
        assertEquals(1, e.dim());
        assertArrayEquals(new float[]{0, 2, 1}, e.items(), "a rating below 4 counts for nothing");
        assertArrayEquals(new float[]{1, 1}, e.users());
    }
}

package org.recspark.bench.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.sampledata.MovieLens100k.Rating;

class PerUserTimeSplitTest {
    private static final int[] CATALOGUE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

    @Test
    void holdsOutEachUsersOwnLastRatings() {
        // user 1 rates items 1..10 at times 1..10; user 2 rates items 11..15 at times 101..105 (all after user 1)
        List<Rating> ratings = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            ratings.add(new Rating(1, i, 5, i));
        }
        for (int i = 11; i <= 15; i++) {
            ratings.add(new Rating(2, i, 5, 90 + i));
        }
        PerUserTimeSplit split = new PerUserTimeSplit(ratings, 0.2, 0.4);
        HeldOutRanking validation = split.validation(CATALOGUE, 4);
        HeldOutRanking test = split.test(CATALOGUE, 4);
        // user 1: training 1..4, validation 5..8, test 9, 10; user 2 (5 ratings, floor 2 and 1): training 11, 12, validation 13, 14, test 15
        assertEquals(List.of(1, 2, 3, 4, 11, 12), validation.training().stream().map(Rating::itemId).toList());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14), test.training().stream().map(Rating::itemId).toList());
        assertArrayEquals(new int[]{1, 2}, validation.queryUsers());
        assertArrayEquals(new int[]{1, 2}, test.queryUsers());
        assertArrayEquals(new int[]{4, 5, 6, 7}, validation.relevant(0));
        assertArrayEquals(new int[]{12, 13}, validation.relevant(1));
        assertArrayEquals(new int[]{8, 9}, test.relevant(0));
        assertArrayEquals(new int[]{14}, test.relevant(1));
    }

    @Test
    void ordersEachUserByTimeNotByInput() {
        // given in reverse time order: items 5, 4, 3, 2, 1 at times 50, 40, 30, 20, 10
        List<Rating> ratings = new ArrayList<>();
        for (int i = 5; i >= 1; i--) {
            ratings.add(new Rating(7, i, 4, 10L * i));
        }
        HeldOutRanking test = new PerUserTimeSplit(ratings, 0.2, 0.2).test(CATALOGUE, 4);
        assertEquals(List.of(1, 2, 3, 4), test.training().stream().map(Rating::itemId).toList());
        assertArrayEquals(new int[]{4}, test.relevant(0));
    }

    @Test
    void refusesFractionsThatLeaveNoTraining() {
        assertThrows(IllegalArgumentException.class, () -> new PerUserTimeSplit(List.of(), 0.5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new PerUserTimeSplit(List.of(), 0.2, 0));
    }
}

package org.recspark.bench.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.sampledata.MovieLens100k.Rating;

class TimeCutSplitTest {
    private static final int[] CATALOGUE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    @Test
    void cutsByTimeWithValidationCarvedFromTraining() {
        // ten ratings of user 1, item i at time 100 - 10 i, given in reverse time order
        List<Rating> ratings = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            ratings.add(new Rating(1, i, 5, 100 - 10L * i));
        }
        TimeCutSplit split = new TimeCutSplit(ratings, 0.2, 0.3);
        HeldOutRanking validation = split.validation(CATALOGUE, 4);
        HeldOutRanking test = split.test(CATALOGUE, 4);
        // by time the items are 10, 9, ..., 1: training 10..6, validation 5, 4, 3, test 2, 1
        assertEquals(List.of(10, 9, 8, 7, 6), validation.training().stream().map(Rating::itemId).toList());
        assertEquals(List.of(10, 9, 8, 7, 6, 5, 4, 3), test.training().stream().map(Rating::itemId).toList());
        assertEquals(3, validation.relevantPairs());
        assertEquals(2, test.relevantPairs());
        assertEquals(50, split.validationCut());
        assertEquals(80, split.testCut());
    }

    @Test
    void equalTimestampsKeepTheirInputOrder() {
        List<Rating> ratings = List.of(new Rating(1, 3, 5, 7), new Rating(1, 1, 5, 7), new Rating(1, 2, 5, 7), new Rating(1, 4, 5, 7));
        HeldOutRanking test = new TimeCutSplit(ratings, 0.25, 0.25).test(CATALOGUE, 4);
        assertEquals(List.of(3, 1, 2), test.training().stream().map(Rating::itemId).toList());
    }

    @Test
    void refusesFractionsThatLeaveNoTraining() {
        assertThrows(IllegalArgumentException.class, () -> new TimeCutSplit(List.of(), 0.5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new TimeCutSplit(List.of(), 0, 0.1));
    }
}

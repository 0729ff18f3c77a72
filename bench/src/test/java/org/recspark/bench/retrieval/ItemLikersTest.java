package org.recspark.bench.retrieval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.sampledata.MovieLens100k.Rating;

class ItemLikersTest {
    private static final long DAY = 24 * 3600L;

    @Test
    void aBagHoldsOnlyLikesStrictlyBeforeItsTimeMostRecentFirst() {
        ItemLikers likers = new ItemLikers(10, 30 * DAY);
        for (Rating r : List.of(new Rating(1, 7, 5, 100), new Rating(2, 7, 4, 200), new Rating(3, 8, 4, 250),
                new Rating(4, 7, 5, 300), new Rating(5, 7, 4, 300))) {
            likers.record(r);
        }
        assertEquals("", likers.likersBefore(7, 100), "the like at the time itself does not enter");
        assertEquals("1", likers.likersBefore(7, 101));
        assertEquals("2|1", likers.likersBefore(7, 300), "both likes at 300 are left out at 300");
        assertEquals("5|4|2|1", likers.likersBefore(7, 301));
        assertEquals("3", likers.likersBefore(8, 1_000));
        assertEquals("", likers.likersBefore(9, 1_000), "an item nobody liked has an empty bag");
    }

    @Test
    void aBagOfEveryRecordedLikeLeavesTheRowsOwnUserOut() {
        ItemLikers likers = new ItemLikers(10, DAY);
        for (Rating r : List.of(new Rating(1, 7, 5, 100), new Rating(2, 7, 4, 200), new Rating(3, 7, 4, 300))) {
            likers.record(r);
        }
        assertEquals("3|1", likers.likersBefore(7, Long.MAX_VALUE, 2));
        assertEquals("3|2|1", likers.likersBefore(7, Long.MAX_VALUE, ItemLikers.NO_USER));
    }

    @Test
    void aBagKeepsTheMostRecentLikers() {
        ItemLikers likers = new ItemLikers(2, DAY);
        for (int u = 1; u <= 5; u++) {
            likers.record(new Rating(u, 7, 5, u * 10L));
        }
        assertEquals("5|4", likers.likersBefore(7, 1_000));
        assertEquals("3|2", likers.likersBefore(7, 40));
    }

    @Test
    void recentLikesCountTheWindowBeforeTheTimeOnly() {
        ItemLikers likers = new ItemLikers(10, 10 * DAY);
        for (long day : new long[]{0, 5, 12, 14, 20, 20}) {
            likers.record(new Rating((int) day + 1, 7, 4, day * DAY));
        }
        assertEquals(2, likers.recentLikes(7, 20 * DAY), "days 12 and 14; the two at day 20 itself left out, day 5 too old");
        assertEquals(4, likers.recentLikes(7, 21 * DAY));
        assertEquals(3, likers.recentLikes(7, 15 * DAY), "the window's first second (day 5) counts");
    }

    @Test
    void likesOutOfTimeOrderAreRefused() {
        ItemLikers likers = new ItemLikers(10, DAY);
        likers.record(new Rating(1, 7, 5, 100));
        assertThrows(IllegalArgumentException.class, () -> likers.record(new Rating(2, 7, 5, 99)));
        assertThrows(IllegalArgumentException.class, () -> new ItemLikers(0, DAY));
    }
}

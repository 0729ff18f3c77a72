package org.recspark.bench.retrieval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class HistoryRowsTest {
    @Test
    void parsesTheThreeForms() {
        assertEquals(HistoryRows.NEXT, HistoryRows.parse("next"));
        assertEquals(new HistoryRows(true, 2, 10), HistoryRows.parse(" next+2@10 "));
        assertEquals(new HistoryRows(false, 1, 5), HistoryRows.parse("gap@5"));
        assertEquals("next+2@10", HistoryRows.parse("next+2@10").toString());
        assertEquals("gap@5", HistoryRows.parse("gap@5").toString());
    }

    @Test
    void refusesMalformedOrEmptyWindows() {
        for (String bad : new String[]{"", "last", "next+2", "next+0@10", "next+2@0", "gap@0", "gap@x", "next+-1@3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HistoryRows.parse(bad), bad);
            assertTrue(e.getMessage().contains("next, next+R@W or gap@W"), e.getMessage());
        }
    }

    @Test
    void nextItemRowsHaveGapZeroOnly() {
        assertArrayEquals(new int[]{0}, HistoryRows.NEXT.gaps(7, new Random(1)));
    }

    @Test
    void extraRowsCutTheHistoryBetweenOneAndTheWindowOrTheLikesAvailable() {
        HistoryRows rows = HistoryRows.parse("next+2@3");
        assertArrayEquals(new int[]{0}, rows.gaps(0, new Random(1)), "a user's first like has no earlier history to cut");
        assertArrayEquals(new int[]{0, 1, 1}, rows.gaps(1, new Random(1)));
        Set<Integer> seen = new TreeSet<>();
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            int[] gaps = rows.gaps(10, random);
            assertEquals(3, gaps.length);
            assertEquals(0, gaps[0]);
            seen.add(gaps[1]);
            seen.add(gaps[2]);
        }
        assertEquals(Set.of(1, 2, 3), seen);
    }

    @Test
    void gapRowsReplaceTheNextItemRowWithADrawIncludingZero() {
        HistoryRows rows = HistoryRows.parse("gap@4");
        Set<Integer> seen = new TreeSet<>();
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            int[] gaps = rows.gaps(2, random);
            assertEquals(1, gaps.length);
            seen.add(gaps[0]);
        }
        assertEquals(Set.of(0, 1, 2), seen);
    }
}

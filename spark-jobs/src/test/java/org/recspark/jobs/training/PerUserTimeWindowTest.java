package org.recspark.jobs.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The row-by-row side of a leave-last-out split: each user's rows go by that user's cuts. */
class PerUserTimeWindowTest {
    private static final long ANN = SampleTableReader.groupKey("ann");
    private static final long BOB = SampleTableReader.groupKey("bob");
    /** ann: last at 30, the one before at 20; bob: one time only (before = last). */
    private static final Map<Long, double[]> CUTS = Map.of(ANN, new double[]{20, 30}, BOB, new double[]{50, 50});

    private static boolean keep(int from, int to, double time, long user) {
        return new RowSelection.PerUserTimeWindow("ts", "user_id", CUTS, from, to).open(null).keep(time, user);
    }

    @Test
    void trainingEvaluationAndTestTakeTheRowsBeforeBetweenAndFromTheUsersCuts() {
        for (double t : List.of(5.0, 19.0)) {
            assertTrue(keep(-1, 0, t, ANN) && !keep(0, 1, t, ANN) && !keep(1, 2, t, ANN), "ann at " + t + " trains");
        }
        for (double t : List.of(20.0, 29.0)) {
            assertTrue(!keep(-1, 0, t, ANN) && keep(0, 1, t, ANN) && !keep(1, 2, t, ANN), "ann at " + t + " evaluates");
        }
        assertTrue(!keep(-1, 0, 30, ANN) && !keep(0, 1, 30, ANN) && keep(1, 2, 30, ANN), "ann's last row is the test row");
        assertTrue(keep(-1, 0, 49, BOB), "bob before his only time trains");
        assertTrue(!keep(0, 1, 50, BOB) && keep(1, 2, 50, BOB), "bob's one time is his test rows; he has no evaluation rows");
    }

    @Test
    void rowsWithoutATimeOrOfAnUnknownUserAreInNoPart() {
        long stranger = SampleTableReader.groupKey("carl");
        for (int[] window : new int[][]{{-1, 0}, {0, 1}, {1, 2}}) {
            assertFalse(keep(window[0], window[1], Double.NaN, ANN));
            assertFalse(keep(window[0], window[1], 10, stranger));
        }
    }

    @Test
    void theStreamDecodesTheTimeAndTheUser() {
        RowSelection selection = new RowSelection.PerUserTimeWindow("ts", "user_id", CUTS, 0, 1);
        assertEquals(Optional.of("ts"), selection.selectedBy());
        assertEquals(Optional.of("user_id"), selection.perUser());
    }
}

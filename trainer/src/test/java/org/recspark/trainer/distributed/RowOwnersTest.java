package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RowOwnersTest {

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 4, 7})
    void consecutiveAndStridedIdsSpreadEvenlyOverTheRanks(int ranks) {
        int ids = 30_000;
        for (long stride : new long[]{1, ranks, 1L << 32}) {
            int[] rows = new int[ranks];
            for (int i = 0; i < ids; i++) {
                int owner = RowOwners.ownerOf(0, -ids / 2L * stride + i * stride, ranks);
                assertTrue(owner >= 0 && owner < ranks, "owner " + owner + " of " + ranks);
                rows[owner]++;
            }
            for (int r = 0; r < ranks; r++) {
                assertEquals(ids / (double) ranks, rows[r], 0.05 * ids / ranks, "stride " + stride + ": rows of rank " + r);
            }
        }
    }

    @Test
    void theOwnerIsAFunctionOfTableAndIdAlone() {
        assertEquals(RowOwners.ownerOf(3, 12345L, 5), RowOwners.ownerOf(3, 12345L, 5));
        assertEquals(0, RowOwners.ownerOf(2, 99L, 1), "a ring of one owns everything");
    }

    @Test
    void tablesDoNotShareOneAssignment() {
        int differ = 0;
        for (long id = 0; id < 1000; id++) {
            differ += RowOwners.ownerOf(0, id, 2) != RowOwners.ownerOf(1, id, 2) ? 1 : 0;
        }
        assertNotEquals(0, differ);
        assertEquals(500, differ, 75, "ids owned by different ranks in two tables");
    }
}

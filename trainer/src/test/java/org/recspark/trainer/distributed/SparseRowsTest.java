package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Summing sparse rows by id: each id once, ascending, folded in part order. */
class SparseRowsTest {

    @Test
    void sumsEqualIdsInPartOrderAndSortsById() {
        SparseRows a = new SparseRows(2, new long[] {9, -3, 9}, new float[] {1, 2, 3, 4, 5, 6});
        SparseRows b = new SparseRows(2, new long[] {4, 9}, new float[] {7, 8, 0.5f, 0.25f});
        SparseRows sum = SparseRows.sumById(List.of(a, b));
        assertArrayEquals(new long[] {-3, 4, 9}, sum.ids(), "each id once, ascending signed order");
        assertArrayEquals(new float[] {3, 4, 7, 8, 6.5f, 8.25f}, sum.rows(), "rows of id 9: (1 + 5) + 0.5, (2 + 6) + 0.25");
        assertEquals(2, sum.dim(), "dim kept");
    }

    @Test
    void foldsLeftInPartOrder() {
        SparseRows first = new SparseRows(1, new long[] {1}, new float[] {1});
        SparseRows big = new SparseRows(1, new long[] {1}, new float[] {1e8f});
        SparseRows minusBig = new SparseRows(1, new long[] {1}, new float[] {-1e8f});
        assertArrayEquals(new float[] {0}, SparseRows.sumById(List.of(first, big, minusBig)).rows(), "(1 + 1e8) - 1e8");
        assertArrayEquals(new float[] {1}, SparseRows.sumById(List.of(big, minusBig, first)).rows(), "(1e8 - 1e8) + 1");
    }

    @Test
    void aLoneRowIsCopiedBitForBit() {
        SparseRows negativeZero = new SparseRows(1, new long[] {5}, new float[] {-0.0f});
        SparseRows sum = SparseRows.sumById(List.of(SparseRows.empty(1), negativeZero));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(sum.rows()[0]), "-0.0 stays -0.0");
    }

    @Test
    void rejectsMismatchedShapes() {
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> new SparseRows(3, new long[] {1, 2}, new float[5]));
        assertTrue(rows.getMessage().contains("ids.length * dim = 2 * 3 floats, got 5"), rows.getMessage());
        IllegalArgumentException dims = assertThrows(IllegalArgumentException.class,
                () -> SparseRows.sumById(List.of(SparseRows.empty(2), SparseRows.empty(3))));
        assertTrue(dims.getMessage().contains("dim 2, got 3"), dims.getMessage());
    }
}

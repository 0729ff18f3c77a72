package org.recspark.model.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Touched rows in first-touch order, merged row by row. */
class SparseGradientTest {

    private static void add(SparseGradient g, int slot, float... row) {
        int offset = g.offsetOf(slot);
        for (int j = 0; j < row.length; j++) {
            g.rows()[offset + j] += row[j];
        }
    }

    private static float[] rowOf(SparseGradient g, int slot) {
        int offset = g.offsetIfPresent(slot);
        return offset < 0 ? null : Arrays.copyOfRange(g.rows(), offset, offset + g.dim());
    }

    @Test
    void rowsAreAddedOnFirstTouch() {
        SparseGradient g = new SparseGradient(2);
        assertEquals(-1, g.offsetIfPresent(5), "untouched");
        add(g, 5, 1, 2);
        add(g, 3, 3, 4);
        add(g, 5, 10, 20);
        assertEquals(2, g.size(), "two rows");
        assertEquals(5, g.slot(0), "first-touch order");
        assertEquals(3, g.slot(1), "first-touch order");
        assertArrayEquals(new float[] {11, 22}, rowOf(g, 5), "accumulated");
        assertEquals(2, g.offsetIfPresent(3), "row 1 starts at dim");
    }

    @Test
    void addAllSumsSharedRowsAndAppendsNewOnes() {
        SparseGradient a = new SparseGradient(2);
        add(a, 5, 1, 2);
        add(a, 2, 3, 4);
        SparseGradient b = new SparseGradient(2);
        add(b, 2, 0.5f, -1);
        add(b, 7, 6, 7);
        a.addAll(b);
        assertEquals(3, a.size(), "union of rows");
        assertArrayEquals(new int[] {5, 2, 7}, new int[] {a.slot(0), a.slot(1), a.slot(2)}, "a's rows first, then b's new ones");
        assertArrayEquals(new float[] {1, 2}, rowOf(a, 5), "only in a");
        assertArrayEquals(new float[] {3.5f, 3}, rowOf(a, 2), "in both");
        assertArrayEquals(new float[] {6, 7}, rowOf(a, 7), "only in b");
        assertArrayEquals(new float[] {0.5f, -1}, rowOf(b, 2), "b is unchanged");
    }

    @Test
    void addAllGrowsPastTheInitialCapacity() {
        SparseGradient a = new SparseGradient(3);
        SparseGradient b = new SparseGradient(3);
        for (int slot = 0; slot < 200; slot++) {
            add(a, slot * 2, slot, 1, 0);
            add(b, slot * 3, 0, 1, slot);
        }
        a.addAll(b);
        // slots 0, 6, 12, ... are in both; 2, 4, 8, ... in a only; 3, 9, ... in b only
        assertEquals(200 + 200 - 67, a.size(), "union of 200 even and 200 multiple-of-3 slots below 600");
        assertArrayEquals(new float[] {9, 2, 6}, rowOf(a, 18), "slot 18 = 2 * 9 = 3 * 6");
        assertArrayEquals(new float[] {4, 1, 0}, rowOf(a, 8), "slot 8 only in a");
        assertArrayEquals(new float[] {0, 1, 199}, rowOf(a, 597), "slot 597 only in b");
    }
}

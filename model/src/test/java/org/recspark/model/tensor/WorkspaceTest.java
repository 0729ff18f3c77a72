package org.recspark.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Arrays handed out again, by position and length, once a new pass begins. */
class WorkspaceTest {

    @Test
    void aPassGetsDistinctArraysAndTheNextPassTheSameOnesAgain() {
        Workspace w = new Workspace();
        w.begin();
        float[] a = w.take(4);
        float[] b = w.take(4);
        float[] c = w.take(2);
        assertNotSame(a, b, "one pass never shares an array");
        w.begin();
        assertSame(a, w.take(4));
        assertSame(b, w.take(4));
        assertNotSame(c, w.take(3), "another length is a new array");
        assertEquals(13, w.retainedFloats(), "the 3 replaced the 2, which its position keeps for a pass of the former shape");
    }

    @Test
    void passesOfTwoShapesInTurnReuseTheArraysOfBoth() {
        Workspace w = new Workspace();
        w.begin();
        float[] full = w.take(8);
        w.begin();
        float[] last = w.take(3);
        assertNotSame(full, last);
        w.begin();
        assertSame(full, w.take(8), "back to the full batch: its array again");
        w.begin();
        assertSame(last, w.take(3), "and the smaller one's");
        w.begin();
        assertNotSame(full, w.take(5), "a third length is a new array");
        assertEquals(3 + 5, w.retainedFloats(), "two arrays a position at most");
    }

    @Test
    void indexArraysAreReusedByTheirOwnPositions() {
        Workspace w = new Workspace();
        w.begin();
        int[] a = w.takeIndices(5);
        float[] f = w.take(5);
        int[] b = w.takeIndices(5);
        assertNotSame(a, b, "one pass never shares an array");
        w.begin();
        assertSame(f, w.take(5), "float arrays keep their positions");
        assertSame(a, w.takeIndices(5));
        int[] last = w.takeIndices(2);
        assertNotSame(b, last, "another length is a new array");
        w.begin();
        w.takeIndices(5);
        assertSame(b, w.takeIndices(5), "the former length's array is kept");
    }

    @Test
    void scratchOfAtLeastALengthIsKeptWhileLongEnough() {
        Workspace w = new Workspace();
        w.begin();
        float[] a = w.takeAtLeast(100);
        float[] b = w.takeAtLeast(10);
        assertTrue(a.length >= 100 && b.length >= 10);
        assertNotSame(a, b, "one pass never shares an array");
        w.begin();
        assertSame(a, w.takeAtLeast(90), "shorter: the same array");
        float[] grown = w.takeAtLeast(b.length + 1);
        assertNotSame(b, grown, "longer than it holds: a new array");
        assertTrue(grown.length > b.length);
    }

    @Test
    void aZeroedArrayIsZeroedAgainWhenReused() {
        Workspace w = new Workspace();
        w.begin();
        float[] a = w.takeZeroed(3);
        a[1] = 5f;
        w.begin();
        assertArrayEquals(new float[3], w.takeZeroed(3));
    }

    @Test
    void matrixProductsOfAGraphWithAWorkspaceWriteIntoItsArrays() {
        Workspace w = new Workspace();
        w.begin();
        Graph g = new Graph(false, 0, w);
        Tensor x = Tensor.constant(2, 2, new float[] {1, 2, 3, 4});
        Tensor y = g.matmul(x, Tensor.constant(2, 1, new float[] {1, -1}), false);
        assertArrayEquals(new float[] {-1, -1}, y.data());
        float[] first = y.data();
        w.begin();
        Tensor z = new Graph(false, 0, w).linear(x, Tensor.constant(2, 1, new float[] {1, 1}), Tensor.constant(1, 1, new float[] {10}));
        assertSame(first, z.data(), "the next pass's first product reuses the array");
        assertArrayEquals(new float[] {13, 17}, z.data(), "and holds the new product only");
    }
}

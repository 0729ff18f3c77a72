package org.recspark.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** A staged operand gives the very products of copying it per GEMM, and only while it is staged. */
class BlasTest {

    @Test
    void aStagedOperandFeedsBothProductsAsACopyPerProductWould() {
        Random random = new Random(7);
        int n = 37;
        int h = 5;
        int in = 3;
        float[] dy = random(random, n * h + 4);
        float[] x = random(random, n * in);
        float[] w = random(random, in * h);
        float[] dwCopied = new float[in * h];
        float[] dxCopied = new float[n * in];
        Blas.gemm(true, false, in, h, n, 1f, x, dy, 0f, dwCopied);
        Blas.gemm(false, true, n, in, h, 1f, dy, w, 0f, dxCopied);
        float[] dwStaged = new float[in * h];
        float[] dxStaged = new float[n * in];
        try (Blas.Staged staged = Blas.stage(dy, n * h)) {
            Blas.gemm(true, false, in, h, n, 1f, x, dy, 0f, dwStaged);
            Blas.gemm(false, true, n, in, h, 1f, dy, w, 0f, dxStaged);
        }
        assertArrayEquals(dwCopied, dwStaged);
        assertArrayEquals(dxCopied, dxStaged);
    }

    @Test
    void changesAfterClosingAreSeen() {
        float[] a = {1, 2};
        float[] b = {3, 4};
        float[] c = new float[1];
        try (Blas.Staged staged = Blas.stage(a, 2)) {
            Blas.gemm(false, false, 1, 1, 2, 1f, a, b, 0f, c);
        }
        assertArrayEquals(new float[] {11}, c);
        a[0] = 2;
        Blas.gemm(false, false, 1, 1, 2, 1f, a, b, 0f, c);
        assertArrayEquals(new float[] {14}, c, "a closed stage must not serve its stale copy");
    }

    @Test
    void theStagedArrayCannotBeAnOutputNorStagedTwice() {
        float[] a = {1, 2};
        try (Blas.Staged staged = Blas.stage(a, 2)) {
            assertThrows(IllegalStateException.class, () -> Blas.gemm(false, false, 1, 1, 2, 1f, new float[] {1, 1}, new float[] {1, 1}, 0f, a));
            assertThrows(IllegalStateException.class, () -> Blas.stage(new float[1], 1));
        }
    }

    private static float[] random(Random random, int length) {
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }
}

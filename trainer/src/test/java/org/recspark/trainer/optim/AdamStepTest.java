package org.recspark.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link AdamStep#apply} takes a vectorisable loop when the weights, both moments and the gradient
 * start at the same offset (a dense parameter and its state) and an indexed loop otherwise (an
 * embedding row inside its chunk); the two must agree bit for bit.
 */
class AdamStepTest {

    @Test
    void commonOffsetLoopEqualsTheLoopWithSeparateOffsets() {
        int n = 1_003;
        int from = 5;
        SplittableRandom random = new SplittableRandom(3);
        float[] w = new float[n + from];
        float[] m = new float[n + from];
        float[] v = new float[n + from];
        float[] g = new float[n + from];
        // the same coordinates at offsets 7, 2 * n + 1, 0 and 3 of larger arrays
        float[] w2 = new float[n + 7];
        float[] state = new float[3 * n + 1];
        float[] g2 = new float[n + 3];
        for (int step = 1; step <= 4; step++) {
            for (int i = 0; i < n; i++) {
                float x = (float) (random.nextGaussian() * (i % 10 == 0 ? 1e-9 : 1));
                g[from + i] = x;
                g2[3 + i] = x;
            }
            if (step == 1) {
                for (int i = 0; i < n; i++) {
                    w[from + i] = (float) random.nextGaussian();
                    w2[7 + i] = w[from + i];
                }
            }
            AdamStep adam = new AdamStep(0.01, 0.9, 0.999, 1e-8, step);
            adam.apply(w, from, m, from, v, from, g, from, n);
            adam.apply(w2, 7, state, 2 * n + 1, state, 0, g2, 3, n);
            assertArrayEquals(Arrays.copyOfRange(w, from, from + n), Arrays.copyOfRange(w2, 7, 7 + n),
                    "weights after step " + step);
            assertArrayEquals(Arrays.copyOfRange(m, from, from + n), Arrays.copyOfRange(state, 2 * n + 1, 3 * n + 1),
                    "first moments after step " + step);
            assertArrayEquals(Arrays.copyOfRange(v, from, from + n), Arrays.copyOfRange(state, 0, n),
                    "second moments after step " + step);
        }
    }
}

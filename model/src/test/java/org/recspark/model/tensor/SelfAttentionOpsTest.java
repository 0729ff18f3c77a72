package org.recspark.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.recspark.model.tensor.GradientChecker.uniform;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.recspark.model.tensor.GradientChecker.Input;

/**
 * Self-attention over packed sequences: gradients against central differences (sequences of 0, 1
 * and several positions, one and two heads), each sequence attending within itself only (the
 * packing is its padding mask), and the forward values against a direct computation.
 */
class SelfAttentionOpsTest {
    private static final int DIM = 4;
    /** Sequences of 3, 0, 1 and 5 positions: an empty history and a single like among longer ones. */
    private static final int[] OFFSETS = {0, 3, 3, 4, 9};
    private static final int N = 9;

    private static Input input(String name, long seed) {
        return Input.of(name, N, DIM, uniform(seed, N * DIM, 1.0));
    }

    @Test
    void gradientsOfOneHead() {
        GradientChecker.checkOp("self-attention, 1 head", (g, in) -> g.sequenceSelfAttention(in[0], in[1], in[2], OFFSETS, 1),
                input("q", 1), input("k", 2), input("v", 3));
    }

    @Test
    void gradientsOfTwoHeads() {
        GradientChecker.checkOp("self-attention, 2 heads", (g, in) -> g.sequenceSelfAttention(in[0], in[1], in[2], OFFSETS, 2),
                input("q", 4), input("k", 5), input("v", 6));
    }

    /** One tensor as query, key and value, as a block's projections of one input share it: the three contributions add up. */
    @Test
    void gradientsWhenQueriesKeysAndValuesAreOneTensor() {
        GradientChecker.checkOp("self-attention of x with itself", (g, in) -> g.sequenceSelfAttention(in[0], in[0], in[0], OFFSETS, 2),
                input("x", 7));
    }

    @Test
    void aSequenceAttendsWithinItselfOnly() {
        float[] q = uniform(8, N * DIM, 1.0);
        float[] k = uniform(9, N * DIM, 1.0);
        float[] v = uniform(10, N * DIM, 1.0);
        float[] packed = attend(q, k, v, OFFSETS, 2);
        // a single position attends to itself with weight 1: its value
        assertArrayEquals(Arrays.copyOfRange(v, 3 * DIM, 4 * DIM), Arrays.copyOfRange(packed, 3 * DIM, 4 * DIM), 1e-6f);
        // the last sequence (rows 4..8) alone gives the same rows: the other sequences take no part
        int from = 4 * DIM;
        float[] alone = attend(Arrays.copyOfRange(q, from, N * DIM), Arrays.copyOfRange(k, from, N * DIM),
                Arrays.copyOfRange(v, from, N * DIM), new int[] {0, 5}, 2);
        assertArrayEquals(alone, Arrays.copyOfRange(packed, from, N * DIM), 1e-6f);
        // changing another sequence's keys and values leaves it unchanged
        for (int i = 0; i < from; i++) {
            k[i] += 3;
            v[i] -= 2;
        }
        assertArrayEquals(Arrays.copyOfRange(packed, from, N * DIM), Arrays.copyOfRange(attend(q, k, v, OFFSETS, 2), from, N * DIM), 1e-6f);
    }

    @Test
    void valuesMatchADirectComputation() {
        float[] q = uniform(11, N * DIM, 1.0);
        float[] k = uniform(12, N * DIM, 1.0);
        float[] v = uniform(13, N * DIM, 1.0);
        int heads = 2;
        int width = DIM / heads;
        float[] out = attend(q, k, v, OFFSETS, heads);
        for (int r = 0; r + 1 < OFFSETS.length; r++) {
            for (int i = OFFSETS[r]; i < OFFSETS[r + 1]; i++) {
                for (int h = 0; h < heads; h++) {
                    double[] scores = new double[OFFSETS[r + 1] - OFFSETS[r]];
                    double total = 0;
                    for (int j = OFFSETS[r]; j < OFFSETS[r + 1]; j++) {
                        double dot = 0;
                        for (int c = h * width; c < (h + 1) * width; c++) {
                            dot += q[i * DIM + c] * k[j * DIM + c];
                        }
                        scores[j - OFFSETS[r]] = Math.exp(dot / Math.sqrt(width));
                        total += scores[j - OFFSETS[r]];
                    }
                    for (int c = h * width; c < (h + 1) * width; c++) {
                        double expected = 0;
                        for (int j = OFFSETS[r]; j < OFFSETS[r + 1]; j++) {
                            expected += scores[j - OFFSETS[r]] / total * v[j * DIM + c];
                        }
                        assertEquals(expected, out[i * DIM + c], 1e-5, "row " + i + ", column " + c);
                    }
                }
            }
        }
    }

    @Test
    void refusesHeadsThatDoNotDivideTheWidthAndOffsetsThatDoNotCoverTheRows() {
        Tensor x = Tensor.constant(N, DIM, new float[N * DIM]);
        Graph g = new Graph(false, 0);
        assertThrows(IllegalArgumentException.class, () -> g.sequenceSelfAttention(x, x, x, OFFSETS, 3));
        assertThrows(IllegalArgumentException.class, () -> g.sequenceSelfAttention(x, x, x, new int[] {0, 3, 8}, 1));
        assertThrows(IllegalArgumentException.class, () -> g.sequenceSelfAttention(x, x, x, new int[] {0, 5, 4, 9}, 1));
    }

    private static float[] attend(float[] q, float[] k, float[] v, int[] offsets, int heads) {
        int n = q.length / DIM;
        Graph g = new Graph(false, 0);
        return g.sequenceSelfAttention(Tensor.constant(n, DIM, q), Tensor.constant(n, DIM, k), Tensor.constant(n, DIM, v), offsets, heads)
                .data().clone();
    }
}

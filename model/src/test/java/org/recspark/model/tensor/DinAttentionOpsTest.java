package org.recspark.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recspark.model.tensor.GradientChecker.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * DIN's fused attention MLP against the ops it fuses (dinUnitLinear, dice, linear, dice, linear):
 * scores, every gradient and the batch statistics agree, in training and evaluation, also when its
 * scratch is a workspace reused over passes of other sizes (stale values must not leak in).
 */
class DinAttentionOpsTest {
    private static final int DIM = 4;
    private static final int DISTINCT = 30;
    private static final int[] WIDTHS = {6, 3};

    /** One pass's results: scores, then the gradients of query, keys and every parameter, then the batch statistics. */
    private static List<float[]> run(boolean fused, boolean training, int rows, long seed, Workspace scratch) {
        PackedSequences seq = new PackedSequences(rows, seed);
        Graph g = new Graph(training, 0, null, scratch);
        if (scratch != null) {
            scratch.begin();
        }
        List<float[]> grads = new ArrayList<>();
        Tensor query = leaf(g, rows, DIM, uniform(1, rows * DIM, 1.0), grads);
        Tensor keys = leaf(g, DISTINCT, DIM, uniform(2, DISTINCT * DIM, 1.0), grads);
        List<DiceLayer> layers = new ArrayList<>();
        List<float[]> statistics = new ArrayList<>();
        int in = 4 * DIM;
        for (int i = 0; i < WIDTHS.length; i++) {
            int h = WIDTHS[i];
            float[] batchMean = new float[h];
            float[] batchVar = new float[h];
            statistics.add(batchMean);
            statistics.add(batchVar);
            float[] runningVar = uniform(40 + i, h, 0.5);
            for (int j = 0; j < h; j++) {
                runningVar[j] += 1;
            }
            layers.add(new DiceLayer(leaf(g, in, h, uniform(10 + i, in * h, 0.5), grads), leaf(g, 1, h, uniform(20 + i, h, 0.5), grads),
                    leaf(g, 1, h, uniform(30 + i, h, 0.5), grads), uniform(50 + i, h, 0.5), runningVar, 1e-5f, batchMean, batchVar));
            in = h;
        }
        Tensor outWeight = leaf(g, in, 1, uniform(60, in, 0.5), grads);
        Tensor outBias = leaf(g, 1, 1, uniform(61, 1, 0.5), grads);
        Tensor scores;
        if (fused) {
            scores = g.dinAttention(query, keys, seq.positions, seq.offsets, layers, outWeight, outBias);
        } else {
            Tensor h = null;
            for (int i = 0; i < layers.size(); i++) {
                DiceLayer l = layers.get(i);
                Tensor linear = i == 0 ? g.dinUnitLinear(query, keys, seq.positions, seq.offsets, l.weight(), l.bias())
                        : g.linear(h, l.weight(), l.bias());
                h = g.dice(linear, l.alpha(), l.runningMean(), l.runningVar(), l.eps(), l.batchMean(), l.batchVar());
            }
            scores = g.linear(h, outWeight, outBias);
        }
        float[] scoreValues = scores.data().clone();
        g.backward(g.total(g.mul(scores, Tensor.constant(scores.rows(), 1, uniform(seed + 7, scores.rows(), 1.0)))));
        List<float[]> out = new ArrayList<>();
        out.add(scoreValues);
        out.addAll(grads);
        out.addAll(statistics);
        return out;
    }

    private static Tensor leaf(Graph g, int rows, int cols, float[] values, List<float[]> grads) {
        float[] grad = new float[values.length];
        grads.add(grad);
        return g.leaf(rows, cols, values, grad);
    }

    /** Sequences of 0 to 12 positions per row over the distinct keys, some keys at several positions. */
    private static final class PackedSequences {
        final int[] offsets;
        final int[] positions;

        PackedSequences(int rows, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            offsets = new int[rows + 1];
            for (int r = 0; r < rows; r++) {
                offsets[r + 1] = offsets[r] + random.nextInt(13);
            }
            positions = new int[offsets[rows]];
            for (int p = 0; p < positions.length; p++) {
                positions[p] = random.nextInt(DISTINCT);
            }
        }
    }

    private static void assertSameResults(List<float[]> expected, List<float[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            float[] e = expected.get(i);
            float tolerance = 1e-5f * Math.max(1f, maxAbs(e));
            assertArrayEquals(e, actual.get(i), tolerance, what + ": result " + i + " (0 scores, then gradients, then batch statistics)");
        }
        assertTrue(maxAbs(actual.get(1)) > 0, what + ": the query takes a gradient");
    }

    private static float maxAbs(float[] v) {
        float m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @Test
    void equalsTheOpsItFusesInTraining() {
        assertSameResults(run(false, true, 40, 3, null), run(true, true, 40, 3, null), "training");
    }

    @Test
    void equalsTheOpsItFusesInEvaluation() {
        assertSameResults(run(false, false, 40, 4, null), run(true, false, 40, 4, null), "evaluation");
    }

    @Test
    void reusedScratchOfOtherSizesChangesNothing() {
        Workspace scratch = new Workspace();
        int[] rows = {50, 20, 70, 35};
        for (int i = 0; i < rows.length; i++) {
            assertSameResults(run(true, true, rows[i], 5 + i, null), run(true, true, rows[i], 5 + i, scratch),
                    "pass " + i + " of " + rows[i] + " rows");
        }
        assertTrue(scratch.retainedFloats() > 3 * 70 * 6 * (WIDTHS[0] + WIDTHS[1]), "the op's activations are the scratch");
    }
}

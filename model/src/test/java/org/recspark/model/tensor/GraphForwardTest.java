package org.recspark.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Forward values of ops on small hand-computed cases, dropout, and gradient accumulation. */
class GraphForwardTest {

    @Test
    void concreteKeepDropsAtTheLogitsRateAndKeepsTheMeanAtOne() {
        int rows = 200_000;
        float dropout = 0.3f;
        float logit = (float) Math.log(dropout / (1 - dropout));
        Tensor keep = new Graph(true, 5).concreteKeep(Tensor.constant(1, 2, new float[] {0f, logit}), 1, rows, 0.05f);
        double sum = 0;
        int dropped = 0;
        for (float k : keep.data()) {
            sum += k;
            dropped += k < 0.5f / (1 - dropout) ? 1 : 0;
        }
        assertEquals(dropout, dropped / (double) rows, 0.01, "rows mostly dropped");
        assertEquals(1.0, sum / rows, 0.01, "an inverted dropout: the factor's mean is 1, what evaluation uses");
        assertThrows(IllegalArgumentException.class, () -> new Graph(true, 5).concreteKeep(Tensor.constant(2, 2, new float[4]), 0, 3, 0.1f));
    }

    private static final float EPS = 1e-6f;

    private static Tensor c(int rows, int cols, float... values) {
        return Tensor.constant(rows, cols, values);
    }

    @Test
    void leakyReluAndItsGradientAreThoseOfTheBranchDefinition() {
        Graph g = new Graph(false, 0);
        float[] x = {2.5f, -2.5f, 0f, -0f, 1e-40f, -1e-40f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.NaN,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (float slope : new float[] {0f, 0.01f, 0.2f, 1f}) {
            float[] y = g.leakyRelu(c(1, x.length, x), slope).data();
            for (int i = 0; i < x.length; i++) {
                float expected = x[i] > 0 || Float.isNaN(x[i]) ? x[i] : slope == 0 ? 0f : x[i] * slope;
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(y[i]), "slope " + slope + ", x = " + x[i]);
            }
        }
        for (float slope : new float[] {0f, 0.01f}) {
            Graph train = new Graph(true, 0);
            float[] dy = new float[x.length];
            for (int i = 0; i < dy.length; i++) {
                dy[i] = i % 2 == 0 ? 0.75f : -1.5f;
            }
            Tensor in = train.leaf(1, x.length, x.clone(), new float[x.length]);
            Tensor y = train.leakyRelu(in, slope);
            train.backward(train.rowDot(y, c(1, x.length, dy)));
            for (int i = 0; i < x.length; i++) {
                if (Float.isNaN(x[i])) {
                    continue;
                }
                float expected = x[i] > 0 ? dy[i] : dy[i] * slope;
                assertEquals(expected, in.grad()[i], 0f, "gradient at slope " + slope + ", x = " + x[i]);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> g.leakyRelu(c(1, 1, 1f), 1.5f), "a slope above one is not a max");
        assertThrows(IllegalArgumentException.class, () -> g.leakyRelu(c(1, 1, 1f), -0.1f), "nor is a negative one");
    }

    @Test
    void inPlaceLeakyReluEqualsTheAllocatingOneAndRefusesTensorsWithGradients() {
        Graph g = new Graph(false, 0);
        float[] x = {2.5f, -2.5f, 0f, -0f, 1e-40f, -1e-40f, Float.NaN, Float.NEGATIVE_INFINITY};
        for (float slope : new float[] {0f, 0.01f}) {
            float[] expected = g.leakyRelu(c(1, x.length, x), slope).data();
            Tensor owned = c(1, x.length, x.clone());
            Tensor y = g.leakyReluInPlace(owned, slope);
            assertSame(owned, y, "the input is the output");
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(y.data()[i]), "slope " + slope + ", x = " + x[i]);
            }
        }
        Graph train = new Graph(true, 0);
        Tensor leaf = train.leaf(1, 2, new float[] {1f, -1f}, new float[2]);
        assertThrows(IllegalArgumentException.class, () -> train.leakyReluInPlace(leaf, 0f), "its gradient needs the input");
        assertThrows(IllegalArgumentException.class, () -> g.leakyReluInPlace(c(1, 1, 1f), 2f), "the slope is checked too");
    }

    @Test
    void matmulByHand() {
        Graph g = new Graph(false, 0);
        Tensor a = c(2, 3, 1, 2, 3, 4, 5, 6);
        // [1 2 3; 4 5 6] * [1 0; -1 2; 0.5 1] = [0.5 7; 2 16]
        Tensor ab = g.matmul(a, c(3, 2, 1, 0, -1, 2, 0.5f, 1), false);
        assertEquals(2, ab.rows(), "rows of A*B");
        assertEquals(2, ab.cols(), "cols of A*B");
        assertArrayEquals(new float[] {0.5f, 7, 2, 16}, ab.data(), EPS, "A*B");
        // the same product with B given transposed (2 x 3)
        Tensor abt = g.matmul(a, c(2, 3, 1, -1, 0.5f, 0, 2, 1), true);
        assertArrayEquals(new float[] {0.5f, 7, 2, 16}, abt.data(), EPS, "A*B^T");
        // a row times a column, and a column times a row (outer product)
        assertArrayEquals(new float[] {32}, g.matmul(c(1, 3, 1, 2, 3), c(3, 1, 4, 5, 6), false).data(), EPS, "dot product");
        assertArrayEquals(new float[] {4, 5, 8, 10}, g.matmul(c(2, 1, 1, 2), c(1, 2, 4, 5), false).data(), EPS, "outer product");
        assertThrows(IllegalArgumentException.class, () -> g.matmul(a, c(2, 2, 1, 2, 3, 4), false), "inner dimensions differ");
        assertThrows(IllegalArgumentException.class, () -> g.matmul(a, c(2, 2, 1, 2, 3, 4), true), "inner dimensions differ");
    }

    @Test
    void softmaxByHandAndStableForLargeLogits() {
        Graph g = new Graph(false, 0);
        Tensor y = g.softmax(c(2, 3, 1, 2, 3, 1000, 1001, 1000));
        float[] e = {0.09003057f, 0.24472847f, 0.66524096f};
        assertArrayEquals(e, Arrays.copyOfRange(y.data(), 0, 3), EPS, "softmax(1, 2, 3)");
        // softmax(1000, 1001, 1000) = softmax(0, 1, 0): no overflow
        double z = 2 + Math.E;
        assertArrayEquals(new float[] {(float) (1 / z), (float) (Math.E / z), (float) (1 / z)}, Arrays.copyOfRange(y.data(), 3, 6),
                EPS, "softmax of large logits");
    }

    @Test
    void binaryCrossEntropyWithLogitsMatchesTheFormula() {
        Graph g = new Graph(false, 0);
        float[] z = {0.5f, -1.2f, 3f, 0f, 60f, -60f};
        float[] y = {1, 0, 0.25f, 1, 0, 1};
        float scale = 0.5f;
        double expected = 0;
        for (int i = 0; i < z.length; i++) {
            double p = 1 / (1 + Math.exp(-z[i]));
            // -[y log p + (1 - y) log(1 - p)], with the two saturated cases written out (log(1 - p) underflows)
            double term = i == 4 ? 60 : i == 5 ? 60 : -(y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p));
            expected += term;
        }
        Tensor loss = g.binaryCrossEntropyWithLogits(c(6, 1, z), y, scale);
        assertEquals(1, loss.size(), "a scalar loss");
        assertEquals(expected * scale, loss.data()[0], 1e-5 * expected, "BCE with logits");
        assertTrue(Float.isFinite(loss.data()[0]), "finite for saturated logits");
        // a single case by hand: z = 0, y = 1 -> log 2
        assertEquals((float) Math.log(2), g.binaryCrossEntropyWithLogits(c(1, 1, 0f), new float[] {1}, 1f).data()[0], EPS, "log 2");
    }

    @Test
    void binaryKlDivergenceMatchesTheFormulaAndVanishesAtTheTarget() {
        Graph g = new Graph(false, 0);
        float[] z = {0.5f, -1.2f, 3f};
        float[] q = {0.3f, 0f, 1f};
        double expected = 0;
        for (int i = 0; i < z.length; i++) {
            double p = 1 / (1 + Math.exp(-z[i]));
            expected += (q[i] > 0 ? q[i] * Math.log(q[i] / p) : 0) + (q[i] < 1 ? (1 - q[i]) * Math.log((1 - q[i]) / (1 - p)) : 0);
        }
        assertEquals(expected * 0.5, g.binaryKlDivergenceWithLogits(c(3, 1, z), q, 0.5f).data()[0], 1e-6, "KL(q || sigmoid(z))");
        float[] atTarget = {0.2f, -3f};
        float[] sameProbabilities = {(float) (1 / (1 + Math.exp(-0.2))), (float) (1 / (1 + Math.exp(3)))};
        assertEquals(0, g.binaryKlDivergenceWithLogits(c(2, 1, atTarget), sameProbabilities, 1f).data()[0], 1e-6,
                "no divergence where the student's probabilities are the targets");
    }

    @Test
    void binaryCrossEntropyClipsProbabilities() {
        Graph g = new Graph(true, 0);
        float[] p = {0f, 1f, 0.5f};
        float[] grad = new float[3];
        Tensor probabilities = g.leaf(3, 1, p, grad);
        Tensor loss = g.binaryCrossEntropy(probabilities, new float[] {1, 0, 1}, 1f);
        // p = 0 with y = 1 costs -log(eps) and p = 1 with y = 0 costs -log(1 - (1 - eps)), with eps = 1e-7 and
        // 1 - eps as floats (1 - eps rounds to 1 - 2^-23); p = 0.5 costs log 2
        float eps = 1e-7f;
        double expected = -Math.log(eps) - Math.log(1 - (double) (1 - eps)) + Math.log(2);
        assertEquals(expected, loss.data()[0], 1e-3, "clipped BCE");
        g.backward(loss);
        assertEquals(0f, grad[0], "no gradient where p was clipped (0)");
        assertEquals(0f, grad[1], "no gradient where p was clipped (1)");
        assertEquals(-2f, grad[2], 1e-5f, "d/dp of -log p at 0.5");
    }

    @Test
    void squaredErrorAndSoftmaxCrossEntropyByHand() {
        Graph g = new Graph(false, 0);
        assertEquals((0.25 + 4) * 0.5, g.squaredError(c(2, 1, 1.5f, 0f), new float[] {1, 2}, 0.5f).data()[0], 1e-6, "squared error");
        // logits (1, 2, 3) target 2: -log softmax = log(e + e^2 + e^3) - 3
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertEquals(lse - 3, g.softmaxCrossEntropy(c(1, 3, 1, 2, 3), new int[] {2}, null, 1f).data()[0], 1e-6, "softmax CE");
        // offsets are subtracted: logits (1, 2, 3) - (0, 0, 1) = (1, 2, 2), target 0
        double lse2 = Math.log(Math.exp(1) + 2 * Math.exp(2));
        assertEquals(2 * (lse2 - 1), g.softmaxCrossEntropy(c(1, 3, 1, 2, 3), new int[] {0}, new float[] {0, 0, 1}, 2f).data()[0],
                1e-5, "softmax CE with log-Q offsets");
        assertThrows(IllegalArgumentException.class, () -> g.softmaxCrossEntropy(c(1, 3, 1, 2, 3), new int[] {3}, null, 1f),
                "target outside the classes");
    }

    @Test
    void pairwiseLogisticByHand() {
        Graph g = new Graph(false, 0);
        // row 0: positive column 0 (score 2) against column 1 (score 1) with weight 1 and column 2 (score 4)
        // with weight 0.5; row 1: positive column 2 against column 0 with weight 1; scale 2
        float[] weights = {0, 1, 0.5f, 1, 0, 0};
        double expected = 2 * (Math.log1p(Math.exp(-1)) + 0.5 * Math.log1p(Math.exp(2)) + Math.log1p(Math.exp(-(0.5 - 3))));
        assertEquals(expected, g.pairwiseLogistic(c(2, 3, 2, 1, 4, 3, 0, 0.5f), new int[] {0, 2}, weights, 2f).data()[0], 1e-5,
                "BPR loss: sum of w * log(1 + e^-(s_pos - s_neg))");
        assertEquals(0, g.pairwiseLogistic(c(1, 2, 1, 5), new int[] {0}, new float[] {0, 0}, 1f).data()[0], "no weighted pair, no loss");
        assertThrows(IllegalArgumentException.class, () -> g.pairwiseLogistic(c(1, 2, 1, 5), new int[] {2}, new float[] {0, 1}, 1f),
                "positive column outside the scores");
    }

    @Test
    void factorizationMachineInteractionWithSumGroups() {
        // three fields of dimension 2; FM second order = 0.5 * ((sum v)^2 - sum v^2) summed over the dimension
        float[] v = {1, 2, -1, 0.5f, 3, -2, /* row 2 */ 0, 1, 2, 2, -1, 1};
        Graph g = new Graph(false, 0);
        Tensor x = c(2, 6, v);
        Tensor summed = g.sumGroups(x, 3);
        assertArrayEquals(new float[] {3, 0.5f, 1, 4}, summed.data(), EPS, "sum over fields");
        Tensor fm = g.scale(g.rowSum(g.sub(g.mul(summed, summed), g.sumGroups(g.mul(x, x), 3))), 0.5f);
        // row 1: <v1,v2> + <v1,v3> + <v2,v3> = (-1 + 1) + (3 - 4) + (-3 - 1) = -5
        // row 2: (0 + 2) + (0 + 1) + (-2 + 2) = 3
        assertArrayEquals(new float[] {-5, 3}, fm.data(), EPS, "FM pairwise interactions");
        assertThrows(IllegalArgumentException.class, () -> g.sumGroups(x, 4), "6 columns do not split into 4 groups");
    }

    @Test
    void shapeOpsAndReductionsByHand() {
        Graph g = new Graph(false, 0);
        Tensor x = c(2, 3, 1, 2, 3, 4, 5, 6);
        assertArrayEquals(new float[] {2, 3, 5, 6}, g.slice(x, 1, 3).data(), "slice");
        assertArrayEquals(new float[] {4, 5, 6, 1, 2, 3, 4, 5, 6}, g.selectRows(x, new int[] {1, 0, 1}).data(), "selectRows");
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}, g.repeatRows(x, 2).data(), "repeatRows");
        assertArrayEquals(new float[] {1, 2, 3, 9, 4, 5, 6, 8}, g.concat(java.util.List.of(x, c(2, 1, 9, 8))).data(), "concat");
        assertArrayEquals(new float[] {6, 15}, g.rowSum(x).data(), "rowSum");
        assertArrayEquals(new float[] {21}, g.total(x).data(), "total");
        assertArrayEquals(new float[] {14, 77}, g.rowDot(x, x).data(), "rowDot");
        assertArrayEquals(new float[] {1, 2, 3, 16, 20, 24}, g.mulColumn(x, c(2, 2, 0, 1, 0, 4), 1).data(), "mulColumn by (1, 4)");
        // sequences {(1 2), (3 4)}, {}, {(5 6), (1 2)} weighted 1, 0.5 and 0, 2 (positions name rows of values)
        Tensor seq = g.weightedSequenceSum(c(4, 1, 1, 0.5f, 0, 2), c(3, 2, 1, 2, 3, 4, 5, 6), new int[] {0, 1, 2, 0},
                new int[] {0, 2, 2, 4});
        assertArrayEquals(new float[] {2.5f, 4, 0, 0, 2, 4}, seq.data(), EPS, "weightedSequenceSum");
        Tensor r = g.reshape(x, 3, 2);
        assertSame(x.data(), r.data(), "reshape shares values");
        assertEquals(3, r.rows(), "reshaped rows");
        assertThrows(IllegalArgumentException.class, () -> g.reshape(x, 4, 2), "8 values from 6");
        assertThrows(IllegalArgumentException.class, () -> g.slice(x, 2, 2), "empty slice");
    }

    @Test
    void normalisationsByHand() {
        Graph g = new Graph(true, 0);
        assertArrayEquals(new float[] {0.6f, 0.8f, 0, 0}, g.l2NormalizeRows(c(2, 2, 3, 4, 0, 0), 1e-6f).data(), EPS,
                "unit rows; an all-zero row stays zero");
        // layer norm of (1, 2, 3): mean 2, variance 2/3
        float s = (float) (1 / Math.sqrt(2.0 / 3 + 1e-5));
        Tensor ln = g.layerNorm(c(1, 3, 1, 2, 3), c(1, 3, 1, 2, 1), c(1, 3, 0, 0, 10), 1e-5f);
        assertArrayEquals(new float[] {-s, 0, 10 + s}, ln.data(), 1e-5f, "layer norm with gain and bias");
        // batch norm over the rows (1, 10), (3, 10), (5, 40): means 3 and 20, biased variances 8/3 and 200
        float[] mean = new float[2];
        float[] var = new float[2];
        Tensor bn = g.batchNorm(c(3, 2, 1, 10, 3, 10, 5, 40), null, null, new float[2], new float[] {1, 1}, 0f, mean, var);
        assertArrayEquals(new float[] {3, 20}, mean, EPS, "batch mean");
        assertArrayEquals(new float[] {4, 300}, var, 1e-4f, "unbiased batch variance");
        float a = (float) (2 / Math.sqrt(8.0 / 3));
        float b = (float) (10 / Math.sqrt(200));
        assertArrayEquals(new float[] {-a, -b, 0, -b, a, 2 * b}, bn.data(), 1e-5f, "normalised with the biased variance");
        // in evaluation the running statistics are used instead
        Graph eval = new Graph(false, 0);
        Tensor bnEval = eval.batchNorm(c(1, 2, 2, 5), c(1, 2, 2, 1), c(1, 2, 1, 0), new float[] {1, 1}, new float[] {4, 16}, 0f,
                new float[2], new float[2]);
        assertArrayEquals(new float[] {2 * 0.5f + 1, 1}, bnEval.data(), EPS, "(x - running mean) / running std, then gain and bias");
    }

    @Test
    void dropoutInEvaluationIsTheIdentity() {
        Graph g = new Graph(false, 1);
        Tensor x = c(2, 2, 1, 2, 3, 4);
        assertSame(x, g.dropout(x, 0.5f), "evaluation passes the tensor through");
        assertSame(x, new Graph(true, 1).dropout(x, 0f), "rate 0 passes the tensor through");
    }

    @Test
    void dropoutInTrainingKeepsTheExpectedFractionAndScales() {
        int n = 100_000;
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = 1 + (i % 7);
        }
        float rate = 0.3f;
        float keep = 1 - rate;
        Tensor y = new Graph(true, 42).dropout(Tensor.constant(1, n, values), rate);
        int kept = 0;
        for (int i = 0; i < n; i++) {
            float v = y.data()[i];
            if (v != 0) {
                kept++;
                assertEquals(values[i] / keep, v, 1e-5f * v, "a kept value is scaled by 1 / keep at " + i);
            }
        }
        // binomial standard deviation sqrt(n p (1 - p)) = 145: allow about 5 of them
        assertEquals(keep * n, kept, 750, "kept fraction");
        // the same seed draws the same mask, another seed another
        assertArrayEquals(y.data(), new Graph(true, 42).dropout(Tensor.constant(1, n, values), rate).data(), "same seed");
        assertFalse(Arrays.equals(y.data(), new Graph(true, 43).dropout(Tensor.constant(1, n, values), rate).data()),
                "another seed");
    }

    @Test
    void gradientsAccumulateWhenATensorIsUsedTwice() {
        Graph g = new Graph(true, 0);
        float[] grad = new float[3];
        Tensor x = g.leaf(1, 3, new float[] {1, -2, 3}, grad);
        // loss = sum(x * x) + sum(x + x) + sum(3x): d/dx = 2x + 2 + 3
        Tensor loss = g.add(g.add(g.total(g.mul(x, x)), g.total(g.add(x, x))), g.total(g.scale(x, 3)));
        g.backward(loss);
        assertArrayEquals(new float[] {7, 1, 11}, grad, EPS, "2x + 2 + 3");
    }

    @Test
    void gradientsAccumulateIntoAnExistingBuffer() {
        // a parameter used by two shards' graphs, or twice in one model, sums into its buffer
        float[] grad = {10, 20};
        Graph g = new Graph(true, 0);
        Tensor w = g.leaf(1, 2, new float[] {1, 1}, grad);
        g.backward(g.total(g.scale(w, 2)));
        assertArrayEquals(new float[] {12, 22}, grad, EPS, "+= into the leaf's buffer");
        Graph second = new Graph(true, 1);
        Tensor w2 = second.leaf(1, 2, new float[] {1, 1}, grad);
        second.backward(second.total(w2));
        assertArrayEquals(new float[] {13, 23}, grad, EPS, "a second graph adds again");
    }

    @Test
    void constantsTakeNoGradientAndOnlyScalarsBackPropagate() {
        Graph g = new Graph(true, 0);
        Tensor k = c(1, 2, 1, 2);
        Tensor y = g.tanh(k);
        assertFalse(y.requiresGrad(), "an op of constants needs no gradient");
        float[] grad = new float[2];
        Tensor w = g.leaf(1, 2, new float[] {1, 2}, grad);
        Tensor out = g.mul(w, k);
        assertTrue(out.requiresGrad(), "an op of a leaf needs a gradient");
        assertThrows(IllegalArgumentException.class, () -> g.backward(out), "a 1 x 2 loss");
        assertThrows(IllegalArgumentException.class, () -> g.add(w, c(2, 1, 1, 2)), "shapes differ");
        g.backward(g.total(out));
        assertArrayEquals(new float[] {1, 2}, grad, EPS, "d/dw of sum(w * k) is k");
        assertNotEquals(0f, grad[0], "the gradient arrived");
    }
}

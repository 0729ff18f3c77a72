package org.recspark.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recspark.model.tensor.GradientChecker.awayFromZero;
import static org.recspark.model.tensor.GradientChecker.checkOp;
import static org.recspark.model.tensor.GradientChecker.uniform;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.recspark.model.tensor.GradientChecker.Input;
import org.recspark.model.tensor.GradientChecker.Result;
import org.recspark.model.tensor.GradientChecker.Settings;

/** Numerical gradient checks of every op of {@link Graph}, one test per op. */
class GraphGradientTest {

    private static Input in(String name, int rows, int cols, long seed) {
        return Input.of(name, rows, cols, uniform(seed, rows * cols, 1.0));
    }

    private static Input constant(String name, int rows, int cols, long seed) {
        return Input.constant(name, rows, cols, uniform(seed, rows * cols, 1.0));
    }

    // ---------------------------------------------------------------- the checker itself

    @Test
    void checkerRejectsAWrongBackward() {
        // x * 3 whose backward claims 2: the checker must notice.
        GradientChecker.Op wrong = (g, t) -> {
            Tensor x = t[0];
            float[] y = new float[x.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = 3 * x.data()[i];
            }
            Tensor out = g.output(x.rows(), x.cols(), y, x);
            g.onBackward(out, () -> {
                for (int i = 0; i < y.length; i++) {
                    x.grad()[i] += 2 * out.grad()[i];
                }
            });
            return out;
        };
        assertThrows(AssertionFailedError.class, () -> checkOp("wrong", wrong, in("x", 2, 3, 1)),
                "a backward off by a factor must fail the check");
        // and a backward that is missing entirely
        GradientChecker.Op noBackward = (g, t) -> g.output(t[0].rows(), t[0].cols(), t[0].data().clone(), t[0]);
        assertThrows(AssertionFailedError.class, () -> checkOp("missing", noBackward, in("x", 2, 3, 2)),
                "a missing backward must fail the check");
    }

    @Test
    void checkerRejectsAVariableTheOutputIgnores() {
        // b takes part in the graph (so the output requires a gradient) but not in the values
        GradientChecker.Op ignoresB = (g, t) -> g.add(t[0], g.scale(t[1], 0f));
        assertThrows(AssertionFailedError.class, () -> checkOp("ignores b", ignoresB, in("a", 2, 2, 3), in("b", 2, 2, 4)),
                "a variable with a zero gradient everywhere must not pass vacuously");
    }

    @Test
    void checkerRejectsAnOpThatModifiesItsInput() {
        GradientChecker.Op mutating = (g, t) -> {
            t[0].data()[0] += 1;
            return g.scale(t[0], 2f);
        };
        assertThrows(AssertionFailedError.class, () -> checkOp("mutating", mutating, in("x", 1, 3, 5)));
    }

    // ---------------------------------------------------------------- linear algebra

    @Test
    void matmul() {
        checkOp("matmul A*B", (g, t) -> g.matmul(t[0], t[1], false), in("a", 3, 4, 10), in("b", 4, 5, 11));
    }

    @Test
    void matmulTransposed() {
        checkOp("matmul A*B^T", (g, t) -> g.matmul(t[0], t[1], true), in("a", 3, 4, 12), in("b", 5, 4, 13));
    }

    @Test
    void matmulWithOneConstantInput() {
        checkOp("matmul const A", (g, t) -> g.matmul(t[0], t[1], false), constant("a", 2, 3, 14), in("b", 3, 2, 15));
        checkOp("matmul const B^T", (g, t) -> g.matmul(t[0], t[1], true), in("a", 2, 3, 16), constant("b", 4, 3, 17));
    }

    @Test
    void addRowVector() {
        checkOp("addRowVector", (g, t) -> g.addRowVector(t[0], t[1]), in("x", 4, 3, 20), in("bias", 1, 3, 21));
    }

    @Test
    void linear() {
        checkOp("linear", (g, t) -> g.linear(t[0], t[1], t[2]), in("x", 3, 4, 22), in("w", 4, 2, 23), in("b", 1, 2, 24));
    }

    /** Seeds whose pre-activations are not within the checker's step of ReLU's kink (the first seeds tried had one). */
    @Test
    void linearRelu() {
        checkOp("linearLeakyRelu 0", (g, t) -> g.linearLeakyRelu(t[0], t[1], t[2], 0f), in("x", 3, 4, 35), in("w", 4, 3, 36),
                in("b", 1, 3, 37));
    }

    @Test
    void linearLeakyRelu() {
        checkOp("linearLeakyRelu 0.2", (g, t) -> g.linearLeakyRelu(t[0], t[1], t[2], 0.2f), in("x", 3, 4, 28), in("w", 4, 3, 29),
                in("b", 1, 3, 30));
    }

    /** The fused layer computes exactly what linear then (leaky) ReLU did: the same values and gradients, bit for bit. */
    @Test
    void linearLeakyReluEqualsItsComposition() {
        for (float slope : new float[] {0f, 0.01f}) {
            float[] x = uniform(31, 6 * 5, 1.0);
            float[] w = uniform(32, 5 * 4, 1.0);
            float[] b = uniform(33, 4, 1.0);
            float[] lossWeights = uniform(34, 6 * 4, 1.0);
            float[][] values = new float[2][];
            float[][][] grads = new float[2][3][];
            for (int variant = 0; variant < 2; variant++) {
                Graph g = new Graph(true, 0);
                grads[variant] = new float[][] {new float[x.length], new float[w.length], new float[b.length]};
                Tensor xt = g.leaf(6, 5, x, grads[variant][0]);
                Tensor wt = g.leaf(5, 4, w, grads[variant][1]);
                Tensor bt = g.leaf(1, 4, b, grads[variant][2]);
                Tensor y = variant == 0 ? g.linearLeakyRelu(xt, wt, bt, slope) : g.leakyRelu(g.linear(xt, wt, bt), slope);
                values[variant] = y.data();
                g.backward(g.total(g.mul(y, Tensor.constant(6, 4, lossWeights))));
            }
            long negative = 0;
            for (float v : values[1]) {
                negative += v < 0 || (slope == 0 && v == 0) ? 1 : 0;
            }
            assertTrue(negative > 0 && negative < values[1].length, "the check needs both sides of the kink, slope " + slope);
            assertArrayEquals(values[1], values[0], "values, slope " + slope);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(grads[1][i], grads[0][i], "gradient " + i + ", slope " + slope);
            }
        }
    }

    @Test
    void linearLeakyReluRejectsASlopeOutsideZeroToOne() {
        Graph g = new Graph(true, 0);
        Tensor x = Tensor.constant(1, 2, new float[] {1, 2});
        Tensor w = Tensor.constant(2, 1, new float[] {1, 1});
        Tensor b = Tensor.constant(1, 1, new float[] {0});
        assertThrows(IllegalArgumentException.class, () -> g.linearLeakyRelu(x, w, b, -0.5f));
    }

    // ---------------------------------------------------------------- element-wise

    @Test
    void add() {
        checkOp("add", (g, t) -> g.add(t[0], t[1]), in("a", 3, 2, 30), in("b", 3, 2, 31));
    }

    @Test
    void sumOfSeveral() {
        checkOp("sum", (g, t) -> g.sum(List.of(t[0], t[1], t[2])), in("a", 2, 2, 32), in("b", 2, 2, 33), in("c", 2, 2, 34));
    }

    @Test
    void sub() {
        checkOp("sub", (g, t) -> g.sub(t[0], t[1]), in("a", 3, 2, 35), in("b", 3, 2, 36));
    }

    @Test
    void mul() {
        checkOp("mul", (g, t) -> g.mul(t[0], t[1]), in("a", 3, 3, 37), in("b", 3, 3, 38));
    }

    @Test
    void scale() {
        checkOp("scale", (g, t) -> g.scale(t[0], -2.5f), in("a", 2, 3, 39));
    }

    @Test
    void rsub() {
        checkOp("rsub", (g, t) -> g.rsub(1f, g.mul(t[0], t[0])), in("a", 2, 3, 40));
    }

    @Test
    void mulColumn() {
        checkOp("mulColumn", (g, t) -> g.mulColumn(t[0], t[1], 2), in("x", 3, 4, 41), in("s", 3, 3, 42));
    }

    @Test
    void concreteKeep() {
        // One column of three logits; its gradient through the noise draw, the sigmoid and the 1 / (1 - p) inflation.
        checkOp("concreteKeep", GradientChecker.DEFAULT.withStep(1e-3), (g, t) -> g.concreteKeep(t[0], 1, 6, 0.5f),
                Input.of("logits", 1, 3, new float[] {0.3f, -1.2f, 0.8f}));
        // As variational dropout uses it: a feature's embedding scaled per row by its keep factor.
        checkOp("gated embedding", GradientChecker.DEFAULT.withStep(1e-3),
                (g, t) -> g.mulColumn(t[0], g.concreteKeep(t[1], 0, 4, 0.3f), 0), in("x", 4, 3, 61),
                Input.of("logits", 1, 2, new float[] {-0.5f, 0.4f}));
    }

    // ---------------------------------------------------------------- activations

    @Test
    void relu() {
        checkOp("relu", (g, t) -> g.relu(t[0]), Input.of("x", 3, 4, awayFromZero(50, 12, 0.1, 1.5)));
    }

    @Test
    void leakyRelu() {
        checkOp("leakyRelu", (g, t) -> g.leakyRelu(t[0], 0.2f), Input.of("x", 3, 4, awayFromZero(51, 12, 0.1, 1.5)));
    }

    @Test
    void sigmoid() {
        checkOp("sigmoid", (g, t) -> g.sigmoid(t[0]), Input.of("x", 3, 4, uniform(52, 12, 4.0)));
    }

    @Test
    void tanh() {
        checkOp("tanh", (g, t) -> g.tanh(t[0]), Input.of("x", 3, 4, uniform(53, 12, 2.0)));
    }

    @Test
    void gelu() {
        checkOp("gelu", (g, t) -> g.gelu(t[0]), Input.of("x", 3, 4, uniform(54, 12, 3.0)));
    }

    @Test
    void dropoutInTraining() {
        // the checker builds every pass with the same seed, so every pass draws the same mask
        Result r = checkOp("dropout", (g, t) -> g.dropout(t[0], 0.5f), in("x", 4, 5, 55));
        int dropped = 0;
        for (double d : r.numerical()[0]) {
            dropped += Math.abs(d) < 1e-6 ? 1 : 0;
        }
        assertTrue(dropped > 0 && dropped < 20, "some but not all values dropped, got " + dropped);
    }

    @Test
    void softmax() {
        checkOp("softmax", (g, t) -> g.softmax(t[0]), Input.of("x", 3, 4, uniform(56, 12, 2.0)));
    }

    // ---------------------------------------------------------------- shape

    @Test
    void concat() {
        checkOp("concat", (g, t) -> g.concat(List.of(t[0], t[1], t[2])), in("a", 2, 3, 60), constant("b", 2, 1, 61),
                in("c", 2, 2, 62));
        checkOp("concat of one", (g, t) -> g.concat(List.of(g.tanh(t[0]))), in("a", 2, 3, 63));
    }

    @Test
    void slice() {
        checkOp("slice", (g, t) -> g.slice(t[0], 1, 3), in("x", 3, 5, 64));
    }

    @Test
    void reshape() {
        // reshape an op's output (gradient shared with it) and use the result in another op
        checkOp("reshape", (g, t) -> g.mul(g.reshape(g.tanh(t[0]), 3, 4), t[1]), in("x", 2, 6, 65), in("y", 3, 4, 66));
        // reshape of a leaf
        checkOp("reshape leaf", (g, t) -> g.sigmoid(g.reshape(t[0], 6, 2)), in("x", 3, 4, 67));
    }

    @Test
    void selectRows() {
        // repeated and reordered rows; row 1 unused
        checkOp("selectRows", (g, t) -> g.selectRows(t[0], new int[] {2, 0, 2, 3}), in("x", 4, 3, 68));
    }

    @Test
    void repeatRows() {
        checkOp("repeatRows", (g, t) -> g.repeatRows(t[0], 3), in("x", 2, 3, 69));
    }

    // ---------------------------------------------------------------- reductions

    @Test
    void rowSum() {
        checkOp("rowSum", (g, t) -> g.rowSum(g.mul(t[0], t[0])), in("x", 3, 4, 70));
    }

    @Test
    void total() {
        checkOp("total", (g, t) -> g.total(g.tanh(t[0])), in("x", 3, 4, 71));
    }

    @Test
    void rowDot() {
        checkOp("rowDot", (g, t) -> g.rowDot(t[0], t[1]), in("a", 3, 4, 72), in("b", 3, 4, 73));
    }

    @Test
    void sumGroups() {
        checkOp("sumGroups", (g, t) -> g.mul(g.sumGroups(t[0], 3), g.sumGroups(t[0], 3)), in("x", 2, 6, 74));
    }

    @Test
    void factorizationMachine() {
        checkOp("factorizationMachine", (g, t) -> g.factorizationMachine(t[0], 3), in("fields", 4, 3 * 2, 76));
    }

    /** The fused FM term equals the composition DeepFM used before: 0.5 * rowSum((sum e)^2 - sum e^2). */
    @Test
    void factorizationMachineEqualsItsComposition() {
        float[] e = uniform(77, 5 * 4 * 3, 1.0);
        float[] lossWeights = uniform(78, 5, 1.0);
        float[][] values = new float[2][];
        float[][] grads = new float[2][];
        for (int variant = 0; variant < 2; variant++) {
            Graph g = new Graph(true, 0);
            grads[variant] = new float[e.length];
            Tensor fields = g.leaf(5, 4 * 3, e, grads[variant]);
            Tensor y;
            if (variant == 0) {
                y = g.factorizationMachine(fields, 4);
            } else {
                Tensor sum = g.sumGroups(fields, 4);
                Tensor sumOfSquares = g.sumGroups(g.mul(fields, fields), 4);
                y = g.scale(g.rowSum(g.sub(g.mul(sum, sum), sumOfSquares)), 0.5f);
            }
            values[variant] = y.data();
            g.backward(g.total(g.mul(y, Tensor.constant(5, 1, lossWeights))));
        }
        assertArrayEquals(values[1], values[0], 1e-6f, "values");
        assertArrayEquals(grads[1], grads[0], 1e-5f, "gradients");
    }

    @Test
    void factorizationMachineRejectsFieldsThatDoNotSplit() {
        Graph g = new Graph(true, 0);
        assertThrows(IllegalArgumentException.class, () -> g.factorizationMachine(Tensor.constant(2, 5, new float[10]), 2));
    }

    @Test
    void weightedSequenceSum() {
        float[] weights = uniform(75, 6, 1.0);
        weights[1] = 0f; // a zero weight still has a gradient
        // sequences of 2, 0 and 4 positions over 4 distinct values, one of them at three positions
        checkOp("weightedSequenceSum", (g, t) -> g.weightedSequenceSum(t[0], t[1], new int[] {0, 1, 2, 1, 3, 1}, new int[] {0, 2, 2, 6}),
                Input.of("weights", 6, 1, weights), in("values", 4, 4, 76));
    }

    // ---------------------------------------------------------------- packed sequences

    @Test
    void dinUnitLinear() {
        // sequences of 3, 0 and 2 positions over 3 distinct keys (key 1 at three positions); d = 3, h = 4
        int[] positions = {0, 1, 2, 1, 1};
        int[] offsets = {0, 3, 3, 5};
        checkOp("dinUnitLinear", (g, t) -> g.dinUnitLinear(t[0], t[1], positions, offsets, t[2], t[3]), in("query", 3, 3, 120),
                in("keys", 3, 3, 121), in("weight", 12, 4, 122), in("bias", 1, 4, 123));
        checkOp("dinUnitLinear without bias", (g, t) -> g.dinUnitLinear(t[0], t[1], positions, offsets, t[2], null),
                in("query", 3, 3, 124), in("keys", 3, 3, 125), in("weight", 12, 4, 126));
    }

    @Test
    void dinUnitLinearEqualsTheLayerOverTheConcatenatedUnit() {
        int[] positions = {1, 0, 2, 0, 1};
        int[] offsets = {0, 2, 2, 5};
        int[] rowOf = {0, 0, 2, 2, 2};
        float[] q = uniform(127, 3 * 2, 1.0);
        float[] k = uniform(128, 3 * 2, 1.0);
        float[] w = uniform(129, 8 * 3, 1.0);
        float[] b = uniform(130, 3, 1.0);
        Graph g = new Graph(false, 0);
        Tensor fused = g.dinUnitLinear(Tensor.constant(3, 2, q), Tensor.constant(3, 2, k), positions, offsets,
                Tensor.constant(8, 3, w), Tensor.constant(1, 3, b));
        for (int p = 0; p < 5; p++) {
            int r = rowOf[p];
            float[] unit = new float[8];
            for (int i = 0; i < 2; i++) {
                float qi = q[r * 2 + i];
                float ki = k[positions[p] * 2 + i];
                unit[i] = qi;
                unit[2 + i] = ki;
                unit[4 + i] = qi - ki;
                unit[6 + i] = qi * ki;
            }
            for (int j = 0; j < 3; j++) {
                double expected = b[j];
                for (int i = 0; i < 8; i++) {
                    expected += unit[i] * w[i * 3 + j];
                }
                assertEquals(expected, fused.get(p, j), 1e-5, "position " + p + ", unit " + j);
            }
        }
    }

    /** DIN's fused attention MLP (unit layer, DICE, a second layer with DICE, the output layer), in training and evaluation. */
    @Test
    void dinAttention() {
        // sequences of 3, 0 and 3 positions over 3 distinct keys; d = 3, layers 4 and 2 wide
        int[] positions = {0, 1, 2, 1, 1, 0};
        int[] offsets = {0, 3, 3, 6};
        for (boolean training : new boolean[] {true, false}) {
            float[] mean0 = {0.1f, -0.2f, 0.3f, 0f};
            float[] var0 = {0.5f, 1.5f, 1f, 2f};
            float[] mean1 = {-0.1f, 0.2f};
            float[] var1 = {0.8f, 1.2f};
            checkOp("dinAttention, training " + training, GradientChecker.DEFAULT.withTraining(training),
                    (g, t) -> g.dinAttention(t[0], t[1], positions, offsets, List.of(
                            new DiceLayer(t[2], t[3], t[4], mean0, var0, 1e-5f, new float[4], new float[4]),
                            new DiceLayer(t[5], t[6], t[7], mean1, var1, 1e-5f, new float[2], new float[2])), t[8], t[9]),
                    in("query", 3, 3, 140), in("keys", 3, 3, 141), in("weight0", 12, 4, 142), in("bias0", 1, 4, 143),
                    in("alpha0", 1, 4, 144), in("weight1", 4, 2, 145), in("bias1", 1, 2, 146), in("alpha1", 1, 2, 147),
                    in("outWeight", 2, 1, 148), in("outBias", 1, 1, 149));
        }
    }

    @Test
    void diceInTraining() {
        float[] runningMean = new float[3];
        float[] runningVar = {1, 1, 1};
        float[] batchMean = new float[3];
        float[] batchVar = new float[3];
        checkOp("dice training", (g, t) -> g.dice(t[0], t[1], runningMean, runningVar, 1e-5f, batchMean, batchVar),
                in("x", 6, 3, 131), in("alpha", 1, 3, 132));
        assertEquals(0f, runningMean[0], "dice must not touch the running statistics itself");
        assertTrue(batchVar[0] > 0, "the batch's variance is reported");
    }

    @Test
    void diceInEvaluation() {
        float[] runningMean = {0.2f, -0.1f, 0.5f};
        float[] runningVar = {0.5f, 2f, 1.5f};
        Settings eval = GradientChecker.DEFAULT.withTraining(false);
        checkOp("dice eval", eval, (g, t) -> g.dice(t[0], t[1], runningMean, runningVar, 1e-5f, new float[3], new float[3]),
                in("x", 4, 3, 133), in("alpha", 1, 3, 134));
    }

    /** The fused op computes what DICE's composition of ops (batch norm, sigmoid, products) did, values and gradients. */
    @Test
    void diceEqualsItsComposition() {
        assertDiceEqualsItsComposition(5, 4, 1e-5f);
    }

    /**
     * Over many tiles of rows (the fused op's unit of work, about 1,024 floats) and several foldings
     * of its per-tile gradient sums, with a column count that does not divide the tile.
     */
    @Test
    void diceEqualsItsCompositionOverManyTiles() {
        assertDiceEqualsItsComposition(900, 48, 2e-5f);
        assertDiceEqualsItsComposition(1100, 7, 2e-5f);
    }

    private static void assertDiceEqualsItsComposition(int rows, int cols, float tolerance) {
        for (boolean training : new boolean[] {true, false}) {
            float[] x = uniform(135, rows * cols, 2.0);
            float[] alpha = uniform(136, cols, 1.0);
            float[] runningMean = uniform(137, cols, 0.5);
            float[] runningVar = new float[cols];
            for (int j = 0; j < cols; j++) {
                runningVar[j] = 0.5f + j % 4 * 0.5f;
            }
            float[] upstream = uniform(138, rows * cols, 1.0);
            float[][] values = new float[2][];
            float[][] dx = new float[2][];
            float[][] dAlpha = new float[2][];
            float[][] means = new float[2][cols];
            for (int variant = 0; variant < 2; variant++) {
                Graph g = new Graph(training, 0);
                dx[variant] = new float[x.length];
                dAlpha[variant] = new float[cols];
                Tensor xt = g.leaf(rows, cols, x, dx[variant]);
                Tensor at = g.leaf(1, cols, alpha, dAlpha[variant]);
                Tensor y;
                if (variant == 0) {
                    y = g.dice(xt, at, runningMean, runningVar, 1e-5f, means[variant], new float[cols]);
                } else {
                    Tensor p = g.sigmoid(g.batchNorm(xt, null, null, runningMean, runningVar, 1e-5f, means[variant], new float[cols]));
                    Tensor ax = g.mulRowVector(xt, at);
                    y = g.add(ax, g.mul(p, g.sub(xt, ax)));
                }
                values[variant] = y.data();
                g.backward(g.total(g.mul(y, Tensor.constant(rows, cols, upstream))));
            }
            String mode = (training ? "training" : "evaluation") + ", " + rows + " x " + cols;
            assertArrayEquals(values[1], values[0], tolerance, "values in " + mode);
            assertArrayEquals(dx[1], dx[0], tolerance, "dx in " + mode);
            // dalpha sums over every row: compare relative to its size
            for (int j = 0; j < cols; j++) {
                assertEquals(dAlpha[1][j], dAlpha[0][j], tolerance * Math.max(1, Math.abs(dAlpha[1][j])), "dalpha[" + j + "] in " + mode);
            }
            assertArrayEquals(means[1], means[0], 1e-6f, "batch means in " + mode);
        }
    }

    // ---------------------------------------------------------------- normalisation

    @Test
    void l2NormalizeRows() {
        checkOp("l2NormalizeRows", (g, t) -> g.l2NormalizeRows(t[0], 1e-6f), in("x", 3, 4, 80));
    }

    @Test
    void l2NormalizeRowsBelowTheFloor() {
        // a row whose norm is below eps is divided by eps: linear, gradient 1 / eps
        float[] tiny = uniform(81, 4, 1e-5);
        Settings fine = GradientChecker.DEFAULT.withStep(1e-7).withTolerance(1e-2, 1e-2);
        Result r = checkOp("l2NormalizeRows floored", fine, (g, t) -> g.l2NormalizeRows(t[0], 1e-3f), Input.of("x", 1, 4, tiny));
        assertTrue(Math.abs(r.analytic()[0][0]) > 100, "1 / eps scale expected, got " + r.analytic()[0][0]);
    }

    @Test
    void layerNormWithGainAndBias() {
        checkOp("layerNorm", (g, t) -> g.layerNorm(t[0], t[1], t[2], 1e-5f), in("x", 3, 5, 82), in("gamma", 1, 5, 83),
                in("beta", 1, 5, 84));
    }

    @Test
    void layerNormWithoutGainAndBias() {
        checkOp("layerNorm plain", (g, t) -> g.layerNorm(t[0], null, null, 1e-5f), in("x", 3, 5, 85));
    }

    @Test
    void batchNormInTraining() {
        float[] runningMean = new float[3];
        float[] runningVar = {1, 1, 1};
        checkOp("batchNorm training", (g, t) -> g.batchNorm(t[0], t[1], t[2], runningMean, runningVar, 1e-5f, new float[3],
                new float[3]), in("x", 6, 3, 86), in("gamma", 1, 3, 87), in("beta", 1, 3, 88));
        assertEquals(0f, runningMean[0], "batchNorm must not touch the running statistics itself");
        assertEquals(1f, runningVar[0], "batchNorm must not touch the running statistics itself");
    }

    @Test
    void batchNormInEvaluation() {
        float[] runningMean = {0.2f, -0.1f, 0.5f};
        float[] runningVar = {0.5f, 2f, 1.5f};
        Settings eval = GradientChecker.DEFAULT.withTraining(false);
        checkOp("batchNorm eval", eval, (g, t) -> g.batchNorm(t[0], t[1], t[2], runningMean, runningVar, 1e-5f, new float[3],
                new float[3]), in("x", 4, 3, 89), in("gamma", 1, 3, 90), in("beta", 1, 3, 91));
    }

    @Test
    void mulRowVector() {
        checkOp("mulRowVector", (g, t) -> g.mulRowVector(t[0], t[1]), in("x", 3, 4, 92), in("v", 1, 4, 93));
    }

    // ---------------------------------------------------------------- losses

    @Test
    void binaryCrossEntropyWithLogits() {
        float[] labels = {1, 0, 0.3f, 1, 0};
        checkOp("bce logits", (g, t) -> g.binaryCrossEntropyWithLogits(t[0], labels, 0.7f),
                Input.of("z", 5, 1, new float[] {2.5f, -1f, 0.3f, -4f, 6f}));
    }

    @Test
    void binaryKlDivergenceWithLogits() {
        float[] targets = {0.9f, 0.05f, 0.3f, 1, 0};
        checkOp("kl logits", (g, t) -> g.binaryKlDivergenceWithLogits(t[0], targets, 0.7f),
                Input.of("z", 5, 1, new float[] {2.5f, -1f, 0.3f, -4f, 6f}));
    }

    @Test
    void softenedCrossEntropyOfDistillation() {
        // the distillation term at temperature 3: logits divided by T, the loss scaled by T^2
        float[] targets = {0.6f, 0.45f, 0.2f, 0.8f};
        checkOp("bce at T=3", (g, t) -> g.binaryCrossEntropyWithLogits(g.scale(t[0], 1f / 3), targets, 9f / 4),
                Input.of("z", 4, 1, new float[] {2.5f, -1f, 0.3f, -4f}));
    }

    @Test
    void binaryCrossEntropy() {
        float[] labels = {1, 0, 0.3f, 1, 0};
        checkOp("bce", GradientChecker.DEFAULT.withStep(1e-3), (g, t) -> g.binaryCrossEntropy(t[0], labels, 0.7f),
                Input.of("p", 5, 1, new float[] {0.9f, 0.2f, 0.5f, 0.3f, 0.65f}));
    }

    @Test
    void binaryCrossEntropyOfAProductOfProbabilities() {
        // ESMM's pCTCVR = pCTR * pCVR, probabilities of logits
        float[] labels = {1, 0, 1, 0};
        checkOp("bce product", (g, t) -> g.binaryCrossEntropy(g.mul(g.sigmoid(t[0]), g.sigmoid(t[1])), labels, 0.25f),
                in("ctr", 4, 1, 100), in("cvr", 4, 1, 101));
    }

    @Test
    void squaredError() {
        float[] targets = {1.5f, -0.5f, 0f, 2f};
        checkOp("squaredError", (g, t) -> g.squaredError(t[0], targets, 0.5f), in("p", 4, 1, 102));
    }

    @Test
    void softmaxCrossEntropy() {
        int[] targets = {0, 3, 2};
        checkOp("softmaxCrossEntropy", (g, t) -> g.softmaxCrossEntropy(t[0], targets, null, 0.5f),
                Input.of("z", 3, 4, uniform(103, 12, 2.0)));
    }

    @Test
    void softmaxCrossEntropyWithLogitOffsets() {
        int[] targets = {1, 0, 3};
        float[] offsets = uniform(104, 12, 3.0);
        checkOp("softmaxCrossEntropy offsets", (g, t) -> g.softmaxCrossEntropy(t[0], targets, offsets, 1f),
                Input.of("z", 3, 4, uniform(105, 12, 2.0)));
    }

    @Test
    void pairwiseLogistic() {
        int[] targets = {0, 3, 2};
        // row 0 against every other column, row 1 against one column twice (a sampled negative drawn twice), row 2 none but one
        float[] weights = {0, 1f / 3, 1f / 3, 1f / 3, 0, 0, 1f, 0, 0, 0.5f, 0, 0};
        checkOp("pairwiseLogistic", (g, t) -> g.pairwiseLogistic(t[0], targets, weights, 0.5f),
                Input.of("s", 3, 4, uniform(106, 12, 2.0)));
    }

    @Test
    void aComposedNetwork() {
        // a small tower end to end: linear, layer norm, gelu, dropout, linear, BCE
        float[] labels = {1, 0, 1};
        checkOp("composed", (g, t) -> {
            Tensor h = g.dropout(g.gelu(g.layerNorm(g.linear(t[0], t[1], t[2]), t[3], null, 1e-5f)), 0.25f);
            return g.binaryCrossEntropyWithLogits(g.linear(h, t[4], null), labels, 1f / 3);
        }, constant("x", 3, 4, 110), in("w1", 4, 5, 111), in("b1", 1, 5, 112), in("gamma", 1, 5, 113), in("w2", 5, 1, 114));
    }
}

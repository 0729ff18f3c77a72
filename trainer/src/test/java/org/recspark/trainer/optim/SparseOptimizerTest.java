package org.recspark.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.config.ConfigException;
import org.recspark.config.proto.Adagrad;
import org.recspark.config.proto.Adam;
import org.recspark.config.proto.AdamW;
import org.recspark.config.proto.Ftrl;
import org.recspark.config.proto.LazyAdam;
import org.recspark.config.proto.LearningRate;
import org.recspark.config.proto.Optimizer;
import org.recspark.config.proto.Sgd;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;
import org.recspark.model.nn.Initializer;

/**
 * Embedding-row updates against numbers worked out from the published rules. Rows A = (1, -2), B =
 * (0.5, 0.3), C = (-1, 1) (ids 10, 20, 30); step 1 has gradients for A (0.5, -1) and B (0.2, 0.1),
 * step 2 for A (0.1, 0.2) only, step 3 for A (-0.3, 0.4) and B (0.3, -0.2); C is never in a batch.
 * The expectations were computed in double precision independently of this code.
 */
class SparseOptimizerTest {

    private static final long A = 10;
    private static final long B = 20;
    private static final long C = 30;
    private static final float TOLERANCE = 2e-6f;

    private static final List<Map<Long, float[]>> STEPS = List.of(
            batch(A, new float[] {0.5f, -1f}, B, new float[] {0.2f, 0.1f}),
            batch(A, new float[] {0.1f, 0.2f}, -1, null),
            batch(A, new float[] {-0.3f, 0.4f}, B, new float[] {0.3f, -0.2f}));

    private static Map<Long, float[]> batch(long id1, float[] g1, long id2, float[] g2) {
        Map<Long, float[]> m = new LinkedHashMap<>();
        m.put(id1, g1);
        if (g2 != null) {
            m.put(id2, g2);
        }
        return m;
    }

    private static Optimizer.Builder withRate(double lr) {
        return Optimizer.newBuilder().setLearningRate(LearningRate.newBuilder().setInitial(lr));
    }

    private static float[] row(EmbeddingTable t, long id) {
        int slot = t.findSlot(id);
        return Arrays.copyOfRange(t.values(slot), t.offset(slot), t.offset(slot) + t.dim());
    }

    /** A table with rows A, B, C attached to the optimizer; rows zero when {@code zeroRows}, else A, B, C as above. */
    private static EmbeddingTable table(SparseOptimizer optimizer, boolean zeroRows) {
        EmbeddingTable t = new EmbeddingTable("items", 2, Initializer.zeros(), 1);
        optimizer.attach(t);
        float[][] init = {{1, -2}, {0.5f, 0.3f}, {-1, 1}};
        long[] ids = {A, B, C};
        for (int i = 0; i < ids.length; i++) {
            int slot = t.slotOf(ids[i]);
            if (!zeroRows) {
                System.arraycopy(init[i], 0, t.values(slot), t.offset(slot), 2);
            }
        }
        return t;
    }

    /**
     * Runs the three steps and checks the rows after each: {@code expected[step]} holds A, B, C (C may
     * be omitted: then it must keep its initial value).
     */
    private static EmbeddingTable assertSteps(String label, Optimizer config, boolean zeroRows, double[][][] expected) {
        SparseOptimizer optimizer = SparseOptimizer.of(config, "train_config.sparse_optimizer");
        EmbeddingTable t = table(optimizer, zeroRows);
        float[] initialC = row(t, C);
        for (int step = 0; step < expected.length; step++) {
            SparseGradient g = new SparseGradient(2);
            for (Map.Entry<Long, float[]> e : STEPS.get(step).entrySet()) {
                int offset = g.offsetOf(t.findSlot(e.getKey()));
                System.arraycopy(e.getValue(), 0, g.rows(), offset, 2);
            }
            optimizer.step(t, g);
            optimizer.advance();
            long[] ids = {A, B, C};
            for (int i = 0; i < ids.length; i++) {
                float[] want = i < expected[step].length ? toFloat(expected[step][i]) : initialC;
                assertArrayEquals(want, row(t, ids[i]), TOLERANCE, label + ": row " + "ABC".charAt(i) + " after step " + (step + 1));
            }
        }
        assertEquals(expected.length, optimizer.steps(), label + ": steps advanced");
        return t;
    }

    private static float[] toFloat(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    @Test
    void sgdTouchesOnlyTheBatchRows() {
        assertSteps("sgd", withRate(0.1).setSgd(Sgd.getDefaultInstance()).build(), false, new double[][][] {
                {{0.95, -1.9}, {0.48, 0.29}},
                {{0.94, -1.92}, {0.48, 0.29}},
                {{0.97, -1.96}, {0.45, 0.31}}});
    }

    @Test
    void sgdWithL2PenalisesTouchedRowsOnly() {
        assertSteps("sgd l2", withRate(0.1).setSgd(Sgd.getDefaultInstance()).setL2(0.5).build(), false, new double[][][] {
                {{0.9, -1.8}, {0.455, 0.275}},
                {{0.845, -1.73}, {0.455, 0.275}},
                {{0.83275, -1.6835}, {0.40225, 0.28125}}});
    }

    @Test
    void adagradWithInitialAccumulator() {
        EmbeddingTable t = assertSteps("adagrad", withRate(0.1).setAdagrad(Adagrad.newBuilder().setInitialAccumulator(0.1)).build(),
                false, new double[][][] {
                        {{0.9154845745, -1.9046537411}, {0.4465477516, 0.2698488655}},
                        {{0.8988179079, -1.9233854573}, {0.4465477516, 0.2698488655}},
                        {{0.9435392674, -1.9584677781}, {0.3839934274, 0.3214886435}}});
        int c = t.findSlot(C);
        assertArrayEquals(new float[] {0.1f, 0.1f}, Arrays.copyOfRange(t.state(c), t.stateOffset(c), t.stateOffset(c) + 2),
                "an untouched row keeps the initial accumulator");
        int a = t.findSlot(A);
        assertArrayEquals(new float[] {0.1f + 0.25f + 0.01f + 0.09f, 0.1f + 1 + 0.04f + 0.16f},
                Arrays.copyOfRange(t.state(a), t.stateOffset(a), t.stateOffset(a) + 2), 1e-6f, "accumulated squares");
    }

    @Test
    void adamMovesEveryAllocatedRowLikeDenseAdam() {
        // B has no gradient at step 2 but its moments decay and it moves; C never had a gradient and stays
        assertSteps("adam", withRate(0.1).setAdam(Adam.getDefaultInstance()).build(), false, new double[][][] {
                {{0.900000002, -1.900000001}, {0.400000005, 0.20000001}},
                {{0.8196959064, -1.848897394}, {0.3329941843, 0.1329941941}},
                {{0.7986246118, -1.8354734342}, {0.2511141464, 0.1669976385}}});
    }

    @Test
    void adamAppliesTheL2PenaltyToRowsOutsideTheBatch() {
        Optimizer config = Optimizer.newBuilder().setAdam(Adam.getDefaultInstance()).setL2(0.5)
                .setLearningRate(LearningRate.newBuilder().setInitial(0.1)).build();
        SparseOptimizer optimizer = SparseOptimizer.of(config, "train_config.sparse_optimizer");
        EmbeddingTable table = new EmbeddingTable("t", 2, new Initializer.Constant(0.25f), 1);
        optimizer.attach(table);
        table.slotOf(7);
        int untouched = table.slotOf(9);
        table.values(untouched)[table.offset(untouched) + 1] = -0.5f;
        SparseGradient g = new SparseGradient(2);
        g.rows()[g.offsetOf(0)] = 1f;
        optimizer.step(table, g);
        optimizer.advance();
        // first Adam step on the penalty gradient 0.5 * w: a step of lr against the sign of w
        float[] row = new float[2];
        table.read(9, row, 0);
        assertEquals(0.25 - 0.1, row[0], 1e-6, "untouched row, positive weight");
        assertEquals(-0.5 + 0.1, row[1], 1e-6, "untouched row, negative weight");
    }

    /**
     * Exact Adam walks every allocated row through the table's chunks (4,096 rows each); over three
     * chunks, with and without L2, it must give bit for bit what a row-by-row Adam written out
     * here gives, for rows in the batch, rows outside it and rows in the batch only sometimes.
     */
    @Test
    void adamOverSeveralChunksEqualsRowByRowAdam() {
        for (double l2 : new double[] {0, 0.01}) {
            Optimizer config = Optimizer.newBuilder().setAdam(Adam.getDefaultInstance()).setL2(l2)
                    .setLearningRate(LearningRate.newBuilder().setInitial(0.01)).build();
            SparseOptimizer optimizer = SparseOptimizer.of(config, "train_config.sparse_optimizer");
            int dim = 3;
            int rows = 9_000;
            EmbeddingTable table = new EmbeddingTable("t", dim, new Initializer.Normal(0.1f), 5);
            optimizer.attach(table);
            for (int id = 0; id < rows; id++) {
                table.slotOf(id * 31L);
            }
            float[] w = table.valuesInSlotOrder();
            float[] m = new float[rows * dim];
            float[] v = new float[rows * dim];
            SplittableRandom random = new SplittableRandom(11);
            for (int step = 1; step <= 3; step++) {
                SparseGradient g = new SparseGradient(dim);
                float[] dense = new float[rows * dim];
                for (int k = 0; k < 700; k++) {
                    int slot = random.nextInt(rows);
                    int offset = g.offsetOf(slot);
                    for (int j = 0; j < dim; j++) {
                        float x = (float) random.nextGaussian();
                        g.rows()[offset + j] += x;
                        dense[slot * dim + j] += x;
                    }
                }
                optimizer.step(table, g);
                optimizer.advance();
                float beta1 = (float) 0.9;
                float beta2 = (float) 0.999;
                float oneMinusBeta1 = (float) (1 - 0.9);
                float oneMinusBeta2 = (float) (1 - 0.999);
                float stepSize = (float) (0.01 / (1 - Math.pow(0.9, step)));
                float sqrtCorrection2 = (float) Math.sqrt(1 - Math.pow(0.999, step));
                for (int i = 0; i < rows * dim; i++) {
                    // the loss gradient (zero outside the batch) plus the L2 penalty's
                    float gi = dense[i] + (float) (l2 * w[i]);
                    m[i] = beta1 * m[i] + oneMinusBeta1 * gi;
                    v[i] = beta2 * v[i] + oneMinusBeta2 * gi * gi;
                    w[i] -= stepSize * (m[i] / ((float) Math.sqrt(v[i]) / sqrtCorrection2 + (float) 1e-8));
                }
                assertArrayEquals(w, table.valuesInSlotOrder(), "l2 " + l2 + ", step " + step + ": weights");
            }
        }
    }

    @Test
    void lazyAdamLeavesUntouchedRowsAlone() {
        // B keeps its step-1 value and moments through step 2; at step 3 it uses t = 3 bias correction
        assertSteps("lazy_adam", withRate(0.1).setLazyAdam(LazyAdam.getDefaultInstance()).build(), false, new double[][][] {
                {{0.900000002, -1.900000001}, {0.400000005, 0.20000001}},
                {{0.8196959064, -1.848897394}, {0.400000005, 0.20000001}},
                {{0.7986246118, -1.8354734342}, {0.3149429154, 0.2314286245}}});
    }

    @Test
    void anUnsetOptimizerIsLazyAdam() {
        assertSteps("unset", withRate(0.1).build(), false, new double[][][] {
                {{0.900000002, -1.900000001}, {0.400000005, 0.20000001}},
                {{0.8196959064, -1.848897394}, {0.400000005, 0.20000001}},
                {{0.7986246118, -1.8354734342}, {0.3149429154, 0.2314286245}}});
    }

    @Test
    void ftrlFromZeroRowsFollowsMcMahanAlgorithmOne() {
        // McMahan et al. 2013, Algorithm 1, per coordinate, from z = n = 0 (so w starts at 0):
        //   sigma = (sqrt(n + g^2) - sqrt(n)) / alpha; z += g - sigma * w; n += g^2;
        //   w = 0 if |z| <= l1 else -(z - sgn(z) l1) / ((beta + sqrt(n)) / alpha + lambda2)
        // with the paper's lambda2 = 2 * l2 (the config's l2 is TensorFlow's, the coefficient of w^2).
        // alpha 0.5, beta 1, l1 0.05, l2 0.1
        Ftrl ftrl = Ftrl.newBuilder().setL1(0.05).setL2(0.1).setBeta(1).setLearningRatePower(-0.5).build();
        assertSteps("ftrl paper", withRate(0.5).setFtrl(ftrl).build(), true, new double[][][] {
                {{-0.140625, 0.2261904762}, {-0.0576923077, -0.0208333333}, {0, 0}},
                {{-0.171682792, 0.1790163013}, {-0.0576923077, -0.0208333333}, {0, 0}},
                {{-0.083009765, 0.0879186015}, {-0.1603929844, 0.0169422357}, {0, 0}}});
    }

    @Test
    void ftrlFromInitialisedRowsFollowsTensorFlow() {
        // TensorFlow's ApplyFtrl (beta folded in as l2 + beta / (2 alpha)): the initial value enters through
        // z = g - sigma * w0. Step 1 zeroes B: z = (0.2 - 0.4 * 0.5, 0.1 - 0.2 * 0.3) = (0, 0.04), |z| <= l1.
        Ftrl ftrl = Ftrl.newBuilder().setL1(0.05).setL2(0.1).setBeta(1).build();
        assertSteps("ftrl tf", withRate(0.5).setFtrl(ftrl).build(), false, new double[][][] {
                {{0.140625, -0.7023809524}, {0, 0}},
                {{0.109567208, -0.7495551273}, {0, 0}},
                {{0.198240235, -0.840652827}, {-0.0855838973, 0.041553126}}});
        // without regularisation and beta the first step is Adagrad's: w0 - alpha * g / |g|
        Ftrl plain = Ftrl.newBuilder().setL1(0).setL2(0).setBeta(0).build();
        assertSteps("ftrl plain", withRate(0.5).setFtrl(plain).build(), false, new double[][][] {
                {{0.5, -1.5}, {0, -0.2}},
                {{0.4019419324, -1.5980580676}, {0, -0.2}},
                {{0.6554882088, -1.7806322534}, {-0.4160251472, 0.2472135955}}});
        // another learning-rate power: n^0.25 in place of sqrt(n)
        Ftrl power = Ftrl.newBuilder().setL1(0).setL2(0).setBeta(0.5).setLearningRatePower(-0.25).build();
        assertSteps("ftrl power", withRate(0.5).setFtrl(power).build(), false, new double[][][] {
                {{0.3786796564, -1.0}, {0.1304951685, 0.0549703547}},
                {{0.3374960119, -1.0662315954}, {0.1304951685, 0.0549703547}},
                {{0.4556843671, -1.1955445762}, {-0.0058111662, 0.1577589259}}});
    }

    @Test
    void stateWidthPerOptimizer() {
        assertEquals(0, table(SparseOptimizer.of(withRate(0.1).setSgd(Sgd.getDefaultInstance()).build(), "p"), false).stateWidth(), "sgd");
        assertEquals(2, table(SparseOptimizer.of(withRate(0.1).setAdagrad(Adagrad.getDefaultInstance()).build(), "p"), false).stateWidth(),
                "adagrad: one accumulator per value");
        assertEquals(4, table(SparseOptimizer.of(withRate(0.1).setAdam(Adam.getDefaultInstance()).build(), "p"), false).stateWidth(),
                "adam: m and v");
        assertEquals(4, table(SparseOptimizer.of(withRate(0.1).setFtrl(Ftrl.getDefaultInstance()).build(), "p"), false).stateWidth(),
                "ftrl: z and n");
    }

    @Test
    void adamWIsRejectedForEmbeddings() {
        String path = "train_config.sparse_optimizer";
        ConfigException e = assertThrows(ConfigException.class,
                () -> SparseOptimizer.of(withRate(0.1).setAdamw(AdamW.getDefaultInstance()).build(), path), "adamw");
        assertEquals(path, e.violations().get(0).path(), "the violation names the config path");
        assertTrue(e.getMessage().contains(path) && e.getMessage().contains("adamw"), e.getMessage());
        assertDoesNotThrow(() -> SparseOptimizer.of(withRate(0.1).setLazyAdam(LazyAdam.getDefaultInstance()).build(), path), "lazy_adam");
        assertDoesNotThrow(() -> SparseOptimizer.of(withRate(0.1).build(), path), "unset means lazy_adam");
    }
}

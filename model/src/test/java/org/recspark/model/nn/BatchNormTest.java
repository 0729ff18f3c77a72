package org.recspark.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/** Batch-norm running statistics: what a training pass observes, how it is folded, how evaluation uses it. */
class BatchNormTest {

    private static final float EPS = 1e-5f;

    // columns (1, 3, 5) and (10, 10, 40): means 3 and 20, unbiased variances 4 and 300
    private static final float[] BATCH = {1, 10, 3, 10, 5, 40};

    @Test
    void trainingPassObservesBatchMeanAndUnbiasedVariance() {
        ModelParameters params = new ModelParameters(1);
        BatchNorm bn = new BatchNorm(params, "bn", 2, true);
        Parameter mean = params.parameter("bn/running_mean");
        Parameter var = params.parameter("bn/running_var");
        assertArrayEquals(new float[] {0, 0}, mean.value(), "running mean starts at 0");
        assertArrayEquals(new float[] {1, 1}, var.value(), "running variance starts at 1");
        assertTrue(!mean.trainable() && !var.trainable(), "running statistics are buffers");
        Gradients gradients = new Gradients();
        bn.forward(new Pass(new Graph(true, 0), null, gradients), Tensor.constant(3, 2, BATCH));
        assertArrayEquals(new float[] {3, 20}, gradients.bufferObservations().get(mean), 1e-6f, "observed batch mean");
        assertArrayEquals(new float[] {4, 300}, gradients.bufferObservations().get(var), 1e-4f, "observed unbiased variance");
        assertArrayEquals(new float[] {0, 0}, mean.value(), "the pass itself leaves the running mean alone");
        assertArrayEquals(new float[] {1, 1}, var.value(), "the pass itself leaves the running variance alone");
    }

    @Test
    void foldIntoIsAnExponentialAverageWithMomentumPointOne() {
        ModelParameters params = new ModelParameters(2);
        new BatchNorm(params, "bn", 2, true);
        Parameter mean = params.parameter("bn/running_mean");
        Parameter var = params.parameter("bn/running_var");
        BatchNorm.foldInto(mean, new float[] {3, 20});
        BatchNorm.foldInto(var, new float[] {4, 300});
        assertArrayEquals(new float[] {0.3f, 2f}, mean.value(), 1e-6f, "0.9 * 0 + 0.1 * batch mean");
        assertArrayEquals(new float[] {1.3f, 30.9f}, var.value(), 1e-5f, "0.9 * 1 + 0.1 * batch variance");
        BatchNorm.foldInto(mean, new float[] {3, 20});
        assertArrayEquals(new float[] {0.57f, 3.8f}, mean.value(), 1e-6f, "0.9 * 0.3 + 0.1 * 3 and 0.9 * 2 + 0.1 * 20");
        // many folds of the same statistic converge to it
        for (int i = 0; i < 300; i++) {
            BatchNorm.foldInto(mean, new float[] {3, 20});
        }
        assertArrayEquals(new float[] {3, 20}, mean.value(), 1e-4f, "converges to a constant statistic");
    }

    @Test
    void evaluationUsesTheRunningStatistics() {
        ModelParameters params = new ModelParameters(3);
        BatchNorm bn = new BatchNorm(params, "bn", 2, true);
        System.arraycopy(new float[] {1, -2}, 0, params.parameter("bn/running_mean").value(), 0, 2);
        System.arraycopy(new float[] {4, 0.25f}, 0, params.parameter("bn/running_var").value(), 0, 2);
        System.arraycopy(new float[] {2, 3}, 0, params.parameter("bn/gamma").value(), 0, 2);
        System.arraycopy(new float[] {0.5f, -1}, 0, params.parameter("bn/beta").value(), 0, 2);
        Tensor y = bn.forward(Pass.inference(null), Tensor.constant(3, 2, BATCH));
        float[] expected = new float[6];
        float[] runningMean = {1, -2};
        float[] runningVar = {4, 0.25f};
        float[] gamma = {2, 3};
        float[] beta = {0.5f, -1};
        for (int r = 0; r < 3; r++) {
            for (int j = 0; j < 2; j++) {
                expected[r * 2 + j] = (float) (gamma[j] * (BATCH[r * 2 + j] - runningMean[j]) / Math.sqrt(runningVar[j] + EPS) + beta[j]);
            }
        }
        // row 1: 2 * (1 - 1) / 2 + 0.5 = 0.5 and 3 * (10 + 2) / 0.5 - 1 = 71
        assertEquals(0.5f, expected[0], 1e-4f, "hand check of the expectation");
        assertEquals(71f, expected[1], 1e-2f, "hand check of the expectation");
        assertArrayEquals(expected, y.data(), 1e-4f, "normalised with running statistics");
        // a row's output does not depend on the rest of the batch in evaluation
        Tensor single = bn.forward(Pass.inference(null), Tensor.constant(1, 2, new float[] {5, 40}));
        assertArrayEquals(new float[] {y.data()[4], y.data()[5]}, single.data(), 1e-6f, "batch-independent");
        // while a training pass uses the batch's own statistics
        Tensor trained = bn.forward(new Pass(new Graph(true, 0), null, new Gradients()), Tensor.constant(3, 2, BATCH));
        assertEquals(0.5f, trained.data()[2], 1e-5f, "the batch mean maps to beta in training");
    }

    @Test
    void shardsAverageTheirObservations() {
        ModelParameters params = new ModelParameters(4);
        new BatchNorm(params, "bn", 2, true);
        Parameter mean = params.parameter("bn/running_mean");
        Parameter gamma = params.parameter("bn/gamma");
        Gradients a = new Gradients();
        Gradients b = new Gradients();
        a.observe(mean, new float[] {1, 2});
        b.observe(mean, new float[] {3, 6});
        a.dense(gamma)[0] = 1;
        b.dense(gamma)[0] = 2;
        Gradients merged = Gradients.merge(List.of(a, b));
        assertArrayEquals(new float[] {2, 4}, merged.bufferObservations().get(mean), 1e-6f, "average over shards");
        assertArrayEquals(new float[] {3, 0}, merged.denseGradients().get(gamma), 1e-6f, "gradients add up");
    }
}

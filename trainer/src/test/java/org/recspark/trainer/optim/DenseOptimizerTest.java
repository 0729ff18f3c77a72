package org.recspark.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
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
import org.recspark.model.nn.Initializer;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;

/**
 * Dense updates against numbers worked out from the published rules (w0 = (1, -2), gradients (0.5,
 * -1), (0.1, 0.2), (-0.3, 0.4), learning rate 0.1; the expectations were computed in double precision
 * independently of this code).
 */
class DenseOptimizerTest {

    private static final float[][] GRADIENTS = {{0.5f, -1f}, {0.1f, 0.2f}, {-0.3f, 0.4f}};
    private static final float TOLERANCE = 2e-6f;

    private static Optimizer.Builder withRate(double lr) {
        return Optimizer.newBuilder().setLearningRate(LearningRate.newBuilder().setInitial(lr));
    }

    /** Runs three steps from w0 = (1, -2) and checks the weights after each. */
    private static void assertSteps(String label, Optimizer config, double[][] expected) {
        ModelParameters params = new ModelParameters(1);
        Parameter w = params.weight("w", 1, 2, Initializer.zeros());
        w.value()[0] = 1;
        w.value()[1] = -2;
        DenseOptimizer optimizer = DenseOptimizer.of(config, "train_config.dense_optimizer");
        for (int step = 0; step < expected.length; step++) {
            optimizer.step(List.of(w), Map.of(w, GRADIENTS[step].clone()));
            assertEquals(step + 1, optimizer.steps(), label + ": step count");
            assertArrayEquals(new float[] {(float) expected[step][0], (float) expected[step][1]}, w.value(), TOLERANCE,
                    label + " after step " + (step + 1));
        }
    }

    @Test
    void plainSgd() {
        // w -= lr * g
        assertSteps("sgd", withRate(0.1).setSgd(Sgd.getDefaultInstance()).build(),
                new double[][] {{0.95, -1.9}, {0.94, -1.92}, {0.97, -1.96}});
    }

    @Test
    void sgdWithMomentum() {
        // v = 0.9 v + g; w -= lr * v
        assertSteps("momentum", withRate(0.1).setSgd(Sgd.newBuilder().setMomentum(0.9)).build(),
                new double[][] {{0.95, -1.9}, {0.895, -1.83}, {0.8755, -1.807}});
    }

    @Test
    void sgdWithNesterovMomentum() {
        // v = 0.9 v + g; w -= lr * (g + 0.9 v)   (Sutskever et al. 2013 as PyTorch writes it)
        assertSteps("nesterov", withRate(0.1).setSgd(Sgd.newBuilder().setMomentum(0.9).setNesterov(true)).build(),
                new double[][] {{0.905, -1.81}, {0.8455, -1.767}, {0.85795, -1.7863}});
    }

    @Test
    void adagrad() {
        // acc = 0.1 + sum g^2; w -= lr * g / sqrt(acc)   (Duchi et al. 2011)
        assertSteps("adagrad", withRate(0.1).setAdagrad(Adagrad.newBuilder().setInitialAccumulator(0.1)).build(),
                new double[][] {{0.9154845745, -1.9046537411}, {0.8988179079, -1.9233854573}, {0.9435392674, -1.9584677781}});
    }

    @Test
    void adamWithBiasCorrection() {
        // Kingma and Ba 2015, Algorithm 1: m, v with bias correction 1 - beta^t
        assertSteps("adam", withRate(0.1).setAdam(Adam.newBuilder().setBeta1(0.9).setBeta2(0.999).setEpsilon(1e-8)).build(),
                new double[][] {{0.900000002, -1.900000001}, {0.8196959064, -1.848897394}, {0.7986246118, -1.8354734342}});
    }

    @Test
    void adamMatchesTorchOptimAdamWhereEpsilonMatters() {
        // Gradients near epsilon (1e-8), as an embedding row's are, and a step without gradient, as a row
        // outside the batch has: here only eps added after the bias-corrected sqrt(v) gives PyTorch's
        // numbers (eps before the correction moves w by 0.00009 at step 1 instead of 0.00075). Expected
        // from Debian's python3-torch 1.13, float32: w = torch.tensor([0.5, -0.25]);
        // torch.optim.Adam([w], lr=1e-3), w.grad set to each row below, then step().
        float[][] gradients = {{3e-8f, -1e-9f}, {1e-9f, 2e-8f}, {0f, 0f}, {-2e-8f, 5e-9f}, {5e-9f, 0f}};
        double[][] torch = {{0.4992499948, -0.2499090880}, {0.4987779558, -0.2503251135}, {0.4984376132, -0.2506192923},
            {0.4984098077, -0.2509122789}, {0.4983409345, -0.2511462867}};
        ModelParameters params = new ModelParameters(1);
        Parameter w = params.weight("w", 1, 2, Initializer.zeros());
        w.value()[0] = 0.5f;
        w.value()[1] = -0.25f;
        DenseOptimizer optimizer = DenseOptimizer.of(withRate(1e-3).setAdam(Adam.getDefaultInstance()).build(), "train_config.dense_optimizer");
        for (int step = 0; step < gradients.length; step++) {
            optimizer.step(List.of(w), Map.of(w, gradients[step].clone()));
            assertArrayEquals(new float[] {(float) torch[step][0], (float) torch[step][1]}, w.value(), 1e-7f,
                    "after step " + (step + 1));
        }
    }

    @Test
    void unsetKindMeansAdamWithDefaults() {
        assertSteps("default", withRate(0.1).build(),
                new double[][] {{0.900000002, -1.900000001}, {0.8196959064, -1.848897394}, {0.7986246118, -1.8354734342}});
    }

    @Test
    void adamWDecaysTheWeightsDecoupled() {
        // Loshchilov and Hutter 2019 as PyTorch: w -= lr * wd * w, then the Adam step of the raw gradient
        assertSteps("adamw", withRate(0.1).setAdamw(AdamW.newBuilder().setWeightDecay(0.01)).build(),
                new double[][] {{0.899000002, -1.898000001}, {0.8177969064, -1.844999394}, {0.7959078149, -1.8297304348}});
        // stronger decay and other betas
        assertSteps("adamw custom", withRate(0.1).setAdamw(AdamW.newBuilder().setBeta1(0.5).setBeta2(0.75).setEpsilon(1e-3)
                        .setWeightDecay(0.5)).build(),
                new double[][] {{0.8501996008, -1.8000999001}, {0.7384393598, -1.6803721152}, {0.7237074813, -1.6213528709}});
    }

    @Test
    void l2PenaltyAddsToTheGradient() {
        // g + l2 * w, before the optimizer's own rule
        assertSteps("sgd l2", withRate(0.1).setSgd(Sgd.getDefaultInstance()).setL2(0.5).build(),
                new double[][] {{0.9, -1.8}, {0.845, -1.73}, {0.83275, -1.6835}});
        // through Adam the penalty is normalised with the gradient (unlike AdamW's decoupled decay)
        assertSteps("adam l2", withRate(0.1).setAdam(Adam.getDefaultInstance()).setL2(0.5).build(),
                new double[][] {{0.900000001, -1.9000000005}, {0.8054201323, -1.8111245134}, {0.7268734611, -1.7295474908}});
    }

    @Test
    void learningRateFollowsTheScheduleByStep() {
        // warm-up over 2 steps: rates 0.05, 0.1, 0.1
        Optimizer config = Optimizer.newBuilder().setSgd(Sgd.getDefaultInstance())
                .setLearningRate(LearningRate.newBuilder().setInitial(0.1).setWarmupSteps(2)).build();
        assertSteps("sgd warm-up", config, new double[][] {{0.975, -1.95}, {0.965, -1.97}, {0.995, -2.01}});
    }

    @Test
    void parametersWithoutAGradientAreLeftAlone() {
        ModelParameters params = new ModelParameters(1);
        Parameter used = params.weight("used", 1, 1, Initializer.ones());
        Parameter unused = params.weight("unused", 1, 1, Initializer.ones());
        DenseOptimizer optimizer = DenseOptimizer.of(withRate(0.1).setAdam(Adam.getDefaultInstance()).setL2(0.1).build(), "p");
        optimizer.step(List.of(used, unused), Map.of(used, new float[] {1}));
        assertEquals(1f, unused.value()[0], "no gradient, no update (not even the l2 penalty)");
        assertTrue(used.value()[0] < 1f, "the other one moved");
        assertEquals(2, optimizer.stateByName().size(), "Adam state (m and v) only for the updated parameter");
        assertTrue(optimizer.stateByName().containsKey("used#1"), "state keys name the parameter");
    }

    @Test
    void stateRestoresExactly() {
        Optimizer config = withRate(0.1).setAdam(Adam.getDefaultInstance()).build();
        ModelParameters params = new ModelParameters(1);
        Parameter w = params.weight("w", 1, 2, Initializer.ones());
        DenseOptimizer original = DenseOptimizer.of(config, "p");
        original.step(List.of(w), Map.of(w, GRADIENTS[0].clone()));
        float[] afterOne = w.value().clone();
        DenseOptimizer restored = DenseOptimizer.of(config, "p");
        restored.restore(original.stateByName(), original.steps());
        original.step(List.of(w), Map.of(w, GRADIENTS[1].clone()));
        float[] expected = w.value().clone();
        System.arraycopy(afterOne, 0, w.value(), 0, 2);
        restored.step(List.of(w), Map.of(w, GRADIENTS[1].clone()));
        assertArrayEquals(expected, w.value(), "a restored optimizer continues identically");
    }

    @Test
    void embeddingOnlyOptimizersAreRejected() {
        String path = "train_config.dense_optimizer";
        ConfigException lazy = assertThrows(ConfigException.class,
                () -> DenseOptimizer.of(withRate(0.1).setLazyAdam(LazyAdam.getDefaultInstance()).build(), path), "lazy_adam");
        assertEquals(path, lazy.violations().get(0).path(), "the violation names the config path");
        assertTrue(lazy.getMessage().contains(path) && lazy.getMessage().contains("lazy_adam"), lazy.getMessage());
        ConfigException ftrl = assertThrows(ConfigException.class,
                () -> DenseOptimizer.of(withRate(0.1).setFtrl(Ftrl.getDefaultInstance()).build(), path), "ftrl");
        assertEquals(path, ftrl.violations().get(0).path(), "the violation names the config path");
        assertTrue(ftrl.getMessage().contains("ftrl"), ftrl.getMessage());
    }

    /** A worker of a sharded update applies the optimizer to slices: the result must be the whole update's bits. */
    @Test
    void updatingInSlicesGivesTheWholeUpdatesBits() {
        List<Optimizer> configs = List.of(
                withRate(0.1).setAdam(Adam.getDefaultInstance()).setL2(0.01).build(),
                withRate(0.1).setAdamw(AdamW.getDefaultInstance()).build(),
                withRate(0.1).setSgd(Sgd.newBuilder().setMomentum(0.9).setNesterov(true)).build(),
                withRate(0.1).setAdagrad(Adagrad.getDefaultInstance()).build());
        for (Optimizer config : configs) {
            ModelParameters wholeParams = new ModelParameters(3);
            Parameter whole = wholeParams.weight("w", 1, 7, new Initializer.Uniform(1f));
            ModelParameters slicedParams = new ModelParameters(3);
            Parameter sliced = slicedParams.weight("w", 1, 7, new Initializer.Uniform(1f));
            DenseOptimizer wholeOptimizer = DenseOptimizer.of(config, "train_config.dense_optimizer");
            DenseOptimizer slicedOptimizer = DenseOptimizer.of(config, "train_config.dense_optimizer");
            for (int step = 0; step < 3; step++) {
                float[] g = new float[7];
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) Math.sin(step * 7 + i);
                }
                wholeOptimizer.step(List.of(whole), Map.of(whole, g.clone()));
                float[] fused = new float[12];
                System.arraycopy(g, 0, fused, 5, 7);
                slicedOptimizer.beginStep();
                slicedOptimizer.update(sliced, 4, 7, fused, 9);
                slicedOptimizer.update(sliced, 0, 4, fused, 5);
            }
            assertArrayEquals(whole.value(), sliced.value(), 0f, config.getKindCase() + ": weights");
            for (int slot = 0; slot < wholeOptimizer.stateOf(whole).length; slot++) {
                assertArrayEquals(wholeOptimizer.stateOf(whole)[slot], slicedOptimizer.stateOf(sliced)[slot], 0f,
                        config.getKindCase() + ": state " + slot);
            }
        }
    }
}

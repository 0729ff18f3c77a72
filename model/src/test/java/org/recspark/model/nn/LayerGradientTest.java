package org.recspark.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recspark.model.tensor.GradientChecker.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.Activation;
import org.recspark.config.proto.MLP;
import org.recspark.model.tensor.GradientChecker.Result;
import org.recspark.model.tensor.GradientChecker.Settings;
import org.recspark.model.tensor.GradientChecker;
import org.recspark.model.tensor.GradientChecker.Variable;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * Gradient checks through whole layers with respect to their parameters (as {@link Pass} hands them
 * to the graph, gradients collected in {@link Gradients}) and their input.
 */
class LayerGradientTest {

    /**
     * Checks {@code layer} with respect to every trainable parameter of {@code params} and the input (a
     * rows x cols leaf), each pass collecting gradients in a fresh {@link Gradients}.
     */
    private static Result checkLayer(String label, Settings settings, ModelParameters params, int rows, int cols, long inputSeed,
                                     BiFunction<Pass, Tensor, Tensor> layer) {
        float[] input = uniform(inputSeed, rows * cols, 1.0);
        List<Parameter> trainable = params.trainable();
        Gradients[] lastGradients = new Gradients[1];
        float[][] lastInputGrad = new float[1][];
        GradientChecker.Forward forward = graph -> {
            Gradients gradients = new Gradients();
            lastGradients[0] = gradients;
            lastInputGrad[0] = new float[input.length];
            Pass pass = new Pass(graph, null, gradients);
            return layer.apply(pass, graph.leaf(rows, cols, input, lastInputGrad[0]));
        };
        List<Variable> variables = new ArrayList<>();
        for (Parameter p : trainable) {
            variables.add(Variable.of(p.name(), p.value()));
        }
        variables.add(Variable.of("input", input));
        return GradientChecker.check(label, settings, forward, variables,
                v -> v < trainable.size() ? lastGradients[0].denseGradients().get(trainable.get(v)) : lastInputGrad[0]);
    }

    /** Replaces a parameter's values (norm gains and biases start at 1 and 0, too special for a check). */
    private static void randomise(ModelParameters params, String name, long seed, float center) {
        float[] v = params.parameter(name).value();
        float[] r = uniform(seed, v.length, 0.5);
        for (int i = 0; i < v.length; i++) {
            v[i] = center + r[i];
        }
    }

    @Test
    void linearWithBias() {
        ModelParameters params = new ModelParameters(11);
        Linear linear = new Linear(params, "fc", 4, 3, true);
        Result r = checkLayer("linear", GradientChecker.DEFAULT, params, 5, 4, 1, linear::forward);
        assertEquals(3, r.analytic().length, "weight, bias and input were checked");
        assertThrows(IllegalArgumentException.class,
                () -> linear.forward(new Pass(new Graph(true, 0), null, new Gradients()), Tensor.constant(1, 3, new float[3])),
                "a 3-wide input for a 4-input layer");
    }

    @Test
    void linearWithoutBias() {
        ModelParameters params = new ModelParameters(12);
        Linear linear = new Linear(params, "fc", 3, 2, false);
        assertNull(params.parameter("fc/bias"), "no bias parameter");
        checkLayer("linear without bias", GradientChecker.DEFAULT, params, 4, 3, 2, linear::forward);
    }

    @Test
    void mlpWithBatchNorm() {
        ModelParameters params = new ModelParameters(13);
        MLP config = MLP.newBuilder().addHiddenUnits(4).addHiddenUnits(3).setActivation(Activation.TANH).setBatchNorm(true).build();
        Mlp mlp = new Mlp(params, "mlp", 5, config);
        assertNull(params.parameter("mlp/0/bias"), "batch norm makes the bias redundant");
        assertNotNull(params.parameter("mlp/0/bn/gamma"), "batch-norm gain");
        assertNotNull(params.parameter("mlp/1/bn/running_var"), "batch-norm running variance");
        randomise(params, "mlp/0/bn/gamma", 1, 1);
        randomise(params, "mlp/0/bn/beta", 2, 0);
        randomise(params, "mlp/1/bn/gamma", 3, 1);
        randomise(params, "mlp/1/bn/beta", 4, 0);
        Result r = checkLayer("mlp batch_norm", GradientChecker.DEFAULT.withStep(1e-3), params, 6, 5, 3, mlp::forward);
        assertEquals(7, r.analytic().length, "2 weights, 2 gains, 2 biases and the input");
        assertEquals(3, mlp.outputDim(), "output dimension");
    }

    @Test
    void mlpWithLayerNormGeluAndDropout() {
        ModelParameters params = new ModelParameters(14);
        MLP config = MLP.newBuilder().addHiddenUnits(5).addHiddenUnits(4).setActivation(Activation.GELU).setLayerNorm(true)
                .setDropout(0.25f).build();
        Mlp mlp = new Mlp(params, "mlp", 4, config);
        assertNull(params.parameter("mlp/0/bias"), "layer norm makes the bias redundant");
        assertNull(params.parameter("mlp/0/bn/gamma"), "no batch norm");
        randomise(params, "mlp/0/ln/gamma", 5, 1);
        randomise(params, "mlp/0/ln/beta", 6, 0);
        randomise(params, "mlp/1/ln/gamma", 7, 1);
        randomise(params, "mlp/1/ln/beta", 8, 0);
        // the checker's fixed graph seed gives every pass the same dropout masks
        checkLayer("mlp layer_norm", GradientChecker.DEFAULT.withStep(1e-3), params, 5, 4, 4, mlp::forward);
    }

    @Test
    void mlpAppliesDropoutOnlyInTraining() {
        ModelParameters params = new ModelParameters(20);
        Mlp mlp = new Mlp(params, "mlp", 8, MLP.newBuilder().addHiddenUnits(64).setActivation(Activation.LINEAR).setDropout(0.5f).build());
        Tensor x = Tensor.constant(4, 8, uniform(21, 32, 1.0));
        Tensor eval = mlp.forward(Pass.inference(null), x);
        Tensor plain = new Graph(false, 0).linear(x, Tensor.constant(8, 64, params.parameter("mlp/0/weight").value()),
                Tensor.constant(1, 64, params.parameter("mlp/0/bias").value()));
        assertArrayEquals(plain.data(), eval.data(), 1e-6f, "evaluation: no dropout");
        Tensor train = mlp.forward(new Pass(new Graph(true, 5), null, new Gradients()), x);
        int dropped = 0;
        for (int i = 0; i < train.size(); i++) {
            if (train.data()[i] == 0) {
                dropped++;
            } else {
                assertEquals(2 * eval.data()[i], train.data()[i], 1e-5f, "kept values scaled by 1 / (1 - 0.5)");
            }
        }
        // 256 values, half dropped on average (standard deviation 8)
        assertTrue(dropped > 128 - 48 && dropped < 128 + 48, "about half dropped, got " + dropped);
    }

    @Test
    void plainMlpHasBiases() {
        ModelParameters params = new ModelParameters(15);
        Mlp mlp = new Mlp(params, "mlp", 3, MLP.newBuilder().addHiddenUnits(4).setActivation(Activation.SIGMOID).build());
        assertNotNull(params.parameter("mlp/0/bias"), "bias without normalisation");
        checkLayer("mlp sigmoid", GradientChecker.DEFAULT, params, 3, 3, 5, mlp::forward);
    }

    @Test
    void diceActivation() {
        ModelParameters params = new ModelParameters(16);
        ActivationLayer dice = new ActivationLayer(params, "act", Activation.DICE, 4);
        assertNull(params.parameter("act/dice_bn/gamma"), "DICE's batch norm has no gain");
        assertNull(params.parameter("act/dice_bn/beta"), "DICE's batch norm has no bias");
        assertEquals(1, params.trainable().size(), "alpha is DICE's only trainable parameter");
        assertEquals(3, params.all().size(), "alpha plus two running statistics");
        randomise(params, "act/dice_alpha", 9, 0.2f);
        Result r = checkLayer("dice", GradientChecker.DEFAULT.withStep(1e-3), params, 6, 4, 6, dice::forward);
        assertEquals(2, r.analytic().length, "alpha and the input");
    }

    @Test
    void diceByHand() {
        // y = x * (alpha + (1 - alpha) * sigmoid(BN(x))): one column (-1, 1) normalises to (-1, 1)
        ModelParameters params = new ModelParameters(17);
        ActivationLayer dice = new ActivationLayer(params, "act", Activation.DICE, 1);
        params.parameter("act/dice_alpha").value()[0] = 0.25f;
        Tensor y = dice.forward(new Pass(new Graph(true, 0), null, new Gradients()), Tensor.constant(2, 1, new float[] {-1, 1}));
        double s = 1 / Math.sqrt(1 + 1e-5);
        double p0 = 1 / (1 + Math.exp(s));
        double p1 = 1 / (1 + Math.exp(-s));
        assertEquals(-1 * (0.25 + 0.75 * p0), y.data()[0], 1e-6, "DICE of -1");
        assertEquals(0.25 + 0.75 * p1, y.data()[1], 1e-6, "DICE of 1");
    }

    @Test
    void geluActivation() {
        ModelParameters params = new ModelParameters(18);
        Linear linear = new Linear(params, "fc", 3, 4, true);
        ActivationLayer gelu = new ActivationLayer(params, "act", Activation.GELU, 4);
        assertEquals(2, params.all().size(), "GELU has no parameters");
        checkLayer("linear + gelu", GradientChecker.DEFAULT, params, 4, 3, 7, (pass, x) -> gelu.forward(pass, linear.forward(pass, x)));
        // GELU (tanh approximation) of 1: 0.5 * (1 + tanh(sqrt(2 / pi) * 1.044715))
        Tensor y = gelu.forward(new Pass(new Graph(false, 0), null, null), Tensor.constant(1, 4, new float[] {1, 0, -1, 3}));
        double g1 = 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715));
        assertEquals(g1, y.data()[0], 1e-6, "gelu(1)");
        assertEquals(0, y.data()[1], 1e-7, "gelu(0)");
        assertEquals(g1 - 1, y.data()[2], 1e-6, "gelu(-1) = gelu(1) - 1");
    }

    @Test
    void otherActivationsMatchTheirOps() {
        float[] x = {-2, -0.5f, 0.5f, 2};
        Pass pass = new Pass(new Graph(false, 0), null, null);
        ModelParameters params = new ModelParameters(19);
        Tensor in = Tensor.constant(1, 4, x);
        assertEquals(-0.02f, new ActivationLayer(params, "l", Activation.LEAKY_RELU, 4).forward(pass, in).data()[0], 1e-7f,
                "leaky relu slope 0.01");
        assertEquals(0f, new ActivationLayer(params, "r", Activation.RELU, 4).forward(pass, in).data()[1], 0f, "relu");
        assertEquals((float) Math.tanh(2), new ActivationLayer(params, "t", Activation.TANH, 4).forward(pass, in).data()[3], 1e-7f,
                "tanh");
        assertEquals(1 / (1 + Math.exp(0.5)), new ActivationLayer(params, "s", Activation.SIGMOID, 4).forward(pass, in).data()[1],
                1e-7, "sigmoid");
        assertTrue(in == new ActivationLayer(params, "n", Activation.LINEAR, 4).forward(pass, in), "linear is the identity");
        assertEquals(0, params.all().size(), "only DICE has parameters");
    }
}

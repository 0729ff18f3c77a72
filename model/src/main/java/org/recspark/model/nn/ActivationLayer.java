package org.recspark.model.nn;

import org.recspark.config.proto.Activation;
import org.recspark.model.tensor.DiceLayer;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * An activation function; DICE (Zhou et al. 2018) carries its own parameters: y = x * (alpha + (1 -
 * alpha) * sigmoid(BN(x))) with a per-column alpha and a batch norm without gain and bias.
 */
public final class ActivationLayer {
    private static final float LEAKY_SLOPE = 0.01f;

    private final Activation kind;
    private final Parameter diceAlpha;
    private final BatchNorm diceNorm;

    public ActivationLayer(ModelParameters params, String name, Activation kind, int dim) {
        this.kind = kind;
        if (kind == Activation.DICE) {
            this.diceAlpha = params.weight(name + "/dice_alpha", 1, dim, Initializer.zeros());
            this.diceNorm = new BatchNorm(params, name + "/dice_bn", dim, false);
        } else {
            this.diceAlpha = null;
            this.diceNorm = null;
        }
    }

    /** Whether this is ReLU or leaky ReLU, which a linear layer can apply to its own output ({@link Linear#forwardLeakyRelu}). */
    public boolean isLeakyRelu() {
        return kind == Activation.RELU || kind == Activation.LEAKY_RELU;
    }

    public boolean isDice() {
        return kind == Activation.DICE;
    }

    /** This DICE after the linear map {@code weight}, {@code bias}, as a layer of DIN's fused attention MLP. */
    public DiceLayer diceLayer(Pass pass, Tensor weight, Tensor bias) {
        if (!isDice()) {
            throw new IllegalStateException(kind + " is not DICE");
        }
        return diceNorm.diceLayer(pass, weight, bias, pass.param(diceAlpha));
    }

    /** The slope for negative inputs of ReLU (0) or leaky ReLU. */
    public float leakySlope() {
        if (!isLeakyRelu()) {
            throw new IllegalStateException(kind + " is not a (leaky) ReLU");
        }
        return kind == Activation.RELU ? 0f : LEAKY_SLOPE;
    }

    /**
     * The activation of a tensor the caller owns (nothing else reads it): without a gradient to
     * compute, ReLU and leaky ReLU overwrite it instead of allocating their output.
     */
    public Tensor forwardOwned(Pass pass, Tensor x) {
        if (!x.requiresGrad() && isLeakyRelu()) {
            return pass.graph().leakyReluInPlace(x, leakySlope());
        }
        return forward(pass, x);
    }

    public Tensor forward(Pass pass, Tensor x) {
        Graph g = pass.graph();
        return switch (kind) {
            case RELU -> g.relu(x);
            case SIGMOID -> g.sigmoid(x);
            case TANH -> g.tanh(x);
            case LEAKY_RELU -> g.leakyRelu(x, LEAKY_SLOPE);
            case GELU -> g.gelu(x);
            case LINEAR -> x;
            case DICE -> diceNorm.dice(pass, x, pass.param(diceAlpha));
        };
    }
}

package org.recspark.model.nn;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.MLP;
import org.recspark.model.embedding.EmbeddingLookup.SequenceEmbedding;
import org.recspark.model.tensor.DiceLayer;
import org.recspark.model.tensor.Tensor;

/** Fully connected layers as configured: each is linear, then batch or layer norm, activation, dropout. */
public final class Mlp {
    private final List<Linear> linears = new ArrayList<>();
    private final List<BatchNorm> batchNorms = new ArrayList<>();
    private final List<LayerNorm> layerNorms = new ArrayList<>();
    private final List<ActivationLayer> activations = new ArrayList<>();
    private final float dropout;
    private final int outputDim;

    public Mlp(ModelParameters params, String name, int inputDim, MLP config) {
        int in = inputDim;
        for (int i = 0; i < config.getHiddenUnitsCount(); i++) {
            int out = config.getHiddenUnits(i);
            String layer = name + "/" + i;
            // a following normalisation makes the bias redundant
            boolean norm = config.getBatchNorm() || config.getLayerNorm();
            linears.add(new Linear(params, layer, in, out, !norm));
            batchNorms.add(config.getBatchNorm() ? new BatchNorm(params, layer + "/bn", out, true) : null);
            layerNorms.add(config.getLayerNorm() && !config.getBatchNorm() ? new LayerNorm(params, layer + "/ln", out) : null);
            activations.add(new ActivationLayer(params, layer + "/act", config.getActivation(), out));
            in = out;
        }
        this.dropout = config.getDropout();
        this.outputDim = in;
    }

    public int outputDim() {
        return outputDim;
    }

    public Tensor forward(Pass pass, Tensor x) {
        Tensor h = x;
        for (int i = 0; i < linears.size(); i++) {
            h = layer(pass, h, i);
        }
        return h;
    }

    /** Layer i over its input; a (leaky) ReLU right after the linear map is computed with it, as one op. */
    private Tensor layer(Pass pass, Tensor in, int i) {
        ActivationLayer activation = activations.get(i);
        if (batchNorms.get(i) == null && layerNorms.get(i) == null && activation.isLeakyRelu()) {
            return pass.graph().dropout(linears.get(i).forwardLeakyRelu(pass, in, activation.leakySlope()), dropout);
        }
        return afterLinear(pass, linears.get(i).forward(pass, in), i);
    }

    /**
     * The forward pass over DIN's attention unit input of packed sequences (see {@link
     * Linear#forwardDinUnit}): N x output dim. Needs a hidden layer.
     */
    public Tensor forwardDinUnit(Pass pass, Tensor query, SequenceEmbedding keys) {
        if (linears.isEmpty()) {
            throw new IllegalStateException("a DIN unit needs an MLP with a hidden layer");
        }
        Tensor h = afterLinear(pass, linears.get(0).forwardDinUnit(pass, query, keys), 0);
        for (int i = 1; i < linears.size(); i++) {
            h = layer(pass, h, i);
        }
        return h;
    }

    /**
     * DIN's attention scores (N x 1): this MLP over the unit of packed sequences (see {@link
     * #forwardDinUnit}), then {@code output}. When every layer is linear then DICE, without
     * normalisation or dropout (the MovieLens example's unit), it is one fused op whose activations
     * are reused buffers (see {@link org.recspark.model.tensor.Graph#dinAttention}); otherwise the
     * layers' ops one by one.
     */
    public Tensor forwardDinScores(Pass pass, Tensor query, SequenceEmbedding keys, Linear output) {
        if (!fusesDinAttention()) {
            return output.forward(pass, forwardDinUnit(pass, query, keys));
        }
        List<DiceLayer> layers = new ArrayList<>();
        for (int i = 0; i < linears.size(); i++) {
            Linear linear = linears.get(i);
            layers.add(activations.get(i).diceLayer(pass, linear.weight(pass), linear.bias(pass)));
        }
        return pass.graph().dinAttention(query, keys.values(), keys.positions(), keys.offsets(), layers, output.weight(pass),
                output.bias(pass));
    }

    private boolean fusesDinAttention() {
        if (linears.isEmpty() || dropout > 0) {
            return false;
        }
        for (int i = 0; i < linears.size(); i++) {
            if (batchNorms.get(i) != null || layerNorms.get(i) != null || !activations.get(i).isDice()) {
                return false;
            }
        }
        return true;
    }

    /** Whether it has no layers (its output is its input). */
    public boolean isEmpty() {
        return linears.isEmpty();
    }

    /** The forward pass over a split input (see {@link Linear#forwardSplit}). Inference only. */
    public Tensor forwardSplit(Pass pass, SplitInput input) {
        if (linears.isEmpty()) {
            return input.expanded();
        }
        Tensor h = afterLinear(pass, linears.get(0).forwardSplit(pass, input), 0);
        for (int i = 1; i < linears.size(); i++) {
            h = layer(pass, h, i);
        }
        return h;
    }

    /**
     * Layer i after its linear map: normalisation, activation, dropout. The linear map's output is
     * this layer's own, so an inference pass may activate it in place.
     */
    private Tensor afterLinear(Pass pass, Tensor linear, int i) {
        Tensor h = linear;
        if (batchNorms.get(i) != null) {
            h = batchNorms.get(i).forward(pass, h);
        }
        if (layerNorms.get(i) != null) {
            h = layerNorms.get(i).forward(pass, h);
        }
        h = activations.get(i).forwardOwned(pass, h);
        return pass.graph().dropout(h, dropout);
    }
}

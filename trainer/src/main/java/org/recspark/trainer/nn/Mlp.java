package org.recspark.trainer.nn;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.MLP;
import org.recspark.trainer.tensor.Tensor;

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
            h = afterLinear(pass, linears.get(i).forward(pass, h), i);
        }
        return h;
    }

    /**
     * The forward pass over an input given as column blocks, each shared by every row (1 x d) or per
     * row (N x d); see {@link Linear#forwardSplit}. Inference only.
     */
    public Tensor forwardSplit(Pass pass, List<Tensor> blocks, boolean[] shared, int rows) {
        if (linears.isEmpty()) {
            List<Tensor> full = new ArrayList<>();
            for (int b = 0; b < blocks.size(); b++) {
                full.add(shared[b] ? pass.graph().repeatRows(blocks.get(b), rows) : blocks.get(b));
            }
            return pass.graph().concat(full);
        }
        Tensor h = afterLinear(pass, linears.get(0).forwardSplit(pass, blocks, shared, rows), 0);
        for (int i = 1; i < linears.size(); i++) {
            h = afterLinear(pass, linears.get(i).forward(pass, h), i);
        }
        return h;
    }

    /** Layer i after its linear map: normalisation, activation, dropout. */
    private Tensor afterLinear(Pass pass, Tensor linear, int i) {
        Tensor h = linear;
        if (batchNorms.get(i) != null) {
            h = batchNorms.get(i).forward(pass, h);
        }
        if (layerNorms.get(i) != null) {
            h = layerNorms.get(i).forward(pass, h);
        }
        h = activations.get(i).forward(pass, h);
        return pass.graph().dropout(h, dropout);
    }
}

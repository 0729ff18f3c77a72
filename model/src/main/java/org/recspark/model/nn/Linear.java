package org.recspark.model.nn;

import java.util.Arrays;
import org.recspark.model.embedding.EmbeddingLookup.SequenceEmbedding;
import org.recspark.model.tensor.Tensor;

/**
 * A fully connected layer, x W + b, with PyTorch's default initialisation (weights and bias uniform
 * in +-1/sqrt(fan_in)) so accuracy comparisons with the PyTorch reference start from the same place.
 */
public final class Linear {
    private final Parameter weight;
    private final Parameter bias;

    public Linear(ModelParameters params, String name, int in, int out, boolean withBias) {
        float bound = (float) (1 / Math.sqrt(in));
        this.weight = params.weight(name + "/weight", in, out, new Initializer.Uniform(bound));
        this.bias = withBias ? params.weight(name + "/bias", 1, out, new Initializer.Uniform(bound)) : null;
    }

    public int outputDim() {
        return weight.cols();
    }

    /** The weight (in x out) as an input of this pass's graph. */
    public Tensor weight(Pass pass) {
        return pass.param(weight);
    }

    /** The bias (1 x out) as an input of this pass's graph; null when the layer has none. */
    public Tensor bias(Pass pass) {
        return bias == null ? null : pass.param(bias);
    }

    public Tensor forward(Pass pass, Tensor x) {
        if (x.cols() != weight.rows()) {
            throw new IllegalArgumentException(weight.name() + " expects " + weight.rows() + " inputs, got " + x);
        }
        return pass.graph().linear(x, pass.param(weight), bias == null ? null : pass.param(bias));
    }

    /** max(z, slope * z) of this layer's output z, as one op with the layer (see {@link org.recspark.model.tensor.Graph#linearLeakyRelu}). */
    public Tensor forwardLeakyRelu(Pass pass, Tensor x, float slope) {
        if (bias == null) {
            return pass.graph().leakyRelu(forward(pass, x), slope);
        }
        if (x.cols() != weight.rows()) {
            throw new IllegalArgumentException(weight.name() + " expects " + weight.rows() + " inputs, got " + x);
        }
        return pass.graph().linearLeakyRelu(x, pass.param(weight), pass.param(bias), slope);
    }

    /**
     * The layer over DIN's attention unit input [q, k, q - k, q * k] of every position of packed
     * sequences (see {@link org.recspark.model.tensor.Graph#dinUnitLinear}), without building that input.
     */
    public Tensor forwardDinUnit(Pass pass, Tensor query, SequenceEmbedding keys) {
        if (4 * query.cols() != weight.rows()) {
            throw new IllegalArgumentException(weight.name() + " expects " + weight.rows() + " inputs, got a DIN unit of " + query);
        }
        return pass.graph().dinUnitLinear(query, keys.values(), keys.positions(), keys.offsets(), pass.param(weight),
                bias == null ? null : pass.param(bias));
    }

    /**
     * The layer over a split input (see {@link SplitInput}): the shared row's product with its rows
     * of W, plus the bias, is computed once and becomes the weight row of the ones column, so one
     * GEMM over the per-row columns writes every output. Inference only: nothing flows back to the
     * weights.
     */
    public Tensor forwardSplit(Pass pass, SplitInput input) {
        if (pass.differentiable()) {
            throw new IllegalStateException(weight.name() + ": the split forward pass is for inference only");
        }
        if (input.width() != weight.rows()) {
            throw new IllegalArgumentException(weight.name() + " expects " + weight.rows() + " inputs, got " + input);
        }
        int out = weight.cols();
        float[] w = weight.value();
        int[] own = input.rowColumnIndices();
        float[] weights = pass.graph().outputArray((own.length + 1) * out);
        for (int j = 0; j < own.length; j++) {
            System.arraycopy(w, own[j] * out, weights, j * out, out);
        }
        int sharedTerm = own.length * out;
        if (bias != null) {
            System.arraycopy(bias.value(), 0, weights, sharedTerm, out);
        } else {
            Arrays.fill(weights, sharedTerm, sharedTerm + out, 0f);
        }
        float[] x = input.sharedRow();
        for (int k = 0; k < x.length; k++) {
            float v = x[k];
            if (v != 0) {
                int wo = k * out;
                for (int j = 0; j < out; j++) {
                    weights[sharedTerm + j] += v * w[wo + j];
                }
            }
        }
        return pass.graph().matmul(input.rowColumns(), Tensor.constant(own.length + 1, out, weights), false);
    }
}

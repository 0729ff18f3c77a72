package org.recspark.trainer.nn;

import org.recspark.trainer.tensor.Tensor;

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

    public Tensor forward(Pass pass, Tensor x) {
        if (x.cols() != weight.rows()) {
            throw new IllegalArgumentException(weight.name() + " expects " + weight.rows() + " inputs, got " + x);
        }
        return pass.graph().linear(x, pass.param(weight), bias == null ? null : pass.param(bias));
    }
}

package org.recspark.model.nn;

import org.recspark.model.tensor.Tensor;

/** Layer normalisation of each row with a learned gain and bias. */
public final class LayerNorm {
    private static final float EPS = 1e-5f;

    private final Parameter gamma;
    private final Parameter beta;

    public LayerNorm(ModelParameters params, String name, int dim) {
        this.gamma = params.weight(name + "/gamma", 1, dim, Initializer.ones());
        this.beta = params.weight(name + "/beta", 1, dim, Initializer.zeros());
    }

    public Tensor forward(Pass pass, Tensor x) {
        return pass.graph().layerNorm(x, pass.param(gamma), pass.param(beta), EPS);
    }
}

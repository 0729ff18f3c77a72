package org.recspark.model.nn;

import org.recspark.model.tensor.DiceLayer;
import org.recspark.model.tensor.Tensor;

/**
 * Batch normalisation with a learned gain and bias and running statistics (momentum 0.1 as PyTorch).
 * When training runs in several shards, each normalises with its own shard's statistics and the
 * running statistics take the shards' average.
 */
public final class BatchNorm {
    static final float MOMENTUM = 0.1f;
    private static final float EPS = 1e-5f;

    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;

    public BatchNorm(ModelParameters params, String name, int dim, boolean affine) {
        this.gamma = affine ? params.weight(name + "/gamma", 1, dim, Initializer.ones()) : null;
        this.beta = affine ? params.weight(name + "/beta", 1, dim, Initializer.zeros()) : null;
        this.runningMean = params.buffer(name + "/running_mean", 1, dim, Initializer.zeros());
        this.runningVar = params.buffer(name + "/running_var", 1, dim, Initializer.ones());
    }

    public Tensor forward(Pass pass, Tensor x) {
        int dim = runningMean.size();
        float[] batchMean = new float[dim];
        float[] batchVar = new float[dim];
        Tensor y = pass.graph().batchNorm(x, gamma == null ? null : pass.param(gamma), beta == null ? null : pass.param(beta),
                runningMean.value(), runningVar.value(), EPS, batchMean, batchVar);
        observe(pass, batchMean, batchVar);
        return y;
    }

    /**
     * DICE's activation of x with this norm (which must have no gain and bias) inside its gate, as
     * one fused op (see {@link org.recspark.model.tensor.Graph#dice}).
     */
    public Tensor dice(Pass pass, Tensor x, Tensor alpha) {
        if (gamma != null) {
            throw new IllegalStateException("DICE normalises without gain and bias, this batch norm has them");
        }
        int dim = runningMean.size();
        float[] batchMean = new float[dim];
        float[] batchVar = new float[dim];
        Tensor y = pass.graph().dice(x, alpha, runningMean.value(), runningVar.value(), EPS, batchMean, batchVar);
        observe(pass, batchMean, batchVar);
        return y;
    }

    /**
     * DICE with this norm (which must have no gain and bias) after the linear map {@code weight},
     * {@code bias}, as a layer of DIN's fused attention MLP (see {@link
     * org.recspark.model.tensor.Graph#dinAttention}); the batch statistics the op will write are
     * observed for the step as {@link #dice} does.
     */
    public DiceLayer diceLayer(Pass pass, Tensor weight, Tensor bias, Tensor alpha) {
        if (gamma != null) {
            throw new IllegalStateException("DICE normalises without gain and bias, this batch norm has them");
        }
        int dim = runningMean.size();
        float[] batchMean = new float[dim];
        float[] batchVar = new float[dim];
        observe(pass, batchMean, batchVar);
        return new DiceLayer(weight, bias, alpha, runningMean.value(), runningVar.value(), EPS, batchMean, batchVar);
    }

    private void observe(Pass pass, float[] batchMean, float[] batchVar) {
        if (pass.training() && pass.differentiable()) {
            pass.gradients().observe(runningMean, batchMean);
            pass.gradients().observe(runningVar, batchVar);
        }
    }

    /** Folds a step's (shard-averaged) batch statistic into a running buffer. */
    public static void foldInto(Parameter buffer, float[] observed) {
        float[] v = buffer.value();
        for (int i = 0; i < v.length; i++) {
            v[i] = (1 - MOMENTUM) * v[i] + MOMENTUM * observed[i];
        }
    }
}

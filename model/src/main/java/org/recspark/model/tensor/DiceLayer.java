package org.recspark.model.tensor;

/**
 * One hidden layer of DIN's fused attention MLP (see {@link Graph#dinAttention}): x W + b (bias may
 * be null), then DICE with its alpha (1 x out) and batch-norm statistics as {@link Graph#dice} takes them.
 */
public record DiceLayer(Tensor weight, Tensor bias, Tensor alpha, float[] runningMean, float[] runningVar, float eps,
                        float[] batchMean, float[] batchVar) {
}

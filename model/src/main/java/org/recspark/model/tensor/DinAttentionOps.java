package org.recspark.model.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * DIN's attention MLP over packed sequences as one op: the unit's first layer ({@link
 * DinUnitKernel}), DICE, further hidden layers with DICE, and the 1-wide output layer, from the
 * query and the distinct keys to one score per position. The same math as composing {@link
 * Graph#dinUnitLinear}, {@link Graph#dice} and {@link Graph#linear}, but its N x h activations, DICE
 * gates and their gradients are the graph's scratch rather than tensors: a training step reuses them
 * from the previous step instead of allocating ~60 MB of short-lived humongous arrays per shard
 * (whose first touch of fresh heap pages cost a quarter of DIN's training CPU time, bench/RESULTS.md),
 * and DICE's input gradient overwrites its output gradient in place. Package-private: callers use
 * the {@link Graph} facade.
 */
final class DinAttentionOps {
    private DinAttentionOps() {
    }

    static Tensor dinAttention(Graph g, Tensor query, Tensor keys, int[] positions, int[] offsets, List<DiceLayer> layers,
                               Tensor outWeight, Tensor outBias) {
        int d = query.cols();
        int n = positions.length;
        int depth = layers.size();
        check(query, keys, positions, offsets, layers, outWeight, outBias);
        int[] width = new int[depth];
        for (int i = 0; i < depth; i++) {
            width[i] = layers.get(i).weight().cols();
        }
        float[][] pre = new float[depth][];
        float[][] gate = new float[depth][];
        float[][] act = new float[depth][];
        DiceKernel[] dice = new DiceKernel[depth];
        DinUnitKernel unit = null;
        for (int i = 0; i < depth; i++) {
            DiceLayer layer = layers.get(i);
            int h = width[i];
            pre[i] = g.scratch(n * h);
            if (i == 0) {
                unit = DinUnitKernel.forward(g, query.data(), keys.data(), positions, offsets, d, keys.rows(), layer.weight().data(), h,
                        layer.bias() == null ? null : layer.bias().data(), pre[0]);
            } else {
                affine(act[i - 1], n, width[i - 1], layer.weight(), layer.bias(), pre[i]);
            }
            gate[i] = g.scratch(n * h);
            act[i] = g.scratch(n * h);
            dice[i] = DiceKernel.forward(g.training(), pre[i], n, h, layer.alpha().data(), layer.runningMean(), layer.runningVar(),
                    layer.eps(), layer.batchMean(), layer.batchVar(), gate[i], act[i]);
        }
        float[] scores = g.outputArray(n);
        affine(act[depth - 1], n, width[depth - 1], outWeight, outBias, scores);
        Tensor out = g.output(n, 1, scores, inputs(query, keys, layers, outWeight, outBias));
        DinUnitKernel first = unit;
        g.onBackward(out, () -> {
            float[] ds = out.grad();
            int last = width[depth - 1];
            float[] dAct = g.scratch(n * last);
            outerProduct(ds, n, outWeight.data(), last, dAct);
            if (outWeight.requiresGrad()) {
                Blas.gemm(true, false, last, 1, n, 1f, act[depth - 1], ds, 1f, outWeight.grad());
            }
            if (outBias != null && outBias.requiresGrad()) {
                addColumnSums(ds, n, 1, outBias.grad());
            }
            for (int i = depth - 1; i >= 0; i--) {
                DiceLayer layer = layers.get(i);
                int h = width[i];
                // DICE's input gradient overwrites its output gradient: dAct becomes dL/d pre[i]
                dice[i].backward(pre[i], gate[i], dAct, layer.alpha().requiresGrad() ? layer.alpha().grad() : null, dAct, false);
                Tensor weight = layer.weight();
                Tensor bias = layer.bias();
                if (i == 0) {
                    first.backward(dAct, weight.requiresGrad() ? weight.grad() : null,
                            bias != null && bias.requiresGrad() ? bias.grad() : null, query.requiresGrad() ? query.grad() : null,
                            keys.requiresGrad() ? keys.grad() : null);
                    break;
                }
                int in = width[i - 1];
                if (weight.requiresGrad()) {
                    Blas.gemm(true, false, in, h, n, 1f, act[i - 1], dAct, 1f, weight.grad());
                }
                if (bias != null && bias.requiresGrad()) {
                    addColumnSums(dAct, n, h, bias.grad());
                }
                float[] dPrevious = g.scratch(n * in);
                Blas.gemm(false, true, n, in, h, 1f, dAct, weight.data(), 0f, dPrevious);
                dAct = dPrevious;
            }
        });
        return out;
    }

    /** x W + b (x m x k, the first m * k values of its array) into y: the bias rows first, then the GEMM accumulates onto them. */
    private static void affine(float[] x, int m, int k, Tensor weight, Tensor bias, float[] y) {
        int n = weight.cols();
        if (bias == null) {
            Blas.gemm(false, false, m, n, k, 1f, x, weight.data(), 0f, y);
            return;
        }
        float[] bd = bias.data();
        for (int r = 0; r < m; r++) {
            System.arraycopy(bd, 0, y, r * n, n);
        }
        Blas.gemm(false, false, m, n, k, 1f, x, weight.data(), 1f, y);
    }

    /**
     * y (m x n) = a (m) times b (n): the output layer's input gradient. One product per value, as the
     * GEMM it replaces computes it, without copying m x n floats back from native memory.
     */
    private static void outerProduct(float[] a, int m, float[] b, int n, float[] y) {
        for (int r = 0; r < m; r++) {
            float v = a[r];
            for (int j = 0, o = r * n; j < n; j++) {
                y[o + j] = v * b[j];
            }
        }
    }

    private static void addColumnSums(float[] values, int rows, int cols, float[] sums) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0, o = r * cols; j < cols; j++) {
                sums[j] += values[o + j];
            }
        }
    }

    private static Tensor[] inputs(Tensor query, Tensor keys, List<DiceLayer> layers, Tensor outWeight, Tensor outBias) {
        List<Tensor> inputs = new ArrayList<>(List.of(query, keys, outWeight));
        if (outBias != null) {
            inputs.add(outBias);
        }
        for (DiceLayer layer : layers) {
            inputs.add(layer.weight());
            inputs.add(layer.alpha());
            if (layer.bias() != null) {
                inputs.add(layer.bias());
            }
        }
        return inputs.toArray(new Tensor[0]);
    }

    private static void check(Tensor query, Tensor keys, int[] positions, int[] offsets, List<DiceLayer> layers, Tensor outWeight,
                              Tensor outBias) {
        int b = query.rows();
        int d = query.cols();
        boolean ok = !layers.isEmpty() && keys.cols() == d && offsets.length == b + 1 && offsets[b] == positions.length
                && layers.get(0).weight().rows() == 4 * d;
        int in = 4 * d;
        for (DiceLayer layer : layers) {
            int h = layer.weight().cols();
            ok &= layer.weight().rows() == in && (layer.bias() == null || layer.bias().size() == h) && layer.alpha().size() == h
                    && layer.runningMean().length == h && layer.runningVar().length == h;
            in = h;
        }
        ok &= outWeight.rows() == in && outWeight.cols() == 1 && (outBias == null || outBias.size() == 1);
        if (!ok) {
            throw new IllegalArgumentException("DIN attention of query " + query + " and keys " + keys + " over " + b + " sequences of "
                    + offsets[offsets.length - 1] + " positions (" + positions.length + " given) with " + layers.size()
                    + " layers and output " + outWeight);
        }
    }
}

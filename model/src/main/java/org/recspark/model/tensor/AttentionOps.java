package org.recspark.model.tensor;

/**
 * Target attention over packed sequences (DIN, Zhou et al. 2018): a batch's N positions, sequence r
 * at [offsets[r], offsets[r + 1]) without padding, each position naming its value's row among the
 * batch's distinct values (an item in many histories is one row). Package-private:
 * callers use the {@link Graph} facade, which records the backward steps.
 */
final class AttentionOps {
    private AttentionOps() {
    }

    /**
     * The first layer of DIN's attention unit, [q, k, q - k, q * k] W + b for every position, with
     * W = [Wq; Wk; Wd; Wp] in 4d x h and position p's key the row positions[p] of the distinct keys
     * (see {@link DinUnitKernel}).
     */
    static Tensor dinUnitLinear(Graph g, Tensor query, Tensor keys, int[] positions, int[] offsets, Tensor weight, Tensor bias) {
        int b = query.rows();
        int d = query.cols();
        int n = positions.length;
        int h = weight.cols();
        if (keys.cols() != d || weight.rows() != 4 * d || offsets.length != b + 1 || offsets[b] != n
                || (bias != null && bias.size() != h)) {
            throw new IllegalArgumentException("DIN unit of query " + query + " and keys " + keys + " over " + (offsets.length - 1)
                    + " sequences of " + offsets[offsets.length - 1] + " positions (" + n + " given) with " + weight + " and " + bias);
        }
        float[] y = g.outputArray(n * h);
        DinUnitKernel kernel = DinUnitKernel.forward(g, query.data(), keys.data(), positions, offsets, d, keys.rows(),
                weight.data(), h, bias == null ? null : bias.data(), y);
        Tensor out = bias == null ? g.output(n, h, y, query, keys, weight) : g.output(n, h, y, query, keys, weight, bias);
        g.onBackward(out, () -> kernel.backward(out.grad(), weight.requiresGrad() ? weight.grad() : null,
                bias != null && bias.requiresGrad() ? bias.grad() : null, query.requiresGrad() ? query.grad() : null,
                keys.requiresGrad() ? keys.grad() : null));
        return out;
    }

    /**
     * The weighted sum of each packed sequence: weights N x 1, position p's value the row
     * positions[p] of values (U x d), result B x d with {@code out[r] = sum of weights[p] *
     * values[positions[p]] over p in [offsets[r], offsets[r + 1])}; an empty sequence gives zeros.
     */
    static Tensor weightedSequenceSum(Graph g, Tensor weights, Tensor values, int[] positions, int[] offsets) {
        int b = offsets.length - 1;
        int n = positions.length;
        int d = values.cols();
        if (weights.size() != n || offsets[b] != n) {
            throw new IllegalArgumentException("weights " + weights + " for " + n + " positions in sequences of "
                    + offsets[b] + " positions");
        }
        float[] wd = weights.data();
        float[] vd = values.data();
        float[] y = new float[b * d];
        for (int r = 0; r < b; r++) {
            for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                float w = wd[pos];
                int v = positions[pos] * d;
                for (int j = 0; j < d; j++) {
                    y[r * d + j] += w * vd[v + j];
                }
            }
        }
        Tensor out = g.output(b, d, y, weights, values);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dw = weights.requiresGrad() ? weights.grad() : null;
            float[] dv = values.requiresGrad() ? values.grad() : null;
            for (int r = 0; r < b; r++) {
                for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                    float w = wd[pos];
                    int v = positions[pos] * d;
                    float acc = 0;
                    for (int j = 0; j < d; j++) {
                        acc += dy[r * d + j] * vd[v + j];
                        if (dv != null) {
                            dv[v + j] += w * dy[r * d + j];
                        }
                    }
                    if (dw != null) {
                        dw[pos] += acc;
                    }
                }
            }
        });
        return out;
    }
}

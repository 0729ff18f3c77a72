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
     * W = [Wq; Wk; Wd; Wp] in 4d x h and position p's key the row positions[p] of the distinct keys.
     * Since (q - k) Wd = q Wd - k Wd, the layer is q (Wq + Wd) once per sequence, plus k (Wk - Wd)
     * once per distinct key, plus (q * k) Wp per position: the per-position GEMM has d inputs
     * instead of 4d, and neither the unit nor the query's repetition is ever built.
     */
    static Tensor dinUnitLinear(Graph g, Tensor query, Tensor keys, int[] positions, int[] offsets, Tensor weight, Tensor bias) {
        int b = query.rows();
        int d = query.cols();
        int u = keys.rows();
        int n = positions.length;
        int h = weight.cols();
        if (keys.cols() != d || weight.rows() != 4 * d || offsets.length != b + 1 || offsets[b] != n
                || (bias != null && bias.size() != h)) {
            throw new IllegalArgumentException("DIN unit of query " + query + " and keys " + keys + " over " + (offsets.length - 1)
                    + " sequences of " + offsets[offsets.length - 1] + " positions (" + n + " given) with " + weight + " and " + bias);
        }
        float[] w = weight.data();
        float[] queryWeight = new float[d * h];
        float[] keyWeight = new float[d * h];
        for (int i = 0; i < d * h; i++) {
            float wd = w[2 * d * h + i];
            queryWeight[i] = w[i] + wd;
            keyWeight[i] = w[d * h + i] - wd;
        }
        float[] productWeight = java.util.Arrays.copyOfRange(w, 3 * d * h, 4 * d * h);
        float[] q = query.data();
        float[] k = keys.data();
        float[] queryTerm = new float[b * h];
        if (bias != null) {
            for (int r = 0; r < b; r++) {
                System.arraycopy(bias.data(), 0, queryTerm, r * h, h);
            }
        }
        Blas.gemm(false, false, b, h, d, 1f, q, queryWeight, 1f, queryTerm);
        float[] keyTerm = new float[u * h];
        Blas.gemm(false, false, u, h, d, 1f, k, keyWeight, 0f, keyTerm);
        float[] products = new float[n * d];
        for (int r = 0; r < b; r++) {
            for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                int key = positions[pos] * d;
                for (int i = 0; i < d; i++) {
                    products[pos * d + i] = q[r * d + i] * k[key + i];
                }
            }
        }
        float[] y = g.outputArray(n * h);
        Blas.gemm(false, false, n, h, d, 1f, products, productWeight, 0f, y);
        for (int r = 0; r < b; r++) {
            for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                int key = positions[pos] * h;
                for (int j = 0; j < h; j++) {
                    y[pos * h + j] += queryTerm[r * h + j] + keyTerm[key + j];
                }
            }
        }
        Tensor out = bias == null ? g.output(n, h, y, query, keys, weight) : g.output(n, h, y, query, keys, weight, bias);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] rowSums = new float[b * h];
            float[] keySums = new float[u * h];
            for (int r = 0; r < b; r++) {
                for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                    int key = positions[pos] * h;
                    for (int j = 0; j < h; j++) {
                        float v = dy[pos * h + j];
                        rowSums[r * h + j] += v;
                        keySums[key + j] += v;
                    }
                }
            }
            if (weight.requiresGrad()) {
                float[] dQuery = new float[d * h];
                Blas.gemm(true, false, d, h, b, 1f, q, rowSums, 0f, dQuery);
                float[] dKey = new float[d * h];
                Blas.gemm(true, false, d, h, u, 1f, k, keySums, 0f, dKey);
                float[] dw = weight.grad();
                for (int i = 0; i < d * h; i++) {
                    dw[i] += dQuery[i];
                    dw[d * h + i] += dKey[i];
                    dw[2 * d * h + i] += dQuery[i] - dKey[i];
                }
                float[] dProduct = new float[d * h];
                Blas.gemm(true, false, d, h, n, 1f, products, dy, 0f, dProduct);
                for (int i = 0; i < d * h; i++) {
                    dw[3 * d * h + i] += dProduct[i];
                }
            }
            if (bias != null && bias.requiresGrad()) {
                float[] db = bias.grad();
                for (int r = 0; r < b; r++) {
                    for (int j = 0; j < h; j++) {
                        db[j] += rowSums[r * h + j];
                    }
                }
            }
            if (query.requiresGrad() || keys.requiresGrad()) {
                float[] dProducts = new float[n * d];
                Blas.gemm(false, true, n, d, h, 1f, dy, productWeight, 0f, dProducts);
                float[] dq = query.requiresGrad() ? query.grad() : null;
                float[] dk = keys.requiresGrad() ? keys.grad() : null;
                for (int r = 0; r < b; r++) {
                    for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                        int key = positions[pos] * d;
                        for (int i = 0; i < d; i++) {
                            float dp = dProducts[pos * d + i];
                            if (dk != null) {
                                dk[key + i] += q[r * d + i] * dp;
                            }
                            if (dq != null) {
                                dq[r * d + i] += k[key + i] * dp;
                            }
                        }
                    }
                }
                if (dq != null) {
                    Blas.gemm(false, true, b, d, h, 1f, rowSums, queryWeight, 1f, dq);
                }
                if (dk != null) {
                    Blas.gemm(false, true, u, d, h, 1f, keySums, keyWeight, 1f, dk);
                }
            }
        });
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

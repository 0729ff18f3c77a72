package org.recspark.model.tensor;

/**
 * Target attention over packed sequences (DIN, Zhou et al. 2018): a batch's sequences are the rows
 * of one matrix, row r's positions at [offsets[r], offsets[r + 1]), with no padding. Package-private:
 * callers use the {@link Graph} facade, which records the backward steps.
 */
final class AttentionOps {
    private AttentionOps() {
    }

    /**
     * The first layer of DIN's attention unit, [q, k, q - k, q * k] W + b for every position, with
     * W = [Wq; Wk; Wd; Wp] in 4d x h. Since (q - k) Wd = q Wd - k Wd, the layer is q (Wq + Wd) once
     * per sequence plus [k, q * k] [Wk - Wd; Wp] per position: one GEMM over 2d inputs instead of a
     * concatenation of four pieces and a GEMM over 4d, and the query's repetition is never built.
     */
    static Tensor dinUnitLinear(Graph g, Tensor query, Tensor keys, int[] offsets, Tensor weight, Tensor bias) {
        int b = query.rows();
        int d = query.cols();
        int n = keys.rows();
        int h = weight.cols();
        if (keys.cols() != d || weight.rows() != 4 * d || offsets.length != b + 1 || offsets[b] != n
                || (bias != null && bias.size() != h)) {
            throw new IllegalArgumentException("DIN unit of query " + query + " and keys " + keys + " over " + (offsets.length - 1)
                    + " sequences of " + offsets[offsets.length - 1] + " positions with " + weight + " and " + bias);
        }
        float[] w = weight.data();
        float[] queryWeight = new float[d * h];
        float[] positionWeight = new float[2 * d * h];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < h; j++) {
                float wd = w[(2 * d + i) * h + j];
                queryWeight[i * h + j] = w[i * h + j] + wd;
                positionWeight[i * h + j] = w[(d + i) * h + j] - wd;
                positionWeight[(d + i) * h + j] = w[(3 * d + i) * h + j];
            }
        }
        float[] queryTerm = new float[b * h];
        if (bias != null) {
            for (int r = 0; r < b; r++) {
                System.arraycopy(bias.data(), 0, queryTerm, r * h, h);
            }
        }
        float[] q = query.data();
        float[] k = keys.data();
        Blas.gemm(false, false, b, h, d, 1f, q, queryWeight, 1f, queryTerm);
        float[] unit = new float[n * 2 * d];
        float[] y = g.outputArray(n * h);
        for (int r = 0; r < b; r++) {
            for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                int u = pos * 2 * d;
                for (int i = 0; i < d; i++) {
                    float kv = k[pos * d + i];
                    unit[u + i] = kv;
                    unit[u + d + i] = q[r * d + i] * kv;
                }
                System.arraycopy(queryTerm, r * h, y, pos * h, h);
            }
        }
        Blas.gemm(false, false, n, h, 2 * d, 1f, unit, positionWeight, 1f, y);
        Tensor out = bias == null ? g.output(n, h, y, query, keys, weight) : g.output(n, h, y, query, keys, weight, bias);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] rowSums = new float[b * h];
            for (int r = 0; r < b; r++) {
                for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                    for (int j = 0; j < h; j++) {
                        rowSums[r * h + j] += dy[pos * h + j];
                    }
                }
            }
            if (weight.requiresGrad()) {
                float[] dQuery = new float[d * h];
                Blas.gemm(true, false, d, h, b, 1f, q, rowSums, 0f, dQuery);
                float[] dPosition = new float[2 * d * h];
                Blas.gemm(true, false, 2 * d, h, n, 1f, unit, dy, 0f, dPosition);
                float[] dw = weight.grad();
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < h; j++) {
                        float dq = dQuery[i * h + j];
                        float dk = dPosition[i * h + j];
                        dw[i * h + j] += dq;
                        dw[(d + i) * h + j] += dk;
                        dw[(2 * d + i) * h + j] += dq - dk;
                        dw[(3 * d + i) * h + j] += dPosition[(d + i) * h + j];
                    }
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
                float[] dUnit = new float[n * 2 * d];
                Blas.gemm(false, true, n, 2 * d, h, 1f, dy, positionWeight, 0f, dUnit);
                float[] dq = query.requiresGrad() ? query.grad() : null;
                float[] dk = keys.requiresGrad() ? keys.grad() : null;
                for (int r = 0; r < b; r++) {
                    for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                        int u = pos * 2 * d;
                        for (int i = 0; i < d; i++) {
                            float dProduct = dUnit[u + d + i];
                            if (dk != null) {
                                dk[pos * d + i] += dUnit[u + i] + q[r * d + i] * dProduct;
                            }
                            if (dq != null) {
                                dq[r * d + i] += k[pos * d + i] * dProduct;
                            }
                        }
                    }
                }
                if (dq != null) {
                    Blas.gemm(false, true, b, d, h, 1f, rowSums, queryWeight, 1f, dq);
                }
            }
        });
        return out;
    }

    /**
     * The weighted sum of each packed sequence: weights N x 1, values N x d, result B x d with
     * {@code out[r] = sum of weights[p] * values[p] over p in [offsets[r], offsets[r + 1])}; an empty
     * sequence gives zeros.
     */
    static Tensor weightedSequenceSum(Graph g, Tensor weights, Tensor values, int[] offsets) {
        int b = offsets.length - 1;
        int n = values.rows();
        int d = values.cols();
        if (weights.size() != n || offsets[b] != n) {
            throw new IllegalArgumentException("weights " + weights + " for values " + values + " in sequences of "
                    + offsets[b] + " positions");
        }
        float[] wd = weights.data();
        float[] vd = values.data();
        float[] y = new float[b * d];
        for (int r = 0; r < b; r++) {
            for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                float w = wd[pos];
                for (int j = 0; j < d; j++) {
                    y[r * d + j] += w * vd[pos * d + j];
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
                    float acc = 0;
                    for (int j = 0; j < d; j++) {
                        acc += dy[r * d + j] * vd[pos * d + j];
                        if (dv != null) {
                            dv[pos * d + j] += w * dy[r * d + j];
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

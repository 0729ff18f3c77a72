package org.recspark.model.tensor;

import java.util.Arrays;

/**
 * The math of the first layer of DIN's attention unit on plain arrays, [q, k, q - k, q * k] W + b
 * for every position p of sequence r (q row r of the B x d queries, k row positions[p] of the U x d
 * distinct keys, sequence r at positions [offsets[r], offsets[r + 1])), W = [Wq; Wk; Wd; Wp] in
 * 4d x h. Since (q - k) Wd = q Wd - k Wd, the layer is q (Wq + Wd) once per sequence, plus k (Wk -
 * Wd) once per distinct key, plus (q * k) Wp per position: the per-position GEMM has d inputs
 * instead of 4d, and neither the unit nor the query's repetition is ever built. Its large buffers
 * come from the graph's scratch, so only their first N x d (or N x h) values are meant. Shared by
 * {@link Graph#dinUnitLinear} and DIN's fused attention MLP.
 */
final class DinUnitKernel {
    private final Graph g;
    private final float[] q;
    private final float[] k;
    private final int[] positions;
    private final int[] offsets;
    private final int b;
    private final int d;
    private final int u;
    private final int n;
    private final int h;
    private final float[] queryWeight;
    private final float[] keyWeight;
    private final float[] productWeight;
    private final float[] products;

    private DinUnitKernel(Graph g, float[] q, float[] k, int[] positions, int[] offsets, int d, int u, float[] w, int h) {
        this.g = g;
        this.q = q;
        this.k = k;
        this.positions = positions;
        this.offsets = offsets;
        this.b = offsets.length - 1;
        this.d = d;
        this.u = u;
        this.n = positions.length;
        this.h = h;
        this.queryWeight = new float[d * h];
        this.keyWeight = new float[d * h];
        for (int i = 0; i < d * h; i++) {
            float wd = w[2 * d * h + i];
            queryWeight[i] = w[i] + wd;
            keyWeight[i] = w[d * h + i] - wd;
        }
        this.productWeight = Arrays.copyOfRange(w, 3 * d * h, 4 * d * h);
        this.products = g.scratch(n * d);
    }

    /**
     * Writes the layer's N x h output into {@code y} (at least N x h floats). {@code q} is B x d,
     * {@code k} U x d, {@code w} 4d x h and {@code bias} h (null: none).
     */
    static DinUnitKernel forward(Graph g, float[] q, float[] k, int[] positions, int[] offsets, int d, int u, float[] w, int h,
                                 float[] bias, float[] y) {
        DinUnitKernel kernel = new DinUnitKernel(g, q, k, positions, offsets, d, u, w, h);
        kernel.apply(bias, y);
        return kernel;
    }

    private void apply(float[] bias, float[] y) {
        float[] queryTerm = g.scratchZeroed(b * h);
        if (bias != null) {
            for (int r = 0; r < b; r++) {
                System.arraycopy(bias, 0, queryTerm, r * h, h);
            }
        }
        Blas.gemm(false, false, b, h, d, 1f, q, queryWeight, 1f, queryTerm);
        float[] keyTerm = g.scratch(u * h);
        Blas.gemm(false, false, u, h, d, 1f, k, keyWeight, 0f, keyTerm);
        for (int r = 0; r < b; r++) {
            for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                int key = positions[pos] * d;
                for (int i = 0; i < d; i++) {
                    products[pos * d + i] = q[r * d + i] * k[key + i];
                }
            }
        }
        Blas.gemm(false, false, n, h, d, 1f, products, productWeight, 0f, y);
        for (int r = 0; r < b; r++) {
            for (int pos = offsets[r]; pos < offsets[r + 1]; pos++) {
                int key = positions[pos] * h;
                for (int j = 0; j < h; j++) {
                    y[pos * h + j] += queryTerm[r * h + j] + keyTerm[key + j];
                }
            }
        }
    }

    /**
     * From the output's gradient dy (N x h), adds the gradients of W (4d x h), b, the queries and the
     * keys to those that are not null.
     */
    void backward(float[] dy, float[] dw, float[] db, float[] dq, float[] dk) {
        float[] rowSums = g.scratchZeroed(b * h);
        float[] keySums = g.scratchZeroed(u * h);
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
        if (dw != null) {
            float[] dQuery = new float[d * h];
            Blas.gemm(true, false, d, h, b, 1f, q, rowSums, 0f, dQuery);
            float[] dKey = new float[d * h];
            Blas.gemm(true, false, d, h, u, 1f, k, keySums, 0f, dKey);
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
        if (db != null) {
            for (int r = 0; r < b; r++) {
                for (int j = 0; j < h; j++) {
                    db[j] += rowSums[r * h + j];
                }
            }
        }
        if (dq != null || dk != null) {
            float[] dProducts = g.scratch(n * d);
            Blas.gemm(false, true, n, d, h, 1f, dy, productWeight, 0f, dProducts);
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
    }
}

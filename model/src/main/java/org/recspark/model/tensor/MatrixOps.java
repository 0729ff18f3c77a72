package org.recspark.model.tensor;

/**
 * Matrix products of a {@link Graph}: {@code matmul} and the fully connected layer.
 * Package-private: callers use the {@link Graph} facade, which records the backward steps.
 */
final class MatrixOps {
    private MatrixOps() {
    }

    static Tensor matmul(Graph g, Tensor a, Tensor b, boolean transB) {
        int m = a.rows();
        int k = a.cols();
        int n = transB ? b.rows() : b.cols();
        int kb = transB ? b.cols() : b.rows();
        if (k != kb) {
            throw new IllegalArgumentException("matmul of " + a + " and " + b + (transB ? "^T" : ""));
        }
        float[] c = g.outputArray(m * n);
        Blas.gemm(false, transB, m, n, k, 1f, a.data(), b.data(), 0f, c);
        Tensor out = g.output(m, n, c, a, b);
        g.onBackward(out, () -> productBackward(a, b, transB, m, k, n, out.grad()));
        return out;
    }

    /**
     * Gradients of C = A * op(B) (m x k times k x n) into A and B, from dC. A gradient nothing has
     * reached yet is written rather than added to (beta 0), which spares copying its zeros to the
     * BLAS buffers: a layer's input gradient is an activation-sized matrix.
     */
    private static void productBackward(Tensor a, Tensor b, boolean transB, int m, int k, int n, float[] dc) {
        if (a.requiresGrad()) {
            // dA = dC * B^T (or dC * B when B was transposed)
            float beta = a.hasGrad() ? 1f : 0f;
            Blas.gemm(false, !transB, m, k, n, 1f, dc, b.data(), beta, a.grad());
        }
        if (b.requiresGrad()) {
            float beta = b.hasGrad() ? 1f : 0f;
            if (transB) {
                Blas.gemm(true, false, n, k, m, 1f, dc, a.data(), beta, b.grad());
            } else {
                Blas.gemm(true, false, k, n, m, 1f, a.data(), dc, beta, b.grad());
            }
        }
    }

    /** The bias is written into the output before the GEMM accumulates onto it, saving a pass over the activations. */
    static Tensor linear(Graph g, Tensor x, Tensor weight, Tensor bias) {
        if (bias == null) {
            return matmul(g, x, weight, false);
        }
        int m = x.rows();
        int k = x.cols();
        int n = weight.cols();
        if (weight.rows() != k || bias.size() != n) {
            throw new IllegalArgumentException("linear of " + x + " with " + weight + " and " + bias);
        }
        float[] c = g.outputArray(m * n);
        float[] bd = bias.data();
        for (int r = 0; r < m; r++) {
            System.arraycopy(bd, 0, c, r * n, n);
        }
        Blas.gemm(false, false, m, n, k, 1f, x.data(), weight.data(), 1f, c);
        Tensor out = g.output(m, n, c, x, weight, bias);
        g.onBackward(out, () -> {
            float[] dc = out.grad();
            productBackward(x, weight, false, m, k, n, dc);
            if (bias.requiresGrad()) {
                float[] db = bias.grad();
                for (int r = 0; r < m; r++) {
                    for (int j = 0, o = r * n; j < n; j++) {
                        db[j] += dc[o + j];
                    }
                }
            }
        });
        return out;
    }
}

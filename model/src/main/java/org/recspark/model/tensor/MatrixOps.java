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
        float[] c = affine(g, x, weight, bias);
        int m = x.rows();
        int k = x.cols();
        int n = weight.cols();
        Tensor out = g.output(m, n, c, x, weight, bias);
        g.onBackward(out, () -> {
            float[] dc = out.grad();
            productBackward(x, weight, false, m, k, n, dc);
            if (bias.requiresGrad()) {
                addColumnSums(dc, m, n, bias.grad());
            }
        });
        return out;
    }

    /*
     * The hidden layer as one op: the activation overwrites the GEMM's output, so neither the
     * pre-activation nor the activation's own output and gradient buffers are allocated, and in the
     * backward pass one loop gates the output gradient in place (nothing reads it after this op) and
     * sums the bias gradient, before the two products. The gate needs only the output: y > 0 exactly
     * where x W + b > 0, for every slope in [0, 1].
     */
    static Tensor linearLeakyRelu(Graph g, Tensor x, Tensor weight, Tensor bias, float slope) {
        if (!(slope >= 0 && slope <= 1)) {
            throw new IllegalArgumentException("leaky ReLU slope must be in [0, 1], got " + slope);
        }
        float[] y = affine(g, x, weight, bias);
        ActivationOps.leakyReluValues(y, y, slope);
        int m = x.rows();
        int k = x.cols();
        int n = weight.cols();
        Tensor out = g.output(m, n, y, x, weight, bias);
        g.onBackward(out, () -> {
            float[] dz = out.grad();
            ActivationOps.gateLeakyRelu(y, dz, slope);
            productBackward(x, weight, false, m, k, n, dz);
            if (bias.requiresGrad()) {
                addColumnSums(dz, m, n, bias.grad());
            }
        });
        return out;
    }

    /** x W + b into a new output array: the bias rows first, then the GEMM accumulates onto them. */
    private static float[] affine(Graph g, Tensor x, Tensor weight, Tensor bias) {
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
        return c;
    }

    private static void addColumnSums(float[] values, int rows, int cols, float[] sums) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0, o = r * cols; j < cols; j++) {
                sums[j] += values[o + j];
            }
        }
    }
}

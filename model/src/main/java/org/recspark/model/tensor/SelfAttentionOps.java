package org.recspark.model.tensor;


/**
 * Multi-head scaled dot-product self-attention over packed sequences (Vaswani et al. 2017, as SASRec
 * uses it, Kang and McAuley 2018): rows [offsets[r], offsets[r + 1]) of Q, K and V (N x d each) are
 * sequence r's positions, and each position attends to its own sequence's positions only, so
 * sequences of different lengths need neither padding nor a mask. Head h reads and writes columns
 * [h * d / heads, (h + 1) * d / heads). A sequence's score matrices are a few dozen positions square,
 * too small for a BLAS call to pay off (the projections around this op are the GEMMs), so they are
 * loops. Package-private: callers use the {@link Graph} facade.
 */
final class SelfAttentionOps {
    private SelfAttentionOps() {
    }

    static Tensor selfAttention(Graph g, Tensor q, Tensor k, Tensor v, int[] offsets, int heads) {
        int n = q.rows();
        int d = q.cols();
        int sequences = offsets.length - 1;
        if (k.rows() != n || k.cols() != d || v.rows() != n || v.cols() != d || heads < 1 || d % heads != 0
                || sequences < 0 || offsets[0] != 0 || offsets[sequences] != n) {
            throw new IllegalArgumentException("self-attention of queries " + q + ", keys " + k + " and values " + v + " in " + heads
                    + " heads over sequences ending at " + (sequences < 0 ? "nothing" : offsets[sequences]));
        }
        int width = d / heads;
        float scale = (float) (1 / Math.sqrt(width));
        // sequence r's attention probabilities, head by head, each len x len, from probabilityStart[r]
        int[] probabilityStart = new int[sequences + 1];
        int longest = 0;
        for (int r = 0; r < sequences; r++) {
            int len = offsets[r + 1] - offsets[r];
            if (len < 0) {
                throw new IllegalArgumentException("sequence " + r + " ends at " + offsets[r + 1] + " before it starts at " + offsets[r]);
            }
            longest = Math.max(longest, len);
            probabilityStart[r + 1] = Math.addExact(probabilityStart[r], Math.multiplyExact(heads, len * len));
        }
        float[] qd = q.data();
        float[] kd = k.data();
        float[] vd = v.data();
        float[] p = g.outputArray(probabilityStart[sequences]);
        float[] y = g.zeroedOutputArray(n * d);
        for (int r = 0; r < sequences; r++) {
            int first = offsets[r];
            int len = offsets[r + 1] - first;
            for (int h = 0; h < heads; h++) {
                int col = h * width;
                int base = probabilityStart[r] + h * len * len;
                for (int i = 0; i < len; i++) {
                    int qi = (first + i) * d + col;
                    int row = base + i * len;
                    for (int j = 0; j < len; j++) {
                        int kj = (first + j) * d + col;
                        float dot = 0;
                        for (int c = 0; c < width; c++) {
                            dot += qd[qi + c] * kd[kj + c];
                        }
                        p[row + j] = dot * scale;
                    }
                    ActivationOps.softmaxRow(p, p, row, len);
                    for (int j = 0; j < len; j++) {
                        float w = p[row + j];
                        int vj = (first + j) * d + col;
                        for (int c = 0; c < width; c++) {
                            y[qi + c] += w * vd[vj + c];
                        }
                    }
                }
            }
        }
        Tensor out = g.output(n, d, y, q, k, v);
        int maxLen = longest;
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dq = q.requiresGrad() ? q.grad() : null;
            float[] dk = k.requiresGrad() ? k.grad() : null;
            float[] dv = v.requiresGrad() ? v.grad() : null;
            float[] dp = new float[maxLen];
            for (int r = 0; r < sequences; r++) {
                int first = offsets[r];
                int len = offsets[r + 1] - first;
                for (int h = 0; h < heads; h++) {
                    int col = h * width;
                    int base = probabilityStart[r] + h * len * len;
                    for (int i = 0; i < len; i++) {
                        int yi = (first + i) * d + col;
                        int row = base + i * len;
                        float expected = 0;
                        for (int j = 0; j < len; j++) {
                            int vj = (first + j) * d + col;
                            float pij = p[row + j];
                            float acc = 0;
                            for (int c = 0; c < width; c++) {
                                acc += dy[yi + c] * vd[vj + c];
                                if (dv != null) {
                                    dv[vj + c] += pij * dy[yi + c];
                                }
                            }
                            dp[j] = acc;
                            expected += pij * acc;
                        }
                        // the softmax's Jacobian: dS_ij = P_ij (dP_ij - sum_l P_il dP_il), then the score's scale
                        for (int j = 0; j < len; j++) {
                            float ds = p[row + j] * (dp[j] - expected) * scale;
                            int kj = (first + j) * d + col;
                            for (int c = 0; c < width; c++) {
                                if (dq != null) {
                                    dq[yi + c] += ds * kd[kj + c];
                                }
                                if (dk != null) {
                                    dk[kj + c] += ds * qd[yi + c];
                                }
                            }
                        }
                    }
                }
            }
        });
        return out;
    }
}

package org.recspark.model.tensor;

/**
 * Sums of a {@link Graph} over rows, groups of columns and sequences.
 * Package-private: callers use the {@link Graph} facade, which records the backward steps.
 */
final class ReductionOps {
    private ReductionOps() {
    }

    static Tensor rowSum(Graph g, Tensor x) {
        int n = x.cols();
        float[] xd = x.data();
        float[] y = new float[x.rows()];
        for (int r = 0; r < x.rows(); r++) {
            float s = 0;
            for (int j = 0; j < n; j++) {
                s += xd[r * n + j];
            }
            y[r] = s;
        }
        Tensor out = g.output(x.rows(), 1, y, x);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int r = 0; r < x.rows(); r++) {
                for (int j = 0; j < n; j++) {
                    dx[r * n + j] += dy[r];
                }
            }
        });
        return out;
    }

    static Tensor total(Graph g, Tensor x) {
        float[] xd = x.data();
        double s = 0;
        for (float v : xd) {
            s += v;
        }
        Tensor out = g.output(1, 1, new float[]{(float) s}, x);
        g.onBackward(out, () -> {
            float d = out.grad()[0];
            float[] dx = x.grad();
            for (int i = 0; i < dx.length; i++) {
                dx[i] += d;
            }
        });
        return out;
    }

    static Tensor rowDot(Graph g, Tensor a, Tensor b) {
        return rowSum(g, ElementwiseOps.mul(g, a, b));
    }

    static Tensor sumGroups(Graph g, Tensor x, int groups) {
        if (x.cols() % groups != 0) {
            throw new IllegalArgumentException(x + " does not split into " + groups + " groups");
        }
        int d = x.cols() / groups;
        int n = x.cols();
        float[] xd = x.data();
        float[] y = new float[x.rows() * d];
        for (int r = 0; r < x.rows(); r++) {
            for (int group = 0; group < groups; group++) {
                int src = r * n + group * d;
                for (int j = 0; j < d; j++) {
                    y[r * d + j] += xd[src + j];
                }
            }
        }
        Tensor out = g.output(x.rows(), d, y, x);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int r = 0; r < x.rows(); r++) {
                for (int group = 0; group < groups; group++) {
                    int dst = r * n + group * d;
                    for (int j = 0; j < d; j++) {
                        dx[dst + j] += dy[r * d + j];
                    }
                }
            }
        });
        return out;
    }

    static Tensor weightedSequenceSum(Graph g, Tensor weights, Tensor values) {
        int b = weights.rows();
        int len = weights.cols();
        int d = values.cols();
        if (values.rows() != b * len) {
            throw new IllegalArgumentException("weights " + weights + " for values " + values);
        }
        float[] wd = weights.data();
        float[] vd = values.data();
        float[] y = new float[b * d];
        for (int r = 0; r < b; r++) {
            for (int l = 0; l < len; l++) {
                float w = wd[r * len + l];
                if (w == 0) {
                    continue;
                }
                int src = (r * len + l) * d;
                for (int j = 0; j < d; j++) {
                    y[r * d + j] += w * vd[src + j];
                }
            }
        }
        Tensor out = g.output(b, d, y, weights, values);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dw = weights.requiresGrad() ? weights.grad() : null;
            float[] dv = values.requiresGrad() ? values.grad() : null;
            for (int r = 0; r < b; r++) {
                for (int l = 0; l < len; l++) {
                    int src = (r * len + l) * d;
                    float w = wd[r * len + l];
                    float acc = 0;
                    for (int j = 0; j < d; j++) {
                        acc += dy[r * d + j] * vd[src + j];
                        if (dv != null) {
                            dv[src + j] += w * dy[r * d + j];
                        }
                    }
                    if (dw != null) {
                        dw[r * len + l] += acc;
                    }
                }
            }
        });
        return out;
    }
}

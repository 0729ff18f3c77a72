package org.recspark.model.tensor;

/**
 * Sums of a {@link Graph} over rows and groups of columns.
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
}

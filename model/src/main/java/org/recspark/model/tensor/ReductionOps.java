package org.recspark.model.tensor;

import java.util.Arrays;

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
        float[] y = g.outputArray(x.rows());
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
        float[] y = g.zeroedOutputArray(x.rows() * d);
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
    /*
     * One pass forward and one backward instead of the seven ops the FM term was built from (two
     * field sums, a square, a difference, a row sum, a scale and their backward steps), each a pass
     * over the B x (F * D) embeddings or their gradient. With S the sum over fields of a row's
     * embeddings, dy/de_f = S - e_f.
     */
    static Tensor factorizationMachine(Graph g, Tensor fields, int numFields) {
        if (numFields <= 0 || fields.cols() % numFields != 0) {
            throw new IllegalArgumentException(fields + " does not split into " + numFields + " fields");
        }
        int rows = fields.rows();
        int n = fields.cols();
        int d = n / numFields;
        float[] e = fields.data();
        float[] sums = g.zeroedOutputArray(rows * d);
        float[] y = g.outputArray(rows);
        float[] squares = new float[d];
        for (int r = 0; r < rows; r++) {
            int so = r * d;
            Arrays.fill(squares, 0f);
            for (int f = 0; f < numFields; f++) {
                int src = r * n + f * d;
                for (int j = 0; j < d; j++) {
                    float v = e[src + j];
                    sums[so + j] += v;
                    squares[j] += v * v;
                }
            }
            float total = 0;
            for (int j = 0; j < d; j++) {
                float s = sums[so + j];
                total += s * s - squares[j];
            }
            y[r] = 0.5f * total;
        }
        Tensor out = g.output(rows, 1, y, fields);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] de = fields.grad();
            for (int r = 0; r < rows; r++) {
                float scale = dy[r];
                int so = r * d;
                for (int f = 0; f < numFields; f++) {
                    int dst = r * n + f * d;
                    for (int j = 0; j < d; j++) {
                        de[dst + j] += scale * (sums[so + j] - e[dst + j]);
                    }
                }
            }
        });
        return out;
    }
}

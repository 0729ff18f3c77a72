package org.recspark.model.tensor;

import java.util.List;

/**
 * Ops of a {@link Graph} that move values without arithmetic: concatenation, slices, row selection, reshapes.
 * Package-private: callers use the {@link Graph} facade, which records the backward steps.
 */
final class ShapeOps {
    private ShapeOps() {
    }

    static Tensor concat(Graph g, List<Tensor> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int rows = parts.get(0).rows();
        int cols = 0;
        for (Tensor p : parts) {
            if (p.rows() != rows) {
                throw new IllegalArgumentException("concat of " + parts);
            }
            cols += p.cols();
        }
        float[] y = g.outputArray(rows * cols);
        int offset = 0;
        for (Tensor p : parts) {
            int pc = p.cols();
            float[] pd = p.data();
            for (int r = 0; r < rows; r++) {
                System.arraycopy(pd, r * pc, y, r * cols + offset, pc);
            }
            offset += pc;
        }
        int totalCols = cols;
        Tensor out = g.output(rows, cols, y, parts.toArray(new Tensor[0]));
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            int off = 0;
            for (Tensor p : parts) {
                int pc = p.cols();
                if (p.requiresGrad()) {
                    float[] dp = p.grad();
                    for (int r = 0; r < rows; r++) {
                        int src = r * totalCols + off;
                        int dst = r * pc;
                        for (int j = 0; j < pc; j++) {
                            dp[dst + j] += dy[src + j];
                        }
                    }
                }
                off += pc;
            }
        });
        return out;
    }

    static Tensor slice(Graph g, Tensor x, int from, int to) {
        int n = x.cols();
        if (from < 0 || to > n || from >= to) {
            throw new IllegalArgumentException("columns [" + from + ", " + to + ") of " + x);
        }
        int w = to - from;
        float[] xd = x.data();
        float[] y = g.outputArray(x.rows() * w);
        for (int r = 0; r < x.rows(); r++) {
            System.arraycopy(xd, r * n + from, y, r * w, w);
        }
        Tensor out = g.output(x.rows(), w, y, x);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int r = 0; r < x.rows(); r++) {
                for (int j = 0; j < w; j++) {
                    dx[r * n + from + j] += dy[r * w + j];
                }
            }
        });
        return out;
    }

    static Tensor reshape(Graph g, Tensor x, int rows, int cols) {
        if (rows * cols != x.size()) {
            throw new IllegalArgumentException("cannot reshape " + x + " to " + rows + " x " + cols);
        }
        return new Tensor(rows, cols, x.data(), x.requiresGrad() ? x.grad() : null, x.requiresGrad());
    }

    static Tensor selectRows(Graph g, Tensor x, int[] rows) {
        int n = x.cols();
        float[] xd = x.data();
        float[] y = g.outputArray(rows.length * n);
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(xd, rows[i] * n, y, i * n, n);
        }
        Tensor out = g.output(rows.length, n, y, x);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < n; j++) {
                    dx[rows[i] * n + j] += dy[i * n + j];
                }
            }
        });
        return out;
    }

    static Tensor repeatRows(Graph g, Tensor x, int times) {
        int n = x.cols();
        float[] xd = x.data();
        float[] y = g.outputArray(xd.length * times);
        for (int r = 0; r < x.rows(); r++) {
            for (int t = 0; t < times; t++) {
                System.arraycopy(xd, r * n, y, (r * times + t) * n, n);
            }
        }
        Tensor out = g.output(x.rows() * times, n, y, x);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int r = 0; r < x.rows(); r++) {
                for (int t = 0; t < times; t++) {
                    int src = (r * times + t) * n;
                    for (int j = 0; j < n; j++) {
                        dx[r * n + j] += dy[src + j];
                    }
                }
            }
        });
        return out;
    }
}

package org.recspark.model.tensor;

/**
 * Normalisations of a {@link Graph}: L2 per row, layer norm, batch norm.
 * Package-private: callers use the {@link Graph} facade, which records the backward steps.
 */
final class NormalizationOps {
    private NormalizationOps() {
    }

    static Tensor l2NormalizeRows(Graph g, Tensor x, float eps) {
        int n = x.cols();
        float[] xd = x.data();
        float[] y = new float[xd.length];
        float[] norms = new float[x.rows()];
        for (int r = 0; r < x.rows(); r++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += (double) xd[r * n + j] * xd[r * n + j];
            }
            norms[r] = (float) Math.max(Math.sqrt(s), eps);
            for (int j = 0; j < n; j++) {
                y[r * n + j] = xd[r * n + j] / norms[r];
            }
        }
        Tensor out = g.output(x.rows(), n, y, x);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int r = 0; r < x.rows(); r++) {
                int o = r * n;
                float dot = 0;
                for (int j = 0; j < n; j++) {
                    dot += dy[o + j] * y[o + j];
                }
                boolean floored = norms[r] <= eps;
                for (int j = 0; j < n; j++) {
                    dx[o + j] += floored ? dy[o + j] / norms[r] : (dy[o + j] - y[o + j] * dot) / norms[r];
                }
            }
        });
        return out;
    }

    static Tensor layerNorm(Graph g, Tensor x, Tensor gamma, Tensor beta, float eps) {
        int n = x.cols();
        int rows = x.rows();
        float[] xd = x.data();
        float[] xhat = new float[xd.length];
        float[] invStd = new float[rows];
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            double mean = 0;
            for (int j = 0; j < n; j++) {
                mean += xd[o + j];
            }
            mean /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                double d = xd[o + j] - mean;
                var += d * d;
            }
            var /= n;
            invStd[r] = (float) (1 / Math.sqrt(var + eps));
            for (int j = 0; j < n; j++) {
                xhat[o + j] = (float) ((xd[o + j] - mean) * invStd[r]);
            }
        }
        Tensor normalized = g.output(rows, n, xhat, x);
        g.onBackward(normalized, () -> {
            float[] dxh = normalized.grad();
            float[] dx = x.grad();
            for (int r = 0; r < rows; r++) {
                int o = r * n;
                double sumD = 0;
                double sumDx = 0;
                for (int j = 0; j < n; j++) {
                    sumD += dxh[o + j];
                    sumDx += dxh[o + j] * xhat[o + j];
                }
                for (int j = 0; j < n; j++) {
                    dx[o + j] += (float) (invStd[r] * (dxh[o + j] - sumD / n - xhat[o + j] * sumDx / n));
                }
            }
        });
        return affine(g, normalized, gamma, beta);
    }

    static Tensor batchNorm(Graph g, Tensor x, Tensor gamma, Tensor beta, float[] runningMean, float[] runningVar,
                            float eps, float[] batchMean, float[] batchVar) {
        int n = x.cols();
        int rows = x.rows();
        float[] xd = x.data();
        float[] xhat = new float[xd.length];
        if (!g.training()) {
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < n; j++) {
                    xhat[r * n + j] = (float) ((xd[r * n + j] - runningMean[j]) / Math.sqrt(runningVar[j] + eps));
                }
            }
            Tensor normalized = g.output(rows, n, xhat, x);
            g.onBackward(normalized, () -> {
                float[] dxh = normalized.grad();
                float[] dx = x.grad();
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < n; j++) {
                        dx[r * n + j] += (float) (dxh[r * n + j] / Math.sqrt(runningVar[j] + eps));
                    }
                }
            });
            return affine(g, normalized, gamma, beta);
        }
        ColumnMoments moments = ColumnMoments.of(xd, rows, n);
        double[] mean = moments.mean();
        float[] invStd = new float[n];
        for (int j = 0; j < n; j++) {
            invStd[j] = (float) (1 / Math.sqrt(moments.variance()[j] + eps));
        }
        moments.report(batchMean, batchVar, rows);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                xhat[r * n + j] = (float) ((xd[r * n + j] - mean[j]) * invStd[j]);
            }
        }
        Tensor normalized = g.output(rows, n, xhat, x);
        g.onBackward(normalized, () -> {
            float[] dxh = normalized.grad();
            float[] dx = x.grad();
            double[] sumD = new double[n];
            double[] sumDx = new double[n];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < n; j++) {
                    sumD[j] += dxh[r * n + j];
                    sumDx[j] += dxh[r * n + j] * xhat[r * n + j];
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < n; j++) {
                    int i = r * n + j;
                    dx[i] += (float) (invStd[j] * (dxh[i] - sumD[j] / rows - xhat[i] * sumDx[j] / rows));
                }
            }
        });
        return affine(g, normalized, gamma, beta);
    }

    /** gamma * x + beta per column (either may be null). */
    private static Tensor affine(Graph g, Tensor x, Tensor gamma, Tensor beta) {
        Tensor y = x;
        if (gamma != null) {
            y = ElementwiseOps.mulRowVector(g, y, gamma);
        }
        if (beta != null) {
            y = ElementwiseOps.addRowVector(g, y, beta);
        }
        return y;
    }
}

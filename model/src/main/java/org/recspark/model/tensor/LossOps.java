package org.recspark.model.tensor;

/**
 * Losses of a {@link Graph}: sums over the rows multiplied by a scale the caller chooses, as 1 x 1 tensors.
 * Package-private: callers use the {@link Graph} facade, which records the backward steps.
 */
final class LossOps {
    private LossOps() {
    }

    static Tensor binaryCrossEntropyWithLogits(Graph g, Tensor logits, float[] labels, float scale) {
        checkColumn(logits, labels);
        float[] z = logits.data();
        double loss = 0;
        for (int i = 0; i < z.length; i++) {
            // log(1 + e^z) - y z, stable for large |z|
            double v = z[i];
            loss += Math.max(v, 0) - v * labels[i] + Math.log1p(Math.exp(-Math.abs(v)));
        }
        Tensor out = g.output(1, 1, new float[]{(float) (loss * scale)}, logits);
        g.onBackward(out, () -> {
            float d = out.grad()[0] * scale;
            float[] dz = logits.grad();
            for (int i = 0; i < z.length; i++) {
                dz[i] += d * (ActivationOps.sigmoid(z[i]) - labels[i]);
            }
        });
        return out;
    }

    /**
     * KL(q || sigmoid(z)) of Bernoulli distributions, q the target probabilities: the cross-entropy
     * less the targets' entropy, so the gradient is the cross-entropy's, sigmoid(z) - q.
     */
    static Tensor binaryKlDivergenceWithLogits(Graph g, Tensor logits, float[] targets, float scale) {
        checkColumn(logits, targets);
        float[] z = logits.data();
        double loss = 0;
        for (int i = 0; i < z.length; i++) {
            double v = z[i];
            double q = targets[i];
            double crossEntropy = Math.max(v, 0) - v * q + Math.log1p(Math.exp(-Math.abs(v)));
            loss += crossEntropy - bernoulliEntropy(q);
        }
        Tensor out = g.output(1, 1, new float[]{(float) (loss * scale)}, logits);
        g.onBackward(out, () -> {
            float d = out.grad()[0] * scale;
            float[] dz = logits.grad();
            for (int i = 0; i < z.length; i++) {
                dz[i] += d * (ActivationOps.sigmoid(z[i]) - targets[i]);
            }
        });
        return out;
    }

    /** -q log q - (1 - q) log(1 - q), with 0 log 0 = 0. */
    private static double bernoulliEntropy(double q) {
        double h = 0;
        if (q > 0) {
            h -= q * Math.log(q);
        }
        if (q < 1) {
            h -= (1 - q) * Math.log1p(-q);
        }
        return h;
    }

    static Tensor binaryCrossEntropy(Graph g, Tensor probabilities, float[] labels, float scale) {
        checkColumn(probabilities, labels);
        final float eps = 1e-7f;
        float[] p = probabilities.data();
        double loss = 0;
        for (int i = 0; i < p.length; i++) {
            double q = Math.min(Math.max(p[i], eps), 1 - eps);
            loss -= labels[i] * Math.log(q) + (1 - labels[i]) * Math.log(1 - q);
        }
        Tensor out = g.output(1, 1, new float[]{(float) (loss * scale)}, probabilities);
        g.onBackward(out, () -> {
            float d = out.grad()[0] * scale;
            float[] dp = probabilities.grad();
            for (int i = 0; i < p.length; i++) {
                if (p[i] < eps || p[i] > 1 - eps) {
                    continue;
                }
                dp[i] += d * (-labels[i] / p[i] + (1 - labels[i]) / (1 - p[i]));
            }
        });
        return out;
    }

    static Tensor squaredError(Graph g, Tensor predictions, float[] targets, float scale) {
        checkColumn(predictions, targets);
        float[] p = predictions.data();
        double loss = 0;
        for (int i = 0; i < p.length; i++) {
            double e = p[i] - targets[i];
            loss += e * e;
        }
        Tensor out = g.output(1, 1, new float[]{(float) (loss * scale)}, predictions);
        g.onBackward(out, () -> {
            float d = out.grad()[0] * scale;
            float[] dp = predictions.grad();
            for (int i = 0; i < p.length; i++) {
                dp[i] += d * 2 * (p[i] - targets[i]);
            }
        });
        return out;
    }

    static Tensor softmaxCrossEntropy(Graph g, Tensor logits, int[] targets, float[] logitOffsets, float scale) {
        int n = logits.cols();
        int rows = logits.rows();
        if (targets.length != rows) {
            throw new IllegalArgumentException(targets.length + " targets for " + logits);
        }
        float[] z = logits.data();
        float[] shifted = z;
        if (logitOffsets != null) {
            shifted = new float[z.length];
            for (int i = 0; i < z.length; i++) {
                shifted[i] = z[i] - logitOffsets[i];
            }
        }
        float[] probs = new float[z.length];
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            ActivationOps.softmaxRow(shifted, probs, r * n, n);
            int t = targets[r];
            if (t < 0 || t >= n) {
                throw new IllegalArgumentException("target class " + t + " outside [0, " + n + ")");
            }
            loss -= Math.log(Math.max(probs[r * n + t], 1e-30));
        }
        Tensor out = g.output(1, 1, new float[]{(float) (loss * scale)}, logits);
        g.onBackward(out, () -> {
            float d = out.grad()[0] * scale;
            float[] dz = logits.grad();
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < n; j++) {
                    dz[r * n + j] += d * (probs[r * n + j] - (j == targets[r] ? 1 : 0));
                }
            }
        });
        return out;
    }

    static Tensor pairwiseLogistic(Graph g, Tensor scores, int[] targets, float[] pairWeights, float scale) {
        int rows = scores.rows();
        int n = scores.cols();
        if (targets.length != rows || pairWeights.length != scores.size()) {
            throw new IllegalArgumentException(targets.length + " targets and " + pairWeights.length + " pair weights for " + scores);
        }
        float[] s = scores.data();
        // d loss / d (s[r, j] - s[r, t]) per pair: w sigmoid(s[r, j] - s[r, t])
        float[] slopes = new float[s.length];
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int t = targets[r];
            if (t < 0 || t >= n) {
                throw new IllegalArgumentException("positive column " + t + " outside [0, " + n + ")");
            }
            for (int j = 0; j < n; j++) {
                float w = pairWeights[r * n + j];
                if (w == 0) {
                    continue;
                }
                // log(1 + e^-d), stable for large |d|
                double d = (double) s[r * n + t] - s[r * n + j];
                loss += w * (Math.max(-d, 0) + Math.log1p(Math.exp(-Math.abs(d))));
                slopes[r * n + j] = w * ActivationOps.sigmoid((float) -d);
            }
        }
        Tensor out = g.output(1, 1, new float[]{(float) (loss * scale)}, scores);
        g.onBackward(out, () -> {
            float d = out.grad()[0] * scale;
            float[] ds = scores.grad();
            for (int r = 0; r < rows; r++) {
                int t = targets[r];
                for (int j = 0; j < n; j++) {
                    float slope = slopes[r * n + j];
                    ds[r * n + j] += d * slope;
                    ds[r * n + t] -= d * slope;
                }
            }
        });
        return out;
    }

    private static void checkColumn(Tensor column, float[] labels) {
        if (column.cols() != 1 || column.rows() != labels.length) {
            throw new IllegalArgumentException(column + " against " + labels.length + " labels");
        }
    }
}

package org.recspark.model.tensor;

import java.util.SplittableRandom;

/**
 * Activations of a {@link Graph}: the non-linearities, dropout and row softmax.
 * Package-private: callers use the {@link Graph} facade, which records the backward steps.
 */
final class ActivationOps {
    /** Uniform noise is kept this far from 0 and 1, so its logit stays finite. */
    private static final double NOISE_EPS = 1e-7;

    private ActivationOps() {
    }

    static Tensor relu(Graph g, Tensor x) {
        return leakyRelu(g, x, 0f);
    }

    /*
     * Written as a max rather than a branch: pre-activations are positive about half the time at
     * random, and the mispredicted branch made this 8x slower than the max (1.2 ms vs 0.17 ms for
     * 1,000 x 256 values), as slow as the GEMM before it. The backward pass gates the same way (16x
     * faster than its branch).
     */
    static Tensor leakyRelu(Graph g, Tensor x, float slope) {
        float[] y = g.outputArray(x.size());
        leakyReluValues(x.data(), y, slope);
        Tensor out = g.output(x.rows(), x.cols(), y, x);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            if (slope == 0) {
                for (int i = 0; i < dy.length; i++) {
                    dx[i] += dy[i] * gate(y[i]);
                }
            } else {
                for (int i = 0; i < dy.length; i++) {
                    float gate = gate(y[i]);
                    float d = dy[i];
                    dx[i] += d * gate + d * slope * (1 - gate);
                }
            }
        });
        return out;
    }

    /**
     * The gate of a leaky ReLU output: 1 where y > 0 and 0 elsewhere, without a branch. y > 0
     * exactly where the input is, and 2^149 lifts the smallest positive float to 1 (larger ones saturate).
     */
    private static float gate(float y) {
        return Math.min(Math.max(y, 0f) * 0x1p127f * 0x1p22f, 1f);
    }

    /** Turns the gradient of leaky ReLU outputs {@code y} into the gradient of its inputs, in place. */
    static void gateLeakyRelu(float[] y, float[] dy, float slope) {
        if (slope == 0) {
            for (int i = 0; i < dy.length; i++) {
                dy[i] *= gate(y[i]);
            }
        } else {
            for (int i = 0; i < dy.length; i++) {
                float gate = gate(y[i]);
                float d = dy[i];
                dy[i] = d * gate + d * slope * (1 - gate);
            }
        }
    }

    static Tensor sigmoid(Graph g, Tensor x) {
        float[] xd = x.data();
        float[] y = g.outputArray(xd.length);
        for (int i = 0; i < y.length; i++) {
            y[i] = sigmoid(xd[i]);
        }
        Tensor out = g.output(x.rows(), x.cols(), y, x);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int i = 0; i < dy.length; i++) {
                dx[i] += dy[i] * y[i] * (1 - y[i]);
            }
        });
        return out;
    }

    static Tensor tanh(Graph g, Tensor x) {
        float[] xd = x.data();
        float[] y = g.outputArray(xd.length);
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) Math.tanh(xd[i]);
        }
        Tensor out = g.output(x.rows(), x.cols(), y, x);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int i = 0; i < dy.length; i++) {
                dx[i] += dy[i] * (1 - y[i] * y[i]);
            }
        });
        return out;
    }

    static Tensor gelu(Graph g, Tensor x) {
        final double c = Math.sqrt(2 / Math.PI);
        float[] xd = x.data();
        float[] y = g.outputArray(xd.length);
        float[] t = g.outputArray(xd.length);
        for (int i = 0; i < y.length; i++) {
            double v = xd[i];
            t[i] = (float) Math.tanh(c * (v + 0.044715 * v * v * v));
            y[i] = (float) (0.5 * v * (1 + t[i]));
        }
        Tensor out = g.output(x.rows(), x.cols(), y, x);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int i = 0; i < dy.length; i++) {
                double v = xd[i];
                double th = t[i];
                double d = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * c * (1 + 3 * 0.044715 * v * v);
                dx[i] += (float) (dy[i] * d);
            }
        });
        return out;
    }

    static Tensor leakyReluInPlace(Graph g, Tensor x, float slope) {
        if (x.requiresGrad()) {
            throw new IllegalArgumentException("an in-place activation would lose the input its gradient needs: " + x);
        }
        leakyReluValues(x.data(), x.data(), slope);
        return x;
    }

    static void leakyReluValues(float[] x, float[] y, float slope) {
        if (!(slope >= 0 && slope <= 1)) {
            throw new IllegalArgumentException("leaky ReLU slope must be in [0, 1], got " + slope);
        }
        if (slope == 0) {
            for (int i = 0; i < y.length; i++) {
                y[i] = Math.max(x[i], 0f);
            }
        } else {
            for (int i = 0; i < y.length; i++) {
                float v = x[i];
                y[i] = Math.max(v, v * slope);
            }
        }
    }

    /*
     * One pass forward and two backward instead of the seven ops DICE was built from (batch norm,
     * sigmoid, scaling, subtraction, product, sum and their backward steps), each a pass over a
     * large activation (DIN's attention unit: every position of every sequence); see DiceKernel.
     */
    static Tensor dice(Graph g, Tensor x, Tensor alpha, float[] runningMean, float[] runningVar, float eps, float[] batchMean,
                       float[] batchVar) {
        int rows = x.rows();
        int n = x.cols();
        if (alpha.size() != n || runningMean.length != n || runningVar.length != n) {
            throw new IllegalArgumentException("DICE of " + x + " with alpha " + alpha + " and " + runningMean.length + " statistics");
        }
        int length = rows * n;
        float[] gate = new float[length];
        float[] y = new float[length];
        DiceKernel kernel = DiceKernel.forward(g.training(), x.data(), rows, n, alpha.data(), runningMean, runningVar, eps,
                batchMean, batchVar, gate, y);
        Tensor out = g.output(rows, n, y, x, alpha);
        g.onBackward(out, () -> kernel.backward(x.data(), gate, out.grad(), alpha.requiresGrad() ? alpha.grad() : null,
                x.requiresGrad() ? x.grad() : null, true));
        return out;
    }

    static Tensor dropout(Graph g, Tensor x, float rate) {
        if (!g.training() || rate <= 0) {
            return x;
        }
        float keep = 1 - rate;
        float[] xd = x.data();
        SplittableRandom random = g.random();
        float[] mask = g.outputArray(xd.length);
        float[] y = g.outputArray(xd.length);
        for (int i = 0; i < y.length; i++) {
            mask[i] = random.nextDouble() < keep ? 1 / keep : 0;
            y[i] = xd[i] * mask[i];
        }
        Tensor out = g.output(x.rows(), x.cols(), y, x);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int i = 0; i < dy.length; i++) {
                dx[i] += dy[i] * mask[i];
            }
        });
        return out;
    }

    /**
     * Relaxed inverted dropout keep factors for one column of dropout logits (Gal et al. 2017,
     * "Concrete Dropout"): per row, (1 - sigmoid((a + logistic noise) / temperature)) / (1 - p) with
     * p = sigmoid(a), a rows x 1 tensor whose expectation is about 1 and which is differentiable in a.
     */
    static Tensor concreteKeep(Graph g, Tensor logits, int col, int rows, float temperature) {
        if (logits.rows() != 1 || col < 0 || col >= logits.cols()) {
            throw new IllegalArgumentException("column " + col + " of a 1 x n row of dropout logits, got " + logits);
        }
        double a = logits.data()[col];
        double inflation = 1 + Math.exp(a);
        SplittableRandom random = g.random();
        double[] dropped = new double[rows];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            double u = Math.min(Math.max(random.nextDouble(), NOISE_EPS), 1 - NOISE_EPS);
            double s = 1 / (1 + Math.exp(-(a + Math.log(u) - Math.log1p(-u)) / temperature));
            dropped[r] = s;
            y[r] = (float) ((1 - s) * inflation);
        }
        Tensor out = g.output(rows, 1, y, logits);
        g.onBackward(out, () -> {
            float[] dy = out.grad();
            double ea = Math.exp(a);
            double da = 0;
            for (int r = 0; r < rows; r++) {
                double s = dropped[r];
                da += dy[r] * ((1 - s) * ea - s * (1 - s) / temperature * inflation);
            }
            logits.grad()[col] += (float) da;
        });
        return out;
    }

    static Tensor softmax(Graph g, Tensor x) {
        int n = x.cols();
        float[] xd = x.data();
        float[] y = g.outputArray(xd.length);
        for (int r = 0; r < x.rows(); r++) {
            softmaxRow(xd, y, r * n, n);
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
                for (int j = 0; j < n; j++) {
                    dx[o + j] += y[o + j] * (dy[o + j] - dot);
                }
            }
        });
        return out;
    }

    /*
     * One exp of -|z| serves both signs (e / (1 + e) for negative z) and the sign picks between two
     * values computed anyway, so it can compile to a conditional move: DICE calls this for every unit
     * of every position, on normalised inputs whose sign is a coin flip.
     */
    static float sigmoid(float z) {
        double e = Math.exp(-Math.abs(z));
        double s = 1 / (1 + e);
        return (float) (z >= 0 ? s : e * s);
    }

    static void softmaxRow(float[] x, float[] y, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, x[offset + j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            double e = Math.exp(x[offset + j] - max);
            y[offset + j] = (float) e;
            sum += e;
        }
        for (int j = 0; j < n; j++) {
            y[offset + j] = (float) (y[offset + j] / sum);
        }
    }
}

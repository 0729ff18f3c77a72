package org.recspark.trainer.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Reverse-mode differentiation over {@link Tensor}s: each op computes its output and records how to
 * push the output's gradient to its inputs; {@link #backward(Tensor)} replays those steps in reverse.
 * One graph serves one forward/backward pass of one batch shard and is then discarded. Gradients
 * accumulate (+=) into inputs, so a tensor used twice receives both contributions.
 */
public final class Graph {
    private final List<Runnable> steps = new ArrayList<>();
    private final boolean training;
    private final SplittableRandom random;
    private final Workspace workspace;

    /**
     * @param training whether dropout is active and batch norm uses batch statistics
     * @param seed     seeds dropout masks, so a pass is reproducible
     */
    public Graph(boolean training, long seed) {
        this(training, seed, null);
    }

    /**
     * A graph whose matrix products take their outputs from {@code workspace} (null: allocate), so
     * those outputs live until the workspace's next pass begins.
     */
    public Graph(boolean training, long seed, Workspace workspace) {
        this.training = training;
        this.random = new SplittableRandom(seed);
        this.workspace = workspace;
    }

    /**
     * An array the caller overwrites completely (an op's output, an operand it assembles): from the
     * workspace when this graph has one, so it lives until the workspace's next pass begins.
     */
    public float[] outputArray(int length) {
        return workspace == null ? new float[length] : workspace.take(length);
    }

    public boolean training() {
        return training;
    }

    /** A random source for ops of this pass (dropout masks), deterministic given the seed. */
    public SplittableRandom random() {
        return random;
    }

    /** An op-less source tensor (an embedding lookup) that takes a gradient when {@code requiresGrad}. */
    public Tensor source(int rows, int cols, float[] data, boolean requiresGrad) {
        return new Tensor(rows, cols, data, null, requiresGrad);
    }

    /** A leaf whose gradient accumulates into {@code grad} (a parameter's gradient buffer for this shard). */
    public Tensor leaf(int rows, int cols, float[] data, float[] grad) {
        return new Tensor(rows, cols, data, grad, true);
    }

    /** A new output tensor of an op, needing a gradient when any input does. */
    public Tensor output(int rows, int cols, float[] data, Tensor... inputs) {
        boolean needs = false;
        for (Tensor input : inputs) {
            needs |= input.requiresGrad();
        }
        return new Tensor(rows, cols, data, null, needs);
    }

    /** Records a backward step for {@code out}; it runs only when a gradient reached {@code out}. */
    public void onBackward(Tensor out, Runnable step) {
        if (out.requiresGrad()) {
            steps.add(() -> {
                if (out.hasGrad()) {
                    step.run();
                }
            });
        }
    }

    /** Back-propagates from a scalar (1 x 1) tensor with seed gradient 1. */
    public void backward(Tensor loss) {
        if (loss.size() != 1) {
            throw new IllegalArgumentException("backward needs a scalar loss, got " + loss);
        }
        loss.grad()[0] += 1f;
        for (int i = steps.size() - 1; i >= 0; i--) {
            steps.get(i).run();
        }
        steps.clear();
    }

    // ---------------------------------------------------------------- linear algebra

    /** A (m x k) * B (k x n), or A * B^T when {@code transB} (B is n x k). */
    public Tensor matmul(Tensor a, Tensor b, boolean transB) {
        int m = a.rows();
        int k = a.cols();
        int n = transB ? b.rows() : b.cols();
        int kb = transB ? b.cols() : b.rows();
        if (k != kb) {
            throw new IllegalArgumentException("matmul of " + a + " and " + b + (transB ? "^T" : ""));
        }
        float[] c = outputArray(m * n);
        Blas.gemm(false, transB, m, n, k, 1f, a.data(), b.data(), 0f, c);
        Tensor out = output(m, n, c, a, b);
        onBackward(out, () -> productBackward(a, b, transB, m, k, n, out.grad()));
        return out;
    }

    /** Gradients of C = A * op(B) (m x k times k x n) into A and B, from dC. */
    private static void productBackward(Tensor a, Tensor b, boolean transB, int m, int k, int n, float[] dc) {
        if (a.requiresGrad()) {
            // dA = dC * B^T (or dC * B when B was transposed)
            Blas.gemm(false, !transB, m, k, n, 1f, dc, b.data(), 1f, a.grad());
        }
        if (b.requiresGrad()) {
            if (transB) {
                Blas.gemm(true, false, n, k, m, 1f, dc, a.data(), 1f, b.grad());
            } else {
                Blas.gemm(true, false, k, n, m, 1f, a.data(), dc, 1f, b.grad());
            }
        }
    }

    /** x (B x n) + bias (1 x n) added to every row. */
    public Tensor addRowVector(Tensor x, Tensor bias) {
        int n = x.cols();
        if (bias.size() != n) {
            throw new IllegalArgumentException("bias " + bias + " for " + x);
        }
        float[] xd = x.data();
        float[] bd = bias.data();
        float[] y = new float[xd.length];
        for (int r = 0, o = 0; r < x.rows(); r++, o += n) {
            for (int j = 0; j < n; j++) {
                y[o + j] = xd[o + j] + bd[j];
            }
        }
        Tensor out = output(x.rows(), n, y, x, bias);
        onBackward(out, () -> {
            float[] dy = out.grad();
            if (x.requiresGrad()) {
                addInto(x.grad(), dy);
            }
            if (bias.requiresGrad()) {
                float[] db = bias.grad();
                for (int r = 0, o = 0; r < x.rows(); r++, o += n) {
                    for (int j = 0; j < n; j++) {
                        db[j] += dy[o + j];
                    }
                }
            }
        });
        return out;
    }

    /**
     * x * W + b: a fully connected layer (W is in x out, b is 1 x out). The bias is written into the
     * output before the GEMM accumulates onto it, saving a pass over the activations.
     */
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (bias == null) {
            return matmul(x, weight, false);
        }
        int m = x.rows();
        int k = x.cols();
        int n = weight.cols();
        if (weight.rows() != k || bias.size() != n) {
            throw new IllegalArgumentException("linear of " + x + " with " + weight + " and " + bias);
        }
        float[] c = outputArray(m * n);
        float[] bd = bias.data();
        for (int r = 0; r < m; r++) {
            System.arraycopy(bd, 0, c, r * n, n);
        }
        Blas.gemm(false, false, m, n, k, 1f, x.data(), weight.data(), 1f, c);
        Tensor out = output(m, n, c, x, weight, bias);
        onBackward(out, () -> {
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

    // ---------------------------------------------------------------- element-wise

    public Tensor add(Tensor a, Tensor b) {
        checkSameShape(a, b);
        float[] ad = a.data();
        float[] bd = b.data();
        float[] y = new float[ad.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = ad[i] + bd[i];
        }
        Tensor out = output(a.rows(), a.cols(), y, a, b);
        onBackward(out, () -> {
            if (a.requiresGrad()) {
                addInto(a.grad(), out.grad());
            }
            if (b.requiresGrad()) {
                addInto(b.grad(), out.grad());
            }
        });
        return out;
    }

    /** The sum of several tensors of one shape. */
    public Tensor sum(List<Tensor> terms) {
        Tensor acc = terms.get(0);
        for (int i = 1; i < terms.size(); i++) {
            acc = add(acc, terms.get(i));
        }
        return acc;
    }

    public Tensor sub(Tensor a, Tensor b) {
        return add(a, scale(b, -1f));
    }

    public Tensor mul(Tensor a, Tensor b) {
        checkSameShape(a, b);
        float[] ad = a.data();
        float[] bd = b.data();
        float[] y = new float[ad.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = ad[i] * bd[i];
        }
        Tensor out = output(a.rows(), a.cols(), y, a, b);
        onBackward(out, () -> {
            float[] dy = out.grad();
            if (a.requiresGrad()) {
                float[] da = a.grad();
                for (int i = 0; i < dy.length; i++) {
                    da[i] += dy[i] * bd[i];
                }
            }
            if (b.requiresGrad()) {
                float[] db = b.grad();
                for (int i = 0; i < dy.length; i++) {
                    db[i] += dy[i] * ad[i];
                }
            }
        });
        return out;
    }

    public Tensor scale(Tensor a, float s) {
        float[] ad = a.data();
        float[] y = new float[ad.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = ad[i] * s;
        }
        Tensor out = output(a.rows(), a.cols(), y, a);
        onBackward(out, () -> {
            float[] dy = out.grad();
            float[] da = a.grad();
            for (int i = 0; i < dy.length; i++) {
                da[i] += dy[i] * s;
            }
        });
        return out;
    }

    /** s - a, element-wise (for 1 - p). */
    public Tensor rsub(float s, Tensor a) {
        float[] ad = a.data();
        float[] y = new float[ad.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = s - ad[i];
        }
        Tensor out = output(a.rows(), a.cols(), y, a);
        onBackward(out, () -> {
            float[] dy = out.grad();
            float[] da = a.grad();
            for (int i = 0; i < dy.length; i++) {
                da[i] -= dy[i];
            }
        });
        return out;
    }

    /** x (B x n) with every column multiplied by column {@code col} of s (B x k): gates and weights per row. */
    public Tensor mulColumn(Tensor x, Tensor s, int col) {
        if (s.rows() != x.rows() || col < 0 || col >= s.cols()) {
            throw new IllegalArgumentException("column " + col + " of " + s + " for " + x);
        }
        int n = x.cols();
        int k = s.cols();
        float[] xd = x.data();
        float[] sd = s.data();
        float[] y = new float[xd.length];
        for (int r = 0; r < x.rows(); r++) {
            float w = sd[r * k + col];
            for (int j = 0, o = r * n; j < n; j++) {
                y[o + j] = xd[o + j] * w;
            }
        }
        Tensor out = output(x.rows(), n, y, x, s);
        onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.requiresGrad() ? x.grad() : null;
            float[] ds = s.requiresGrad() ? s.grad() : null;
            for (int r = 0; r < x.rows(); r++) {
                float w = sd[r * k + col];
                float acc = 0;
                for (int j = 0, o = r * n; j < n; j++) {
                    if (dx != null) {
                        dx[o + j] += dy[o + j] * w;
                    }
                    acc += dy[o + j] * xd[o + j];
                }
                if (ds != null) {
                    ds[r * k + col] += acc;
                }
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- activations

    public Tensor relu(Tensor x) {
        return leakyRelu(x, 0f);
    }

    /**
     * max(x, slope * x) for a slope in [0, 1]: x for positive x and slope * x otherwise; with slope 0
     * (ReLU) max(x, 0), which is 0 also at -infinity. Written as a max rather than a branch:
     * pre-activations are positive about half the time at random, and the mispredicted branch made
     * this 8x slower than the max (1.2 ms vs 0.17 ms for 1,000 x 256 values), as slow as the GEMM
     * before it. The backward pass gates the same way (16x faster than its branch).
     */
    public Tensor leakyRelu(Tensor x, float slope) {
        float[] y = new float[x.size()];
        leakyRelu(x.data(), y, slope);
        Tensor out = output(x.rows(), x.cols(), y, x);
        onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            // The gate is 1 where x > 0 and 0 elsewhere, without a branch: y > 0 exactly where
            // x > 0, and 2^149 lifts the smallest positive float to 1 (larger ones saturate).
            if (slope == 0) {
                for (int i = 0; i < dy.length; i++) {
                    dx[i] += dy[i] * Math.min(Math.max(y[i], 0f) * 0x1p127f * 0x1p22f, 1f);
                }
            } else {
                for (int i = 0; i < dy.length; i++) {
                    float gate = Math.min(Math.max(y[i], 0f) * 0x1p127f * 0x1p22f, 1f);
                    float d = dy[i];
                    dx[i] += d * gate + d * slope * (1 - gate);
                }
            }
        });
        return out;
    }

    public Tensor sigmoid(Tensor x) {
        float[] xd = x.data();
        float[] y = new float[xd.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = sigmoid(xd[i]);
        }
        Tensor out = output(x.rows(), x.cols(), y, x);
        onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int i = 0; i < dy.length; i++) {
                dx[i] += dy[i] * y[i] * (1 - y[i]);
            }
        });
        return out;
    }

    public Tensor tanh(Tensor x) {
        float[] xd = x.data();
        float[] y = new float[xd.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) Math.tanh(xd[i]);
        }
        Tensor out = output(x.rows(), x.cols(), y, x);
        onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int i = 0; i < dy.length; i++) {
                dx[i] += dy[i] * (1 - y[i] * y[i]);
            }
        });
        return out;
    }

    /** GELU with the tanh approximation (Hendrycks and Gimpel 2016). */
    public Tensor gelu(Tensor x) {
        final double c = Math.sqrt(2 / Math.PI);
        float[] xd = x.data();
        float[] y = new float[xd.length];
        float[] t = new float[xd.length];
        for (int i = 0; i < y.length; i++) {
            double v = xd[i];
            t[i] = (float) Math.tanh(c * (v + 0.044715 * v * v * v));
            y[i] = (float) (0.5 * v * (1 + t[i]));
        }
        Tensor out = output(x.rows(), x.cols(), y, x);
        onBackward(out, () -> {
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

    /**
     * {@link #leakyRelu} written over x's own values, for a tensor without a gradient that nothing
     * else reads (a layer's fresh output in an inference pass): it saves the output's allocation,
     * which is most of a serving request's garbage. The one op that modifies its input.
     */
    public Tensor leakyReluInPlace(Tensor x, float slope) {
        if (x.requiresGrad()) {
            throw new IllegalArgumentException("an in-place activation would lose the input its gradient needs: " + x);
        }
        leakyRelu(x.data(), x.data(), slope);
        return x;
    }

    private static void leakyRelu(float[] x, float[] y, float slope) {
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

    /** Inverted dropout: zeroes each value with probability {@code rate} in training, scales the rest. */
    public Tensor dropout(Tensor x, float rate) {
        if (!training || rate <= 0) {
            return x;
        }
        float keep = 1 - rate;
        float[] xd = x.data();
        float[] mask = new float[xd.length];
        float[] y = new float[xd.length];
        for (int i = 0; i < y.length; i++) {
            mask[i] = random.nextDouble() < keep ? 1 / keep : 0;
            y[i] = xd[i] * mask[i];
        }
        Tensor out = output(x.rows(), x.cols(), y, x);
        onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int i = 0; i < dy.length; i++) {
                dx[i] += dy[i] * mask[i];
            }
        });
        return out;
    }

    /** Softmax of each row. */
    public Tensor softmax(Tensor x) {
        int n = x.cols();
        float[] xd = x.data();
        float[] y = new float[xd.length];
        for (int r = 0; r < x.rows(); r++) {
            softmaxRow(xd, y, r * n, n);
        }
        Tensor out = output(x.rows(), n, y, x);
        onBackward(out, () -> {
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

    // ---------------------------------------------------------------- shape

    /** Columns of the tensors side by side (all with the same rows). */
    public Tensor concat(List<Tensor> parts) {
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
        float[] y = new float[rows * cols];
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
        Tensor out = output(rows, cols, y, parts.toArray(new Tensor[0]));
        onBackward(out, () -> {
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

    /** Columns [from, to) of x. */
    public Tensor slice(Tensor x, int from, int to) {
        int n = x.cols();
        if (from < 0 || to > n || from >= to) {
            throw new IllegalArgumentException("columns [" + from + ", " + to + ") of " + x);
        }
        int w = to - from;
        float[] xd = x.data();
        float[] y = new float[x.rows() * w];
        for (int r = 0; r < x.rows(); r++) {
            System.arraycopy(xd, r * n + from, y, r * w, w);
        }
        Tensor out = output(x.rows(), w, y, x);
        onBackward(out, () -> {
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

    /** The same values seen as rows x cols (row-major order kept); shares values and gradient. */
    public Tensor reshape(Tensor x, int rows, int cols) {
        if (rows * cols != x.size()) {
            throw new IllegalArgumentException("cannot reshape " + x + " to " + rows + " x " + cols);
        }
        return new Tensor(rows, cols, x.data(), x.requiresGrad() ? x.grad() : null, x.requiresGrad());
    }

    /** The given rows of x, in the given order. */
    public Tensor selectRows(Tensor x, int[] rows) {
        int n = x.cols();
        float[] xd = x.data();
        float[] y = new float[rows.length * n];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(xd, rows[i] * n, y, i * n, n);
        }
        Tensor out = output(rows.length, n, y, x);
        onBackward(out, () -> {
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

    /** Each row repeated {@code times} times consecutively: B x n to (B * times) x n. */
    public Tensor repeatRows(Tensor x, int times) {
        int n = x.cols();
        float[] xd = x.data();
        float[] y = new float[xd.length * times];
        for (int r = 0; r < x.rows(); r++) {
            for (int t = 0; t < times; t++) {
                System.arraycopy(xd, r * n, y, (r * times + t) * n, n);
            }
        }
        Tensor out = output(x.rows() * times, n, y, x);
        onBackward(out, () -> {
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

    // ---------------------------------------------------------------- reductions

    /** The sum of each row: B x n to B x 1. */
    public Tensor rowSum(Tensor x) {
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
        Tensor out = output(x.rows(), 1, y, x);
        onBackward(out, () -> {
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

    /** The sum over all values: 1 x 1. */
    public Tensor total(Tensor x) {
        float[] xd = x.data();
        double s = 0;
        for (float v : xd) {
            s += v;
        }
        Tensor out = output(1, 1, new float[]{(float) s}, x);
        onBackward(out, () -> {
            float d = out.grad()[0];
            float[] dx = x.grad();
            for (int i = 0; i < dx.length; i++) {
                dx[i] += d;
            }
        });
        return out;
    }

    /** Row dot products of a and b (same shape): B x 1. */
    public Tensor rowDot(Tensor a, Tensor b) {
        return rowSum(mul(a, b));
    }

    /**
     * Sum over groups of a row split into {@code groups} consecutive blocks: B x (groups * d) to B x d
     * (the sum over fields of per-field embeddings).
     */
    public Tensor sumGroups(Tensor x, int groups) {
        if (x.cols() % groups != 0) {
            throw new IllegalArgumentException(x + " does not split into " + groups + " groups");
        }
        int d = x.cols() / groups;
        int n = x.cols();
        float[] xd = x.data();
        float[] y = new float[x.rows() * d];
        for (int r = 0; r < x.rows(); r++) {
            for (int g = 0; g < groups; g++) {
                int src = r * n + g * d;
                for (int j = 0; j < d; j++) {
                    y[r * d + j] += xd[src + j];
                }
            }
        }
        Tensor out = output(x.rows(), d, y, x);
        onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.grad();
            for (int r = 0; r < x.rows(); r++) {
                for (int g = 0; g < groups; g++) {
                    int dst = r * n + g * d;
                    for (int j = 0; j < d; j++) {
                        dx[dst + j] += dy[r * d + j];
                    }
                }
            }
        });
        return out;
    }

    /**
     * Weighted sum over a sequence: weights B x L, values (B * L) x d, result B x d with
     * {@code out[b] = sum_l weights[b, l] * values[b * L + l]}.
     */
    public Tensor weightedSequenceSum(Tensor weights, Tensor values) {
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
        Tensor out = output(b, d, y, weights, values);
        onBackward(out, () -> {
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

    // ---------------------------------------------------------------- normalisation

    /** Each row scaled to unit L2 norm (norm floored at {@code eps}). */
    public Tensor l2NormalizeRows(Tensor x, float eps) {
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
        Tensor out = output(x.rows(), n, y, x);
        onBackward(out, () -> {
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

    /**
     * Layer normalisation of each row with gain and bias (1 x n each; either may be null): y =
     * gamma * (x - mean) / sqrt(var + eps) + beta.
     */
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
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
        Tensor normalized = output(rows, n, xhat, x);
        onBackward(normalized, () -> {
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
        return affine(normalized, gamma, beta);
    }

    /**
     * Batch normalisation over the rows. In training it normalises with the batch's statistics and
     * writes them (mean, unbiased variance) to {@code batchMean} and {@code batchVar} for the caller to
     * fold into the running ones; in evaluation it uses the running statistics.
     */
    public Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, float[] runningMean, float[] runningVar, float eps,
                            float[] batchMean, float[] batchVar) {
        int n = x.cols();
        int rows = x.rows();
        float[] xd = x.data();
        float[] xhat = new float[xd.length];
        if (!training) {
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < n; j++) {
                    xhat[r * n + j] = (float) ((xd[r * n + j] - runningMean[j]) / Math.sqrt(runningVar[j] + eps));
                }
            }
            Tensor normalized = output(rows, n, xhat, x);
            onBackward(normalized, () -> {
                float[] dxh = normalized.grad();
                float[] dx = x.grad();
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < n; j++) {
                        dx[r * n + j] += (float) (dxh[r * n + j] / Math.sqrt(runningVar[j] + eps));
                    }
                }
            });
            return affine(normalized, gamma, beta);
        }
        double[] mean = new double[n];
        double[] var = new double[n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                mean[j] += xd[r * n + j];
            }
        }
        for (int j = 0; j < n; j++) {
            mean[j] /= rows;
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double d = xd[r * n + j] - mean[j];
                var[j] += d * d;
            }
        }
        float[] invStd = new float[n];
        for (int j = 0; j < n; j++) {
            var[j] /= rows;
            invStd[j] = (float) (1 / Math.sqrt(var[j] + eps));
            batchMean[j] = (float) mean[j];
            batchVar[j] = (float) (rows > 1 ? var[j] * rows / (rows - 1) : var[j]);
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                xhat[r * n + j] = (float) ((xd[r * n + j] - mean[j]) * invStd[j]);
            }
        }
        Tensor normalized = output(rows, n, xhat, x);
        onBackward(normalized, () -> {
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
        return affine(normalized, gamma, beta);
    }

    /** gamma * x + beta per column (either may be null). */
    private Tensor affine(Tensor x, Tensor gamma, Tensor beta) {
        Tensor y = x;
        if (gamma != null) {
            y = mulRowVector(y, gamma);
        }
        if (beta != null) {
            y = addRowVector(y, beta);
        }
        return y;
    }

    /** x (B x n) times v (1 x n) per column. */
    public Tensor mulRowVector(Tensor x, Tensor v) {
        int n = x.cols();
        if (v.size() != n) {
            throw new IllegalArgumentException("row vector " + v + " for " + x);
        }
        float[] xd = x.data();
        float[] vd = v.data();
        float[] y = new float[xd.length];
        for (int r = 0; r < x.rows(); r++) {
            for (int j = 0; j < n; j++) {
                y[r * n + j] = xd[r * n + j] * vd[j];
            }
        }
        Tensor out = output(x.rows(), n, y, x, v);
        onBackward(out, () -> {
            float[] dy = out.grad();
            float[] dx = x.requiresGrad() ? x.grad() : null;
            float[] dv = v.requiresGrad() ? v.grad() : null;
            for (int r = 0; r < x.rows(); r++) {
                for (int j = 0; j < n; j++) {
                    int i = r * n + j;
                    if (dx != null) {
                        dx[i] += dy[i] * vd[j];
                    }
                    if (dv != null) {
                        dv[j] += dy[i] * xd[i];
                    }
                }
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- losses (sums; callers scale)

    /**
     * Binary cross-entropy of logits (B x 1) against labels in [0, 1], summed over rows and multiplied
     * by {@code scale} (1 / global batch size times the task weight): a 1 x 1 tensor.
     */
    public Tensor binaryCrossEntropyWithLogits(Tensor logits, float[] labels, float scale) {
        checkColumn(logits, labels);
        float[] z = logits.data();
        double loss = 0;
        for (int i = 0; i < z.length; i++) {
            // log(1 + e^z) - y z, stable for large |z|
            double v = z[i];
            loss += Math.max(v, 0) - v * labels[i] + Math.log1p(Math.exp(-Math.abs(v)));
        }
        Tensor out = output(1, 1, new float[]{(float) (loss * scale)}, logits);
        onBackward(out, () -> {
            float d = out.grad()[0] * scale;
            float[] dz = logits.grad();
            for (int i = 0; i < z.length; i++) {
                dz[i] += d * (sigmoid(z[i]) - labels[i]);
            }
        });
        return out;
    }

    /**
     * Binary cross-entropy of probabilities (B x 1; clipped to [eps, 1 - eps]) against labels, summed
     * and scaled: for models whose output is a product of probabilities (ESMM's pCTCVR).
     */
    public Tensor binaryCrossEntropy(Tensor probabilities, float[] labels, float scale) {
        checkColumn(probabilities, labels);
        final float eps = 1e-7f;
        float[] p = probabilities.data();
        double loss = 0;
        for (int i = 0; i < p.length; i++) {
            double q = Math.min(Math.max(p[i], eps), 1 - eps);
            loss -= labels[i] * Math.log(q) + (1 - labels[i]) * Math.log(1 - q);
        }
        Tensor out = output(1, 1, new float[]{(float) (loss * scale)}, probabilities);
        onBackward(out, () -> {
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

    /** Squared error of predictions (B x 1) against targets, summed and scaled. */
    public Tensor squaredError(Tensor predictions, float[] targets, float scale) {
        checkColumn(predictions, targets);
        float[] p = predictions.data();
        double loss = 0;
        for (int i = 0; i < p.length; i++) {
            double e = p[i] - targets[i];
            loss += e * e;
        }
        Tensor out = output(1, 1, new float[]{(float) (loss * scale)}, predictions);
        onBackward(out, () -> {
            float d = out.grad()[0] * scale;
            float[] dp = predictions.grad();
            for (int i = 0; i < p.length; i++) {
                dp[i] += d * 2 * (p[i] - targets[i]);
            }
        });
        return out;
    }

    /**
     * Softmax cross-entropy of logits (B x C) against target classes, summed over rows and scaled;
     * with {@code logitOffsets} (B x C, may be null) subtracted from the logits first (the log-Q
     * correction of sampled softmax).
     */
    public Tensor softmaxCrossEntropy(Tensor logits, int[] targets, float[] logitOffsets, float scale) {
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
            softmaxRow(shifted, probs, r * n, n);
            int t = targets[r];
            if (t < 0 || t >= n) {
                throw new IllegalArgumentException("target class " + t + " outside [0, " + n + ")");
            }
            loss -= Math.log(Math.max(probs[r * n + t], 1e-30));
        }
        Tensor out = output(1, 1, new float[]{(float) (loss * scale)}, logits);
        onBackward(out, () -> {
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

    // ---------------------------------------------------------------- helpers

    public static float sigmoid(float z) {
        return z >= 0 ? (float) (1 / (1 + Math.exp(-z))) : (float) (Math.exp(z) / (1 + Math.exp(z)));
    }

    private static void softmaxRow(float[] x, float[] y, int offset, int n) {
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

    private static void addInto(float[] target, float[] source) {
        for (int i = 0; i < target.length; i++) {
            target[i] += source[i];
        }
    }

    private static void checkSameShape(Tensor a, Tensor b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException("shapes differ: " + a + " and " + b);
        }
    }

    private static void checkColumn(Tensor column, float[] labels) {
        if (column.cols() != 1 || column.rows() != labels.length) {
            throw new IllegalArgumentException(column + " against " + labels.length + " labels");
        }
    }
}

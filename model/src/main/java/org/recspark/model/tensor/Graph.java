package org.recspark.model.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Reverse-mode differentiation over {@link Tensor}s: each op computes its output and records how to
 * push the output's gradient to its inputs; {@link #backward(Tensor)} replays those steps in reverse.
 * One graph serves one forward/backward pass of one batch shard and is then discarded. Gradients
 * accumulate (+=) into inputs, so a tensor used twice receives both contributions.
 *
 * <p>This class is the tape and the one entry point of the ops; their math lives by family in
 * package-private classes ({@code MatrixOps}, {@code ElementwiseOps}, {@code ActivationOps},
 * {@code ShapeOps}, {@code ReductionOps}, {@code NormalizationOps}, {@code LossOps}), each of which
 * records its backward steps on the graph it is given.
 */
public final class Graph {
    private final List<Runnable> steps = new ArrayList<>();
    /** Each leaf gradient buffer's first leaf, in creation order, with the step count at its creation. */
    private final List<float[]> leafGradients = new ArrayList<>();
    private final List<Integer> leafMarks = new ArrayList<>();
    private final Set<float[]> knownLeafGradients = Collections.newSetFromMap(new IdentityHashMap<>());
    private final boolean training;
    private final SplittableRandom random;
    private final Workspace workspace;
    private final Workspace scratch;

    /**
     * @param training whether dropout is active and batch norm uses batch statistics
     * @param seed     seeds dropout masks, so a pass is reproducible
     */
    public Graph(boolean training, long seed) {
        this(training, seed, null);
    }

    /**
     * A graph whose ops take their outputs, and its tensors their gradients, from {@code workspace}
     * (null: allocate), so those live until the workspace's next pass begins.
     */
    public Graph(boolean training, long seed, Workspace workspace) {
        this(training, seed, workspace, null);
    }

    /**
     * A graph whose fused ops also take their internal buffers (activations and gradients that never
     * become tensors) from {@code scratch} (null: allocate), so a training thread that begins the
     * scratch workspace before each step reuses them instead of allocating tens of megabytes per
     * step; they live until that workspace's next pass begins.
     */
    public Graph(boolean training, long seed, Workspace workspace, Workspace scratch) {
        this.training = training;
        this.random = new SplittableRandom(seed);
        this.workspace = workspace;
        this.scratch = scratch;
    }

    /**
     * An array the caller overwrites completely (an op's output, an operand it assembles): from the
     * workspace when this graph has one, so it lives until the workspace's next pass begins.
     */
    public float[] outputArray(int length) {
        return workspace == null ? new float[length] : workspace.take(length);
    }

    /** An int array the caller overwrites completely (indices an op keeps for its backward step), from the workspace as {@link #outputArray}. */
    public int[] indexArray(int length) {
        return workspace == null ? new int[length] : workspace.takeIndices(length);
    }

    /** {@link #outputArray} filled with zeros, for an output the caller accumulates into. */
    public float[] zeroedOutputArray(int length) {
        return workspace == null ? new float[length] : workspace.takeZeroed(length);
    }

    /** Scratch of at least {@code length} floats with undefined contents, from the scratch workspace when there is one. */
    float[] scratch(int length) {
        return scratch == null ? new float[length] : scratch.takeAtLeast(length);
    }

    /** {@link #scratch} with its first {@code length} values zero. */
    float[] scratchZeroed(int length) {
        if (scratch == null) {
            return new float[length];
        }
        float[] a = scratch.takeAtLeast(length);
        Arrays.fill(a, 0, length, 0f);
        return a;
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
        return new Tensor(rows, cols, data, null, requiresGrad, workspace);
    }

    /** A leaf whose gradient accumulates into {@code grad} (a parameter's gradient buffer for this shard). */
    public Tensor leaf(int rows, int cols, float[] data, float[] grad) {
        if (knownLeafGradients.add(grad)) {
            leafGradients.add(grad);
            leafMarks.add(steps.size());
        }
        return new Tensor(rows, cols, data, grad, true);
    }

    /** A new output tensor of an op, needing a gradient when any input does. */
    public Tensor output(int rows, int cols, float[] data, Tensor... inputs) {
        boolean needs = false;
        for (Tensor input : inputs) {
            needs |= input.requiresGrad();
        }
        return new Tensor(rows, cols, data, null, needs, workspace);
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
        backward(loss, grad -> { });
    }

    /**
     * Back-propagates as {@link #backward(Tensor)} and hands each leaf gradient buffer to
     * {@code finished} as soon as no remaining backward step can add to it, so the caller can ship it
     * while the rest of the pass runs (data-parallel overlap). A leaf's buffer is final once every
     * step recorded after the buffer's first leaf has run, since only those steps can use it; buffers
     * come in the reverse order of their first use, each once, all before this method returns.
     */
    public void backward(Tensor loss, Consumer<float[]> finished) {
        if (loss.size() != 1) {
            throw new IllegalArgumentException("backward needs a scalar loss, got " + loss);
        }
        loss.grad()[0] += 1f;
        int pending = leafGradients.size();
        for (int i = steps.size(); i >= 0; i--) {
            while (pending > 0 && leafMarks.get(pending - 1) >= i) {
                finished.accept(leafGradients.get(--pending));
            }
            if (i > 0) {
                steps.get(i - 1).run();
            }
        }
        steps.clear();
        leafGradients.clear();
        leafMarks.clear();
        knownLeafGradients.clear();
    }

    // ---------------------------------------------------------------- matrix products (MatrixOps)

    /** A (m x k) * B (k x n), or A * B^T when {@code transB} (B is n x k). */
    public Tensor matmul(Tensor a, Tensor b, boolean transB) {
        return MatrixOps.matmul(this, a, b, transB);
    }

    /**
     * x * W + b: a fully connected layer (W is in x out, b is 1 x out; null: no bias).
     */
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return MatrixOps.linear(this, x, weight, bias);
    }

    /**
     * max(z, slope * z) with z = x * W + b: a hidden layer with ReLU (slope 0) or leaky ReLU as one
     * op, equal to {@code leakyRelu(linear(x, weight, bias), slope)}.
     */
    public Tensor linearLeakyRelu(Tensor x, Tensor weight, Tensor bias, float slope) {
        return MatrixOps.linearLeakyRelu(this, x, weight, bias, slope);
    }

    // ---------------------------------------------------------------- element-wise (ElementwiseOps)

    /** x (B x n) + bias (1 x n) added to every row. */
    public Tensor addRowVector(Tensor x, Tensor bias) {
        return ElementwiseOps.addRowVector(this, x, bias);
    }

    public Tensor add(Tensor a, Tensor b) {
        return ElementwiseOps.add(this, a, b);
    }

    /** The sum of several tensors of one shape. */
    public Tensor sum(List<Tensor> terms) {
        return ElementwiseOps.sum(this, terms);
    }

    public Tensor sub(Tensor a, Tensor b) {
        return ElementwiseOps.sub(this, a, b);
    }

    public Tensor mul(Tensor a, Tensor b) {
        return ElementwiseOps.mul(this, a, b);
    }

    public Tensor scale(Tensor a, float s) {
        return ElementwiseOps.scale(this, a, s);
    }

    /** s - a, element-wise (for 1 - p). */
    public Tensor rsub(float s, Tensor a) {
        return ElementwiseOps.rsub(this, s, a);
    }

    /** x (B x n) with every column multiplied by column {@code col} of s (B x k): gates and weights per row. */
    public Tensor mulColumn(Tensor x, Tensor s, int col) {
        return ElementwiseOps.mulColumn(this, x, s, col);
    }

    /** x (B x n) times v (1 x n) per column. */
    public Tensor mulRowVector(Tensor x, Tensor v) {
        return ElementwiseOps.mulRowVector(this, x, v);
    }

    // ---------------------------------------------------------------- activations (ActivationOps)

    public Tensor relu(Tensor x) {
        return ActivationOps.relu(this, x);
    }

    /**
     * max(x, slope * x) for a slope in [0, 1]: x for positive x and slope * x otherwise; with slope 0
     * (ReLU) max(x, 0), which is 0 also at -infinity. Branch-free, forward and backward.
     */
    public Tensor leakyRelu(Tensor x, float slope) {
        return ActivationOps.leakyRelu(this, x, slope);
    }

    public Tensor sigmoid(Tensor x) {
        return ActivationOps.sigmoid(this, x);
    }

    public Tensor tanh(Tensor x) {
        return ActivationOps.tanh(this, x);
    }

    /** GELU with the tanh approximation (Hendrycks and Gimpel 2016). */
    public Tensor gelu(Tensor x) {
        return ActivationOps.gelu(this, x);
    }

    /**
     * {@link #leakyRelu} written over x's own values, for a tensor without a gradient that nothing
     * else reads (a layer's fresh output in an inference pass): it saves the output's allocation,
     * which is most of a serving request's garbage. The one op that modifies its input.
     */
    public Tensor leakyReluInPlace(Tensor x, float slope) {
        return ActivationOps.leakyReluInPlace(this, x, slope);
    }

    /**
     * DICE (Zhou et al. 2018) as one op: y = x * (alpha + (1 - alpha) * sigmoid(BN(x))), alpha 1 x n,
     * BN a batch norm without gain and bias that uses the batch's statistics in training (written to
     * {@code batchMean} and {@code batchVar}, see {@link #batchNorm}) and the running ones otherwise.
     */
    public Tensor dice(Tensor x, Tensor alpha, float[] runningMean, float[] runningVar, float eps, float[] batchMean,
                       float[] batchVar) {
        return ActivationOps.dice(this, x, alpha, runningMean, runningVar, eps, batchMean, batchVar);
    }

    /** Inverted dropout: zeroes each value with probability {@code rate} in training, scales the rest. */
    public Tensor dropout(Tensor x, float rate) {
        return ActivationOps.dropout(this, x, rate);
    }

    /** Softmax of each row. */
    /**
     * Variational dropout's keep factors (rows x 1) for dropout logit {@code col} of {@code logits}
     * (1 x n): a relaxed Bernoulli(1 - p) mask over 1 - p, p = sigmoid(logit), with fresh noise per
     * row from this graph's random source; differentiable in the logit.
     */
    public Tensor concreteKeep(Tensor logits, int col, int rows, float temperature) {
        return ActivationOps.concreteKeep(this, logits, col, rows, temperature);
    }

    public Tensor softmax(Tensor x) {
        return ActivationOps.softmax(this, x);
    }

    /** The logistic function of one value, without overflow for large |z|. */
    public static float sigmoid(float z) {
        return ActivationOps.sigmoid(z);
    }

    // ---------------------------------------------------------------- shape (ShapeOps)

    /** Columns of the tensors side by side (all with the same rows). */
    public Tensor concat(List<Tensor> parts) {
        return ShapeOps.concat(this, parts);
    }

    /** Columns [from, to) of x. */
    public Tensor slice(Tensor x, int from, int to) {
        return ShapeOps.slice(this, x, from, to);
    }

    /** The same values seen as rows x cols (row-major order kept); shares values and gradient. */
    public Tensor reshape(Tensor x, int rows, int cols) {
        return ShapeOps.reshape(this, x, rows, cols);
    }

    /** The given rows of x, in the given order. */
    public Tensor selectRows(Tensor x, int[] rows) {
        return ShapeOps.selectRows(this, x, rows);
    }

    /** Each row repeated {@code times} times consecutively: B x n to (B * times) x n. */
    public Tensor repeatRows(Tensor x, int times) {
        return ShapeOps.repeatRows(this, x, times);
    }

    // ---------------------------------------------------------------- reductions (ReductionOps)

    /** The sum of each row: B x n to B x 1. */
    public Tensor rowSum(Tensor x) {
        return ReductionOps.rowSum(this, x);
    }

    /** The sum over all values: 1 x 1. */
    public Tensor total(Tensor x) {
        return ReductionOps.total(this, x);
    }

    /** Row dot products of a and b (same shape): B x 1. */
    public Tensor rowDot(Tensor a, Tensor b) {
        return ReductionOps.rowDot(this, a, b);
    }

    /**
     * Sum over groups of a row split into {@code groups} consecutive blocks: B x (groups * d) to B x d
     * (the sum over fields of per-field embeddings).
     */
    public Tensor sumGroups(Tensor x, int groups) {
        return ReductionOps.sumGroups(this, x, groups);
    }

    /**
     * The factorization machine's pairwise interactions of {@code numFields} fields of a row, B x (F *
     * D) to B x 1: 0.5 * sum_j ((sum_f e_fj)^2 - sum_f e_fj^2), as one op.
     */
    public Tensor factorizationMachine(Tensor fields, int numFields) {
        return ReductionOps.factorizationMachine(this, fields, numFields);
    }


    // ---------------------------------------------------------------- packed sequences (AttentionOps)

    /**
     * The first layer of DIN's attention unit over packed sequences: [q, k, q - k, q * k] W + b for
     * every position p of sequence r, with q row r of {@code query} (B x d), k row positions[p] of
     * {@code keys} (the U distinct keys, U x d), sequence r at positions [offsets[r], offsets[r + 1])
     * and W 4d x h: N x h.
     */
    public Tensor dinUnitLinear(Tensor query, Tensor keys, int[] positions, int[] offsets, Tensor weight, Tensor bias) {
        return AttentionOps.dinUnitLinear(this, query, keys, positions, offsets, weight, bias);
    }

    /**
     * DIN's whole attention MLP over packed sequences as one op, N x 1 scores: the unit's first layer
     * as {@link #dinUnitLinear} (the first layer's weight is 4d x h), each layer followed by DICE as
     * {@link #dice}, the next layers as {@link #linear}, then the output layer ({@code outWeight} h x
     * 1, {@code outBias} 1 x 1 or null). Equal to composing those ops; its activations and their
     * gradients are this graph's scratch instead of tensors.
     */
    public Tensor dinAttention(Tensor query, Tensor keys, int[] positions, int[] offsets, List<DiceLayer> layers, Tensor outWeight,
                               Tensor outBias) {
        return DinAttentionOps.dinAttention(this, query, keys, positions, offsets, layers, outWeight, outBias);
    }

    /**
     * Weighted sum of each packed sequence: weights N x 1, position p's value row positions[p] of
     * {@code values} (U x d), result B x d with row r the sum of weights[p] * values[positions[p]]
     * over p in [offsets[r], offsets[r + 1]) (zeros when empty).
     */
    public Tensor weightedSequenceSum(Tensor weights, Tensor values, int[] positions, int[] offsets) {
        return AttentionOps.weightedSequenceSum(this, weights, values, positions, offsets);
    }

    /**
     * Multi-head scaled dot-product self-attention over packed sequences (SelfAttentionOps): q, k and
     * v are N x d, sequence r at rows [offsets[r], offsets[r + 1]), each position attending to its own
     * sequence's positions only; head h in columns [h * d / heads, (h + 1) * d / heads). N x d.
     */
    public Tensor sequenceSelfAttention(Tensor q, Tensor k, Tensor v, int[] offsets, int heads) {
        return SelfAttentionOps.selfAttention(this, q, k, v, offsets, heads);
    }

    // ---------------------------------------------------------------- normalisation (NormalizationOps)

    /** Each row scaled to unit L2 norm (norm floored at {@code eps}). */
    public Tensor l2NormalizeRows(Tensor x, float eps) {
        return NormalizationOps.l2NormalizeRows(this, x, eps);
    }

    /**
     * Layer normalisation of each row with gain and bias (1 x n each; either may be null): y =
     * gamma * (x - mean) / sqrt(var + eps) + beta.
     */
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return NormalizationOps.layerNorm(this, x, gamma, beta, eps);
    }

    /**
     * Batch normalisation over the rows. In training it normalises with the batch's statistics and
     * writes them (mean, unbiased variance) to {@code batchMean} and {@code batchVar} for the caller to
     * fold into the running ones; in evaluation it uses the running statistics.
     */
    public Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, float[] runningMean, float[] runningVar, float eps,
                            float[] batchMean, float[] batchVar) {
        return NormalizationOps.batchNorm(this, x, gamma, beta, runningMean, runningVar, eps, batchMean, batchVar);
    }

    // ---------------------------------------------------------------- losses, sums that callers scale (LossOps)

    /**
     * Binary cross-entropy of logits (B x 1) against labels in [0, 1], summed over rows and multiplied
     * by {@code scale} (1 / global batch size times the task weight): a 1 x 1 tensor.
     */
    public Tensor binaryCrossEntropyWithLogits(Tensor logits, float[] labels, float scale) {
        return LossOps.binaryCrossEntropyWithLogits(this, logits, labels, scale);
    }

    /**
     * KL divergence KL(q || sigmoid(z)) of logits (B x 1) from target probabilities q in [0, 1],
     * summed over rows and scaled: knowledge distillation's loss, 0 where the student matches the teacher.
     */
    public Tensor binaryKlDivergenceWithLogits(Tensor logits, float[] targets, float scale) {
        return LossOps.binaryKlDivergenceWithLogits(this, logits, targets, scale);
    }

    /**
     * Binary cross-entropy of probabilities (B x 1; clipped to [eps, 1 - eps]) against labels, summed
     * and scaled: for models whose output is a product of probabilities (ESMM's pCTCVR).
     */
    public Tensor binaryCrossEntropy(Tensor probabilities, float[] labels, float scale) {
        return LossOps.binaryCrossEntropy(this, probabilities, labels, scale);
    }

    /** Squared error of predictions (B x 1) against targets, summed and scaled. */
    public Tensor squaredError(Tensor predictions, float[] targets, float scale) {
        return LossOps.squaredError(this, predictions, targets, scale);
    }

    /**
     * Softmax cross-entropy of logits (B x C) against target classes, summed over rows and scaled;
     * with {@code logitOffsets} (B x C, may be null) subtracted from the logits first (the log-Q
     * correction of sampled softmax).
     */
    public Tensor softmaxCrossEntropy(Tensor logits, int[] targets, float[] logitOffsets, float scale) {
        return LossOps.softmaxCrossEntropy(this, logits, targets, logitOffsets, scale);
    }

    /**
     * BPR's pairwise logistic loss (Rendle et al. 2009) of scores (R x C) where row r's positive is
     * column {@code targets[r]}: {@code sum_r sum_j w[r, j] * -log sigmoid(s[r, t_r] - s[r, j])},
     * scaled. The weights (R x C, row-major) pick the negatives and weigh them; 0 leaves a pair out.
     */
    public Tensor pairwiseLogistic(Tensor scores, int[] targets, float[] pairWeights, float scale) {
        return LossOps.pairwiseLogistic(this, scores, targets, pairWeights, scale);
    }
}

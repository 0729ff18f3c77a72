package org.recspark.model.tensor;

/**
 * A row-major float matrix on the heap with an optional gradient of the same shape. Sequences and
 * per-field embeddings are matrices too: B x (F * D), or (B * L) x D, by convention of the op.
 */
public final class Tensor {
    private final int rows;
    private final int cols;
    private final float[] data;
    private final boolean requiresGrad;
    /** Where the gradient comes from when it is first used (null: a new array). */
    private final Workspace gradients;
    private float[] grad;

    Tensor(int rows, int cols, float[] data, float[] grad, boolean requiresGrad) {
        this(rows, cols, data, grad, requiresGrad, null);
    }

    Tensor(int rows, int cols, float[] data, float[] grad, boolean requiresGrad, Workspace gradients) {
        if (data.length != rows * cols) {
            throw new IllegalArgumentException("data has " + data.length + " values, not " + rows + " x " + cols);
        }
        if (grad != null && grad.length != data.length) {
            throw new IllegalArgumentException("gradient has " + grad.length + " values, not " + data.length);
        }
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.grad = grad;
        this.requiresGrad = requiresGrad;
        this.gradients = gradients;
    }

    /** A tensor that needs no gradient: inputs, labels, masks. */
    public static Tensor constant(int rows, int cols, float[] data) {
        return new Tensor(rows, cols, data, null, false);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int size() {
        return data.length;
    }

    /** The values; ops do not modify an input's values (except {@link Graph#leakyReluInPlace}, on request). */
    public float[] data() {
        return data;
    }

    public float get(int row, int col) {
        return data[row * cols + col];
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** The gradient, allocated (zeros) on first use: from its graph's workspace when the graph has one. */
    public float[] grad() {
        if (grad == null) {
            grad = gradients == null ? new float[data.length] : gradients.takeZeroed(data.length);
        }
        return grad;
    }

    /** Whether any gradient reached this tensor (backward of its op can be skipped otherwise). */
    boolean hasGrad() {
        return grad != null;
    }

    @Override
    public String toString() {
        return "Tensor[" + rows + " x " + cols + (requiresGrad ? ", grad" : "") + "]";
    }
}

package org.recspark.model.nn;

/**
 * A named dense parameter (weights, biases, norm gains) or a non-trainable buffer (batch-norm running
 * statistics), row-major. Names are unique in a model and are the keys of checkpoints and warm starts.
 */
public final class Parameter {
    private final String name;
    private final int rows;
    private final int cols;
    private final float[] value;
    private final boolean trainable;

    Parameter(String name, int rows, int cols, float[] value, boolean trainable) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.value = value;
        this.trainable = trainable;
    }

    public String name() {
        return name;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int size() {
        return value.length;
    }

    /** The values, updated in place by optimizers and restores. */
    public float[] value() {
        return value;
    }

    public boolean trainable() {
        return trainable;
    }

    public String shape() {
        return rows + "x" + cols;
    }

    @Override
    public String toString() {
        return name + "[" + shape() + "]";
    }
}

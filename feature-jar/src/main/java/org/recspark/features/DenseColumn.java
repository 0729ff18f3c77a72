package org.recspark.features;

import java.util.Arrays;

/** Float values of a dense feature, {@code dim} per row, row-major. Immutable. */
public final class DenseColumn implements FeatureColumn {
    private final String name;
    private final int numRows;
    private final boolean broadcast;
    private final int dim;
    private final float[] values;

    DenseColumn(String name, int numRows, boolean broadcast, int dim, float[] values) {
        this.name = name;
        this.numRows = numRows;
        this.broadcast = broadcast;
        this.dim = dim;
        this.values = values;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int numRows() {
        return numRows;
    }

    @Override
    public boolean isBroadcast() {
        return broadcast;
    }

    public int dim() {
        return dim;
    }

    public float value(int row, int j) {
        if (row < 0 || row >= numRows || j < 0 || j >= dim) {
            throw new IndexOutOfBoundsException("value (" + row + ", " + j + ") of " + numRows + " x " + dim);
        }
        return values[(broadcast ? 0 : row) * dim + j];
    }

    /** A copy of one logical row. */
    public float[] values(int row) {
        int p = broadcast ? 0 : row;
        if (row < 0 || row >= numRows) {
            throw new IndexOutOfBoundsException("row " + row + " of " + numRows);
        }
        return Arrays.copyOfRange(values, p * dim, p * dim + dim);
    }
}

package org.recspark.features;

import java.util.Arrays;

/**
 * Ids of a sparse feature in CSR layout: the ids of physical row r are {@code ids[offsets[r] ..
 * offsets[r+1])}, local to the feature's id space [0, idSpaceSize); add the schema's id offset for a
 * global id. Weights are present only for weighted tags. Immutable.
 */
public final class SparseColumn implements FeatureColumn {
    private final String name;
    private final int numRows;
    private final boolean broadcast;
    private final int[] offsets;
    private final long[] ids;
    private final float[] weights;
    private final long idSpaceSize;

    SparseColumn(String name, int numRows, boolean broadcast, int[] offsets, long[] ids, float[] weights, long idSpaceSize) {
        this.name = name;
        this.numRows = numRows;
        this.broadcast = broadcast;
        this.offsets = offsets;
        this.ids = ids;
        this.weights = weights;
        this.idSpaceSize = idSpaceSize;
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

    public long idSpaceSize() {
        return idSpaceSize;
    }

    public boolean hasWeights() {
        return weights != null;
    }

    private int physical(int row) {
        if (row < 0 || row >= numRows) {
            throw new IndexOutOfBoundsException("row " + row + " of " + numRows);
        }
        return broadcast ? 0 : row;
    }

    /** Index into {@link #id(int)} of the first id of a logical row. */
    public int start(int row) {
        return offsets[physical(row)];
    }

    /** Index one past the last id of a logical row. */
    public int end(int row) {
        return offsets[physical(row) + 1];
    }

    public int length(int row) {
        int p = physical(row);
        return offsets[p + 1] - offsets[p];
    }

    public long id(int index) {
        return ids[index];
    }

    /** Weight of the id at {@code index}; 1 for unweighted features. */
    public float weight(int index) {
        return weights == null ? 1.0f : weights[index];
    }

    /** A copy of one logical row's ids. */
    public long[] ids(int row) {
        return Arrays.copyOfRange(ids, start(row), end(row));
    }

    /** A copy of one logical row's weights (all 1 for unweighted features). */
    public float[] weights(int row) {
        float[] out = new float[length(row)];
        int start = start(row);
        for (int k = 0; k < out.length; k++) {
            out[k] = weight(start + k);
        }
        return out;
    }

    /** Total ids stored (physical rows only). */
    public int storedIds() {
        return ids.length;
    }
}

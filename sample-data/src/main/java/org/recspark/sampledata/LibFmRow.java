package org.recspark.sampledata;

import java.util.Arrays;

/**
 * One libFM line: a 0/1 label and sparse features as parallel index and value arrays.
 * The arrays are not copied, for speed on large files: callers must not modify them.
 */
public record LibFmRow(float label, int[] indices, float[] values) {

    public LibFmRow {
        if (indices.length != values.length) {
            throw new IllegalArgumentException("indices and values differ in length: " + indices.length + " vs " + values.length);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LibFmRow row && Float.compare(label, row.label) == 0
                && Arrays.equals(indices, row.indices) && Arrays.equals(values, row.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Float.hashCode(label) + Arrays.hashCode(indices)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "LibFmRow[label=" + label + ", indices=" + Arrays.toString(indices) + ", values=" + Arrays.toString(values) + "]";
    }
}

package org.recspark.model.data;

/**
 * Ids of one sparse feature for a set of rows, CSR layout: row r has ids[offsets[r] .. offsets[r+1])
 * with weights (null when every weight is 1).
 */
public record SparseValues(int[] offsets, long[] ids, float[] weights) {
    public int rows() {
        return offsets.length - 1;
    }

    public int start(int row) {
        return offsets[row];
    }

    public int end(int row) {
        return offsets[row + 1];
    }

    public float weight(int index) {
        return weights == null ? 1f : weights[index];
    }

    /** The most ids in any row. */
    public int maxLength() {
        int max = 0;
        for (int r = 0; r < rows(); r++) {
            max = Math.max(max, offsets[r + 1] - offsets[r]);
        }
        return max;
    }

    /** The values of the given rows, in the given order. */
    public SparseValues select(int[] rows) {
        int[] off = new int[rows.length + 1];
        int total = 0;
        for (int i = 0; i < rows.length; i++) {
            total += offsets[rows[i] + 1] - offsets[rows[i]];
            off[i + 1] = total;
        }
        long[] outIds = new long[total];
        float[] outWeights = weights == null ? null : new float[total];
        for (int i = 0; i < rows.length; i++) {
            int s = offsets[rows[i]];
            int len = offsets[rows[i] + 1] - s;
            System.arraycopy(ids, s, outIds, off[i], len);
            if (outWeights != null) {
                System.arraycopy(weights, s, outWeights, off[i], len);
            }
        }
        return new SparseValues(off, outIds, outWeights);
    }
}

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

    /**
     * The values of the given rows, in the given order. Rows of one id (the usual categorical
     * feature) are copied element by element: a System.arraycopy call per one-element row cost
     * more than the copy.
     */
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
            int o = off[i];
            if (len == 1) {
                outIds[o] = ids[s];
                if (outWeights != null) {
                    outWeights[o] = weights[s];
                }
            } else {
                System.arraycopy(ids, s, outIds, o, len);
                if (outWeights != null) {
                    System.arraycopy(weights, s, outWeights, o, len);
                }
            }
        }
        return new SparseValues(off, outIds, outWeights);
    }

    /** Rows [from, to), copied as one block. */
    public SparseValues slice(int from, int to) {
        int base = offsets[from];
        int[] off = new int[to - from + 1];
        for (int i = 0; i < off.length; i++) {
            off[i] = offsets[from + i] - base;
        }
        int total = offsets[to] - base;
        long[] outIds = new long[total];
        System.arraycopy(ids, base, outIds, 0, total);
        float[] outWeights = null;
        if (weights != null) {
            outWeights = new float[total];
            System.arraycopy(weights, base, outWeights, 0, total);
        }
        return new SparseValues(off, outIds, outWeights);
    }
}

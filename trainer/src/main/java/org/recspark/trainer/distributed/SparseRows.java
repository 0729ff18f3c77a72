package org.recspark.trainer.distributed;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.util.Arrays;
import java.util.List;

/**
 * Gradient rows of one embedding table keyed by feature id: row {@code i} is the {@code dim} floats of
 * {@link #rows()} from {@code i * dim}, for id {@code ids()[i]}. Ids may repeat.
 *
 * <p>The arrays are shared, not copied, for speed: do not modify them once passed in or handed out.
 */
public final class SparseRows {
    private final int dim;
    private final long[] ids;
    private final float[] rows;

    public SparseRows(int dim, long[] ids, float[] rows) {
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be >= 1, got " + dim);
        }
        if ((long) ids.length * dim != rows.length) {
            throw new IllegalArgumentException("rows must hold ids.length * dim = " + ids.length + " * " + dim
                    + " floats, got " + rows.length);
        }
        this.dim = dim;
        this.ids = ids;
        this.rows = rows;
    }

    public static SparseRows empty(int dim) {
        return new SparseRows(dim, new long[0], new float[0]);
    }

    public int dim() {
        return dim;
    }

    /** Rows, counting repeated ids. */
    public int size() {
        return ids.length;
    }

    public long[] ids() {
        return ids;
    }

    public float[] rows() {
        return rows;
    }

    /**
     * Sums the rows of equal ids across parts, deterministically: the result has each id once, in ascending
     * (signed) id order, and an id's row is the left fold of its rows in part order, and within a part in row
     * order: {@code ((r1 + r2) + r3) + ...}, starting from a copy of the first (so a lone -0.0 stays -0.0).
     *
     * @param parts all of the same dim, at least one
     */
    public static SparseRows sumById(List<SparseRows> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("parts must not be empty");
        }
        int dim = parts.get(0).dim;
        int total = 0;
        for (SparseRows part : parts) {
            if (part.dim != dim) {
                throw new IllegalArgumentException("every part must have dim " + dim + ", got " + part.dim);
            }
            total = Math.addExact(total, part.size());
        }
        Long2IntOpenHashMap indexOfId = new Long2IntOpenHashMap(total);
        indexOfId.defaultReturnValue(-1);
        long[] firstSeenIds = new long[total];
        float[] sums = new float[Math.multiplyExact(total, dim)];
        int unique = 0;
        for (SparseRows part : parts) {
            for (int i = 0; i < part.ids.length; i++) {
                int index = indexOfId.putIfAbsent(part.ids[i], unique);
                if (index < 0) {
                    firstSeenIds[unique] = part.ids[i];
                    System.arraycopy(part.rows, i * dim, sums, unique * dim, dim);
                    unique++;
                } else {
                    int dst = index * dim;
                    int src = i * dim;
                    for (int j = 0; j < dim; j++) {
                        sums[dst + j] += part.rows[src + j];
                    }
                }
            }
        }
        long[] sortedIds = Arrays.copyOf(firstSeenIds, unique);
        Arrays.sort(sortedIds);
        float[] sortedRows = new float[unique * dim];
        for (int k = 0; k < unique; k++) {
            System.arraycopy(sums, indexOfId.get(sortedIds[k]) * dim, sortedRows, k * dim, dim);
        }
        return new SparseRows(dim, sortedIds, sortedRows);
    }

    @Override
    public String toString() {
        return "SparseRows[dim=" + dim + ", rows=" + ids.length + "]";
    }
}

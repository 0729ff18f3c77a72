package org.recspark.features;

import java.util.Arrays;

/** Appends the ids (and optional weights) of one sparse feature, row by row. Not thread-safe. */
final class SparseColumnBuilder {
    private final boolean weighted;
    private int[] offsets;
    private long[] ids;
    private float[] weights;
    private int rows;
    private int size;

    SparseColumnBuilder(int expectedRows, int expectedIdsPerRow, boolean weighted) {
        this.weighted = weighted;
        this.offsets = new int[expectedRows + 1];
        int capacity = Math.max(4, expectedRows * Math.max(1, expectedIdsPerRow));
        this.ids = new long[capacity];
        this.weights = weighted ? new float[capacity] : null;
    }

    void add(long id) {
        add(id, 1.0f);
    }

    void add(long id, float weight) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
            if (weighted) {
                weights = Arrays.copyOf(weights, size * 2);
            }
        }
        ids[size] = id;
        if (weighted) {
            weights[size] = weight;
        }
        size++;
    }

    /** Position to return to if the current row's value turns out bad. */
    int mark() {
        return size;
    }

    void reset(int mark) {
        size = mark;
    }

    /** The ids appended since {@code mark}. */
    long[] idsSince(int mark) {
        return Arrays.copyOfRange(ids, mark, size);
    }

    /** The weights appended since {@code mark}; null when unweighted. */
    float[] weightsSince(int mark) {
        return weighted ? Arrays.copyOfRange(weights, mark, size) : null;
    }

    void endRow() {
        if (rows + 1 >= offsets.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
        }
        offsets[++rows] = size;
    }

    /** The column; the builder is spent (its arrays become the column's when they are full). */
    SparseColumn build(String name, int logicalRows, boolean broadcast, long idSpaceSize) {
        return new SparseColumn(name, logicalRows, broadcast, trimmed(offsets, rows + 1), trimmed(ids, size),
                weighted ? trimmed(weights, size) : null, idSpaceSize);
    }

    private static int[] trimmed(int[] a, int n) {
        return a.length == n ? a : Arrays.copyOf(a, n);
    }

    private static long[] trimmed(long[] a, int n) {
        return a.length == n ? a : Arrays.copyOf(a, n);
    }

    private static float[] trimmed(float[] a, int n) {
        return a.length == n ? a : Arrays.copyOf(a, n);
    }
}

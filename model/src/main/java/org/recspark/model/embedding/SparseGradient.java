package org.recspark.model.embedding;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.util.Arrays;

/**
 * Gradient rows of one embedding table for one batch: only the rows the batch touched, as (slot,
 * row) pairs in first-touch order.
 */
public final class SparseGradient {
    private final int dim;
    private final Int2IntOpenHashMap indexBySlot;
    private int[] slots;
    private float[] rows;
    private int size;

    public SparseGradient(int dim) {
        this(dim, 64);
    }

    /**
     * A gradient sized for about {@code expectedRows} touched rows, so a batch's backward pass
     * does not grow and rehash it row by row.
     */
    public SparseGradient(int dim, int expectedRows) {
        int capacity = Math.max(1, expectedRows);
        this.dim = dim;
        this.indexBySlot = new Int2IntOpenHashMap(capacity);
        this.slots = new int[capacity];
        this.rows = new float[capacity * dim];
        indexBySlot.defaultReturnValue(-1);
    }

    public int dim() {
        return dim;
    }

    /** Touched rows. */
    public int size() {
        return size;
    }

    public int slot(int index) {
        return slots[index];
    }

    /** The array holding the gradient rows; row {@code index} starts at {@code index * dim}. */
    public float[] rows() {
        return rows;
    }

    /** The offset in {@link #rows()} of a slot's gradient row, adding a zero row when new. */
    public int offsetOf(int slot) {
        int index = indexBySlot.get(slot);
        if (index < 0) {
            index = size++;
            if (index == slots.length) {
                slots = Arrays.copyOf(slots, slots.length * 2);
                rows = Arrays.copyOf(rows, rows.length * 2);
            }
            slots[index] = slot;
            indexBySlot.put(slot, index);
        }
        return index * dim;
    }

    /** The offset of a slot's gradient row, or -1 when the batch did not touch it. */
    public int offsetIfPresent(int slot) {
        int index = indexBySlot.get(slot);
        return index < 0 ? -1 : index * dim;
    }

    /** Removes every row, keeping the arrays, so a gradient can be refilled step after step without allocating. */
    public void clear() {
        Arrays.fill(rows, 0, size * dim, 0f);
        indexBySlot.clear();
        size = 0;
    }

    /** Adds another shard's gradient row by row. */
    public void addAll(SparseGradient other) {
        for (int i = 0; i < other.size; i++) {
            int dst = offsetOf(other.slots[i]);
            int src = i * dim;
            for (int j = 0; j < dim; j++) {
                rows[dst + j] += other.rows[src + j];
            }
        }
    }
}

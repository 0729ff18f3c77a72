package org.recspark.trainer.data;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A streaming shuffle over a bounded window: the first {@code capacity} rows fill the buffer, then
 * each new row takes the place of a buffered row drawn at random, which comes out; at the end the
 * rest comes out in a random order. Every row comes out exactly once, and the output depends only on
 * the input order and the random generator. Not thread-safe.
 */
final class ShuffleBuffer<T> {
    private final Object[] rows;
    private final SplittableRandom random;
    private int size;

    ShuffleBuffer(int capacity, SplittableRandom random) {
        if (capacity < 1) {
            throw new IllegalArgumentException("shuffle buffer capacity must be >= 1, got " + capacity);
        }
        this.rows = new Object[capacity];
        this.random = random;
    }

    /** Takes a row; passes the row that comes out (none while the buffer fills) to {@code out}. */
    @SuppressWarnings("unchecked")
    void offer(T row, Consumer<T> out) {
        if (size < rows.length) {
            rows[size++] = row;
            return;
        }
        int j = random.nextInt(rows.length);
        T leaving = (T) rows[j];
        rows[j] = row;
        out.accept(leaving);
    }

    /** Passes every buffered row to {@code out}, in a random order, and empties the buffer. */
    @SuppressWarnings("unchecked")
    void drain(Consumer<T> out) {
        while (size > 0) {
            int j = random.nextInt(size);
            T leaving = (T) rows[j];
            rows[j] = rows[--size];
            rows[size] = null;
            out.accept(leaving);
        }
    }
}

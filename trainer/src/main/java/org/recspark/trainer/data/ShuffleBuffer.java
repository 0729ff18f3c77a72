package org.recspark.trainer.data;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A streaming shuffle over a bounded window of {@code capacity} rows. Rows start coming out once a
 * tenth of the buffer is filled, one for every two taken in until it is full, so the first batch
 * does not wait for the whole buffer to be decoded; from then on each new row takes the place of a
 * buffered row drawn at random, which comes out; at the end the rest comes out in a random order
 * (the growing window of WebDataset's shuffle, then TensorFlow's shuffle buffer). Every row comes
 * out exactly once, and the output depends only on the input order and
 * the random generator. Not thread-safe.
 */
final class ShuffleBuffer<T> {
    private final Object[] rows;
    private final int initial;
    private final SplittableRandom random;
    private int size;
    private long taken;

    ShuffleBuffer(int capacity, SplittableRandom random) {
        if (capacity < 1) {
            throw new IllegalArgumentException("shuffle buffer capacity must be >= 1, got " + capacity);
        }
        this.rows = new Object[capacity];
        this.initial = Math.max(1, capacity / 10);
        this.random = random;
    }

    /** Takes a row; passes the row that comes out, if any, to {@code out}. */
    @SuppressWarnings("unchecked")
    void offer(T row, Consumer<T> out) {
        taken++;
        if (size < rows.length) {
            rows[size++] = row;
            if (size >= initial && taken % 2 == 0) {
                out.accept(removeRandom());
            }
            return;
        }
        int j = random.nextInt(rows.length);
        T leaving = (T) rows[j];
        rows[j] = row;
        out.accept(leaving);
    }

    /** Passes every buffered row to {@code out}, in a random order, and empties the buffer. */
    void drain(Consumer<T> out) {
        while (size > 0) {
            out.accept(removeRandom());
        }
    }

    @SuppressWarnings("unchecked")
    private T removeRandom() {
        int j = random.nextInt(size);
        T leaving = (T) rows[j];
        rows[j] = rows[--size];
        rows[size] = null;
        return leaving;
    }
}

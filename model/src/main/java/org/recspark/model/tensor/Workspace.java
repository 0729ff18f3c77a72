package org.recspark.model.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Arrays reused from one pass to the next on one thread, for the large outputs of a serving
 * request (the per-item input matrix, the layers' activations) or of a training step (a graph's
 * tensors and their gradients). Between two calls of {@link #begin}, the i-th array taken is the
 * i-th array taken after the previous {@code begin} when its length is the same, so a steady
 * stream of passes of one shape allocates them once instead of per pass (megabytes per pass, a
 * young GC every few dozen passes otherwise). Each position also keeps the array of the length it
 * had before, so passes of two shapes (full training batches and an epoch's smaller last one)
 * stop allocating too. Whatever was taken is overwritten after the next {@code begin}: results
 * must be copied out before it. Not thread-safe; one per thread.
 */
public final class Workspace {
    private final List<float[]> arrays = new ArrayList<>();
    /** Per position, the array it held before its length last changed (null: none). */
    private final List<float[]> previous = new ArrayList<>();
    private int next;
    /** Index arrays (an embedding lookup's row slots), by position of their own, kept the same way. */
    private final List<int[]> indexArrays = new ArrayList<>();
    private final List<int[]> previousIndexArrays = new ArrayList<>();
    private int nextIndexArray;

    /** Starts a pass: every array taken so far may be handed out again. */
    public void begin() {
        next = 0;
        nextIndexArray = 0;
    }

    /** An array of that length whose contents are undefined (the caller overwrites all of it). */
    public float[] take(int length) {
        if (next == arrays.size()) {
            addPosition();
        }
        float[] a = arrays.get(next);
        if (a == null || a.length != length) {
            float[] before = previous.get(next);
            previous.set(next, a);
            a = before != null && before.length == length ? before : new float[length];
            arrays.set(next, a);
        }
        next++;
        return a;
    }

    /** An int array of that length whose contents are undefined, reused as {@link #take} reuses float arrays. */
    public int[] takeIndices(int length) {
        if (nextIndexArray == indexArrays.size()) {
            indexArrays.add(null);
            previousIndexArrays.add(null);
        }
        int[] a = indexArrays.get(nextIndexArray);
        if (a == null || a.length != length) {
            int[] before = previousIndexArrays.get(nextIndexArray);
            previousIndexArrays.set(nextIndexArray, a);
            a = before != null && before.length == length ? before : new int[length];
            indexArrays.set(nextIndexArray, a);
        }
        nextIndexArray++;
        return a;
    }

    /** An array of that length filled with zeros. */
    public float[] takeZeroed(int length) {
        float[] a = take(length);
        Arrays.fill(a, 0f);
        return a;
    }

    /**
     * An array of at least that length whose contents are undefined, for scratch the caller indexes
     * itself (only its first {@code length} values are meant): unlike {@link #take}, an array of the
     * same position that is long enough is kept, so a pass whose sizes vary a little from one call to
     * the next (a training step's packed sequences) stops allocating once the largest has been seen.
     */
    public float[] takeAtLeast(int length) {
        if (next == arrays.size()) {
            addPosition();
        }
        float[] a = arrays.get(next);
        if (a == null || a.length < length) {
            // an eighth of headroom, so a size creeping up by a few percent does not allocate each time
            a = new float[length + length / 8];
            arrays.set(next, a);
        }
        next++;
        return a;
    }

    private void addPosition() {
        arrays.add(null);
        previous.add(null);
    }

    /** Floats held for reuse. */
    public long retainedFloats() {
        return floats(arrays) + floats(previous);
    }

    private static long floats(List<float[]> list) {
        return list.stream().mapToLong(a -> a == null ? 0 : a.length).sum();
    }
}

package org.recspark.model.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Arrays reused from one inference pass to the next on one thread, for the large outputs of a
 * serving request (the per-item input matrix, the layers' activations). Between two calls of
 * {@link #begin}, the i-th array taken is the i-th array taken after the previous {@code begin}
 * when its length is the same, so a steady stream of requests of one shape allocates them once
 * instead of per request (megabytes per request, a young GC every few dozen requests otherwise).
 * Whatever was taken is overwritten after the next {@code begin}: results must be copied out
 * before it. Not thread-safe; one per thread.
 */
public final class Workspace {
    private final List<float[]> arrays = new ArrayList<>();
    private int next;

    /** Starts a pass: every array taken so far may be handed out again. */
    public void begin() {
        next = 0;
    }

    /** An array of that length whose contents are undefined (the caller overwrites all of it). */
    public float[] take(int length) {
        if (next == arrays.size()) {
            arrays.add(null);
        }
        float[] a = arrays.get(next);
        if (a == null || a.length != length) {
            a = new float[length];
            arrays.set(next, a);
        }
        next++;
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
            arrays.add(null);
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

    /** Floats held for reuse. */
    public long retainedFloats() {
        return arrays.stream().mapToLong(a -> a == null ? 0 : a.length).sum();
    }
}

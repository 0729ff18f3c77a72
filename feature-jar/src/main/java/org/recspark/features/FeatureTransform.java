package org.recspark.features;

import java.util.List;

/**
 * Computes one feature from raw records: one implementation per feature type. A sparse transform
 * appends ids to a {@link SparseColumnBuilder}; a dense one writes {@link #denseDim()} floats.
 * Transforms are immutable and thread-safe. They signal unusable values with {@link BadValue};
 * the generator then fails or counts and calls the matching default method.
 */
interface FeatureTransform {

    /** The "side.field" inputs, in config order. */
    List<InputRef> inputs();

    boolean sparse();

    /** Number of ids of a sparse transform. */
    long idSpaceSize();

    default int denseDim() {
        return 1;
    }

    /** Whether a sparse output carries per-id weights. */
    default boolean weighted() {
        return false;
    }

    /** Typical ids per row, to size buffers. */
    default int expectedIdsPerRow() {
        return 1;
    }

    default void emitSparse(RawRecord user, RawRecord item, RawRecord context, SparseColumnBuilder out) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has a dense output");
    }

    default void emitSparseDefault(SparseColumnBuilder out) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has a dense output");
    }

    default void emitDense(RawRecord user, RawRecord item, RawRecord context, float[] out, int offset) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has a sparse output");
    }

    default void emitDenseDefault(float[] out, int offset) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has a sparse output");
    }
}

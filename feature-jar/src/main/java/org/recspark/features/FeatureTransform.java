package org.recspark.features;

/**
 * Computes one feature from raw records: one implementation per feature type. The type's owner
 * ({@link org.recspark.config.feature.FeatureType}) says whether the output is sparse, its inputs
 * and a dense output's width; a sparse transform appends ids to a {@link SparseColumnBuilder}, a
 * dense one writes that many floats.
 * Transforms are immutable and thread-safe. They signal unusable values with {@link BadValue};
 * the generator then fails or counts and calls the matching default method.
 *
 * <p>A per-item feature with request-side inputs (a user map looked up by item category) may derive
 * from them once per request in {@link #forRequest}, instead of once per item.
 */
interface FeatureTransform {

    /** Number of ids of a sparse transform: the owner's, or that of the vocabulary file it read. */
    long idSpaceSize();

    /** Whether a sparse output carries per-id weights. */
    default boolean weighted() {
        return false;
    }

    /** Typical ids per row, to size buffers. */
    default int expectedIdsPerRow() {
        return 1;
    }

    /**
     * This transform for the rows of one request whose user and context records are given: a copy
     * holding what it derives from request-side inputs, or this transform when there is nothing to
     * derive. Called once per generate call for per-item features; must not throw {@link BadValue}
     * (see {@link RequestValue}).
     */
    default FeatureTransform forRequest(RawRecord user, RawRecord context) {
        return this;
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

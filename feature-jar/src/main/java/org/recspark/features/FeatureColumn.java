package org.recspark.features;

/**
 * One feature's values for every row of a {@link FeatureBatch}. A broadcast column stores one
 * physical row shared by all logical rows: request-side (user, context) features of a 1 x N batch.
 */
public sealed interface FeatureColumn permits SparseColumn, DenseColumn {
    String name();

    /** Logical rows: the batch's row count. */
    int numRows();

    boolean isBroadcast();
}

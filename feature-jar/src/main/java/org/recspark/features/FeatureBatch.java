package org.recspark.features;

import java.util.List;

/**
 * Model inputs for N rows (one request of 1 user x N items, or N single rows), column by column
 * in schema order. Request-side columns of a 1 x N batch are broadcast (stored once). Immutable.
 */
public final class FeatureBatch {
    private final FeatureSchema schema;
    private final int numRows;
    private final List<FeatureColumn> columns;

    FeatureBatch(FeatureSchema schema, int numRows, List<FeatureColumn> columns) {
        this.schema = schema;
        this.numRows = numRows;
        this.columns = List.copyOf(columns);
    }

    public FeatureSchema schema() {
        return schema;
    }

    public int numRows() {
        return numRows;
    }

    public List<FeatureColumn> columns() {
        return columns;
    }

    public FeatureColumn column(int index) {
        return columns.get(index);
    }

    public FeatureColumn column(String name) {
        return columns.get(schema.index(name));
    }

    public SparseColumn sparse(String name) {
        FeatureColumn column = column(name);
        if (column instanceof SparseColumn sparse) {
            return sparse;
        }
        throw new IllegalArgumentException("feature '" + name + "' is dense");
    }

    public DenseColumn dense(String name) {
        FeatureColumn column = column(name);
        if (column instanceof DenseColumn dense) {
            return dense;
        }
        throw new IllegalArgumentException("feature '" + name + "' is sparse");
    }
}

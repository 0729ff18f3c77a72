package org.recspark.model.data;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;

/**
 * Labelled model inputs in columns, in the feature schema's order: a whole training set held in
 * memory, or one batch of it ({@link #select}). Sparse features hold ids (local to their id space),
 * dense features {@code denseDim} floats per row. Each row may carry a group key (the user, for GAUC
 * and per-user metrics). Immutable.
 */
public final class Examples {
    private final FeatureSchema schema;
    private final int numRows;
    private final SparseValues[] sparse;
    private final float[][] dense;
    private final Map<String, float[]> labels;
    private final long[] groupKeys;

    public Examples(FeatureSchema schema, int numRows, SparseValues[] sparse, float[][] dense, Map<String, float[]> labels,
                    long[] groupKeys) {
        List<FeatureSpec> specs = schema.features();
        if (sparse.length != specs.size() || dense.length != specs.size()) {
            throw new IllegalArgumentException("columns for " + sparse.length + " features, schema has " + specs.size());
        }
        for (int f = 0; f < specs.size(); f++) {
            FeatureSpec spec = specs.get(f);
            if (spec.sparse() ? sparse[f] == null || sparse[f].rows() != numRows
                    : dense[f] == null || dense[f].length != numRows * spec.denseDim()) {
                throw new IllegalArgumentException("column of feature '" + spec.name() + "' does not have " + numRows + " rows");
            }
        }
        for (Map.Entry<String, float[]> label : labels.entrySet()) {
            if (label.getValue().length != numRows) {
                throw new IllegalArgumentException("label '" + label.getKey() + "' has " + label.getValue().length
                        + " values for " + numRows + " rows");
            }
        }
        if (groupKeys != null && groupKeys.length != numRows) {
            throw new IllegalArgumentException(groupKeys.length + " group keys for " + numRows + " rows");
        }
        this.schema = schema;
        this.numRows = numRows;
        this.sparse = sparse;
        this.dense = dense;
        this.labels = Map.copyOf(labels);
        this.groupKeys = groupKeys;
    }

    public FeatureSchema schema() {
        return schema;
    }

    public int numRows() {
        return numRows;
    }

    public SparseValues sparse(int feature) {
        SparseValues values = sparse[feature];
        if (values == null) {
            throw new IllegalArgumentException("feature '" + schema.features().get(feature).name() + "' is dense");
        }
        return values;
    }

    public float[] dense(int feature) {
        float[] values = dense[feature];
        if (values == null) {
            throw new IllegalArgumentException("feature '" + schema.features().get(feature).name() + "' is sparse");
        }
        return values;
    }

    public boolean hasLabel(String name) {
        return labels.containsKey(name);
    }

    public float[] label(String name) {
        float[] values = labels.get(name);
        if (values == null) {
            throw new IllegalArgumentException("no label '" + name + "' (labels: " + labels.keySet() + ")");
        }
        return values;
    }

    public Map<String, float[]> labels() {
        return labels;
    }

    /**
     * These rows with one more label column (a teacher's scores for distillation), the feature
     * columns shared; a label of that name is replaced.
     */
    public Examples withLabel(String name, float[] values) {
        Map<String, float[]> l = new LinkedHashMap<>(labels);
        l.put(name, values);
        return new Examples(schema, numRows, sparse, dense, l, groupKeys);
    }

    /** Group keys per row (user ids), or null when the examples have none. */
    public long[] groupKeys() {
        return groupKeys;
    }

    /** The given rows, in the given order (a batch). */
    public Examples select(int[] rows) {
        SparseValues[] s = new SparseValues[sparse.length];
        float[][] d = new float[dense.length][];
        for (int f = 0; f < sparse.length; f++) {
            if (sparse[f] != null) {
                s[f] = sparse[f].select(rows);
            } else {
                int dim = schema.features().get(f).denseDim();
                d[f] = new float[rows.length * dim];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(dense[f], rows[i] * dim, d[f], i * dim, dim);
                }
            }
        }
        Map<String, float[]> l = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> label : labels.entrySet()) {
            float[] out = new float[rows.length];
            for (int i = 0; i < rows.length; i++) {
                out[i] = label.getValue()[rows[i]];
            }
            l.put(label.getKey(), out);
        }
        long[] g = null;
        if (groupKeys != null) {
            g = new long[rows.length];
            for (int i = 0; i < rows.length; i++) {
                g[i] = groupKeys[rows[i]];
            }
        }
        return new Examples(schema, rows.length, s, d, l, g);
    }

    /** Rows [from, to), each column copied as one block. */
    public Examples slice(int from, int to) {
        SparseValues[] s = new SparseValues[sparse.length];
        float[][] d = new float[dense.length][];
        for (int f = 0; f < sparse.length; f++) {
            if (sparse[f] != null) {
                s[f] = sparse[f].slice(from, to);
            } else {
                int dim = schema.features().get(f).denseDim();
                d[f] = Arrays.copyOfRange(dense[f], from * dim, to * dim);
            }
        }
        Map<String, float[]> l = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> label : labels.entrySet()) {
            l.put(label.getKey(), Arrays.copyOfRange(label.getValue(), from, to));
        }
        long[] g = groupKeys == null ? null : Arrays.copyOfRange(groupKeys, from, to);
        return new Examples(schema, to - from, s, d, l, g);
    }
}

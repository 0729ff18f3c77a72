package org.recspark.model.data;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.features.DenseColumn;
import org.recspark.features.FeatureBatch;
import org.recspark.features.FeatureColumn;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.features.SparseColumn;

/**
 * Collects rows into {@link Examples}: from the feature jar's {@link FeatureBatch}es (raw inputs run
 * through the same feature code as serving) or column by column from stored samples.
 */
public final class ExamplesBuilder {
    private final FeatureSchema schema;
    private final List<String> labelNames;
    private final IntList[] offsets;
    private final LongList[] ids;
    private final FloatList[] weights;
    private final FloatList[] dense;
    private final FloatList[] labels;
    private final LongList groupKeys = new LongList();
    private boolean withGroupKeys;
    private int numRows;

    public ExamplesBuilder(FeatureSchema schema, List<String> labelNames) {
        this.schema = schema;
        this.labelNames = List.copyOf(labelNames);
        int n = schema.size();
        offsets = new IntList[n];
        ids = new LongList[n];
        weights = new FloatList[n];
        dense = new FloatList[n];
        for (int f = 0; f < n; f++) {
            FeatureSpec spec = schema.features().get(f);
            if (spec.sparse()) {
                offsets[f] = new IntList();
                offsets[f].add(0);
                ids[f] = new LongList();
                if (spec.weighted()) {
                    weights[f] = new FloatList();
                }
            } else {
                dense[f] = new FloatList();
            }
        }
        labels = new FloatList[labelNames.size()];
        for (int l = 0; l < labels.length; l++) {
            labels[l] = new FloatList();
        }
    }

    public int numRows() {
        return numRows;
    }

    /**
     * Adds every row of a feature batch with its labels (one array per label name, a value per row)
     * and, optionally, group keys.
     */
    public ExamplesBuilder add(FeatureBatch batch, float[][] rowLabels, long[] rowGroupKeys) {
        if (batch.schema() != schema) {
            throw new IllegalArgumentException("feature batch of another schema");
        }
        int n = batch.numRows();
        checkLabels(rowLabels, n);
        for (int f = 0; f < schema.size(); f++) {
            FeatureColumn column = batch.column(f);
            if (column instanceof SparseColumn s) {
                for (int r = 0; r < n; r++) {
                    for (int k = s.start(r); k < s.end(r); k++) {
                        ids[f].add(s.id(k));
                        if (weights[f] != null) {
                            weights[f].add(s.weight(k));
                        }
                    }
                    offsets[f].add(ids[f].size);
                }
            } else {
                DenseColumn d = (DenseColumn) column;
                for (int r = 0; r < n; r++) {
                    for (int j = 0; j < d.dim(); j++) {
                        dense[f].add(d.value(r, j));
                    }
                }
            }
        }
        addLabelsAndKeys(rowLabels, rowGroupKeys, n);
        return this;
    }

    /**
     * Adds one row from stored values: per feature, ids (and weights, or null) for sparse features,
     * floats for dense ones.
     */
    public ExamplesBuilder addRow(long[][] rowIds, float[][] rowWeights, float[][] rowDense, float[] rowLabels, Long groupKey) {
        for (int f = 0; f < schema.size(); f++) {
            FeatureSpec spec = schema.features().get(f);
            if (spec.sparse()) {
                long[] v = rowIds[f];
                for (int k = 0; k < v.length; k++) {
                    ids[f].add(v[k]);
                    if (weights[f] != null) {
                        weights[f].add(rowWeights[f] == null ? 1f : rowWeights[f][k]);
                    }
                }
                offsets[f].add(ids[f].size);
            } else {
                if (rowDense[f].length != spec.denseDim()) {
                    throw new IllegalArgumentException("feature '" + spec.name() + "' has " + rowDense[f].length
                            + " values, expected " + spec.denseDim());
                }
                for (float v : rowDense[f]) {
                    dense[f].add(v);
                }
            }
        }
        float[][] asColumns = new float[rowLabels.length][];
        for (int l = 0; l < rowLabels.length; l++) {
            asColumns[l] = new float[]{rowLabels[l]};
        }
        addLabelsAndKeys(asColumns, groupKey == null ? null : new long[]{groupKey}, 1);
        return this;
    }

    private void checkLabels(float[][] rowLabels, int n) {
        if (rowLabels.length != labelNames.size()) {
            throw new IllegalArgumentException(rowLabels.length + " label columns for labels " + labelNames);
        }
        for (float[] column : rowLabels) {
            if (column.length != n) {
                throw new IllegalArgumentException("label column of " + column.length + " values for " + n + " rows");
            }
        }
    }

    private void addLabelsAndKeys(float[][] rowLabels, long[] rowGroupKeys, int n) {
        checkLabels(rowLabels, n);
        for (int l = 0; l < labels.length; l++) {
            for (float v : rowLabels[l]) {
                labels[l].add(v);
            }
        }
        if (rowGroupKeys != null) {
            if (numRows > 0 && !withGroupKeys) {
                throw new IllegalArgumentException("group keys given for some rows only");
            }
            withGroupKeys = true;
            for (long k : rowGroupKeys) {
                groupKeys.add(k);
            }
        } else if (withGroupKeys) {
            throw new IllegalArgumentException("group keys given for some rows only");
        }
        numRows += n;
    }

    public Examples build() {
        SparseValues[] s = new SparseValues[schema.size()];
        float[][] d = new float[schema.size()][];
        for (int f = 0; f < schema.size(); f++) {
            if (offsets[f] != null) {
                s[f] = new SparseValues(offsets[f].toArray(), ids[f].toArray(), weights[f] == null ? null : weights[f].toArray());
            } else {
                d[f] = dense[f].toArray();
            }
        }
        Map<String, float[]> l = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            l.put(labelNames.get(i), labels[i].toArray());
        }
        return new Examples(schema, numRows, s, d, l, withGroupKeys ? groupKeys.toArray() : null);
    }

    private static final class IntList {
        private int[] values = new int[1024];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

    private static final class FloatList {
        private float[] values = new float[1024];
        private int size;

        void add(float v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        float[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }

}

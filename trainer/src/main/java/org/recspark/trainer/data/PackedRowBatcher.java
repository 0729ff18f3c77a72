package org.recspark.trainer.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.features.FeatureSpec;
import org.recspark.model.data.Examples;
import org.recspark.model.data.ExamplesBuilder;
import org.recspark.model.data.SparseValues;

/**
 * Assembles packed rows into a batch of {@link Examples}: the same columns the in-memory
 * {@link ExamplesBuilder} makes of the same rows (weights only for weighted features). Thread-safe.
 */
public final class PackedRowBatcher {
    private final RowLayout layout;
    private final boolean groupKeys;

    /**
     * @param groupKeys whether the batches carry the rows' group keys (for GAUC)
     */
    public PackedRowBatcher(RowLayout layout, boolean groupKeys) {
        this.layout = layout;
        this.groupKeys = groupKeys;
    }

    public RowLayout layout() {
        return layout;
    }

    /** The first {@code count} rows, in order. */
    public Examples build(PackedRow[] rows, int count) {
        List<FeatureSpec> specs = layout.schema().features();
        SparseValues[] sparse = new SparseValues[specs.size()];
        float[][] dense = new float[specs.size()][];
        for (int f = 0; f < specs.size(); f++) {
            FeatureSpec spec = specs.get(f);
            int p = layout.position(f);
            if (spec.sparse()) {
                int[] offsets = new int[count + 1];
                for (int r = 0; r < count; r++) {
                    offsets[r + 1] = offsets[r] + rows[r].offsets[p + 1] - rows[r].offsets[p];
                }
                long[] ids = new long[offsets[count]];
                float[] weights = spec.weighted() ? new float[offsets[count]] : null;
                for (int r = 0; r < count; r++) {
                    PackedRow row = rows[r];
                    int from = row.offsets[p];
                    int n = row.offsets[p + 1] - from;
                    System.arraycopy(row.ids, from, ids, offsets[r], n);
                    if (weights != null) {
                        System.arraycopy(row.weights, from, weights, offsets[r], n);
                    }
                }
                sparse[f] = new SparseValues(offsets, ids, weights);
            } else {
                int dim = spec.denseDim();
                float[] values = new float[count * dim];
                for (int r = 0; r < count; r++) {
                    System.arraycopy(rows[r].dense, p, values, r * dim, dim);
                }
                dense[f] = values;
            }
        }
        Map<String, float[]> labels = new LinkedHashMap<>();
        for (int l = 0; l < layout.labels().size(); l++) {
            float[] values = new float[count];
            for (int r = 0; r < count; r++) {
                values[r] = rows[r].labels[l];
            }
            labels.put(layout.labels().get(l), values);
        }
        long[] keys = null;
        if (groupKeys) {
            keys = new long[count];
            for (int r = 0; r < count; r++) {
                keys[r] = rows[r].groupKey;
            }
        }
        return new Examples(layout.schema(), count, sparse, dense, labels, keys);
    }
}

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
 * {@link ExamplesBuilder} makes of the same rows (weights only for weighted features). It walks
 * the rows, not the features: a row's few arrays are read once, in order, while they are in cache,
 * rather than once per feature (rows come out of a shuffle buffer or a cache scattered over the
 * heap, so a pass per feature is a cache miss per row and feature). Thread-safe.
 */
public final class PackedRowBatcher {
    private final RowLayout layout;
    private final boolean groupKeys;
    /** The schema index of each sparse slot's feature, and whether it carries weights. */
    private final int[] sparseFeature;
    private final boolean[] sparseWeighted;
    /** The schema index, first float and dimension of each dense feature. */
    private final int[] denseFeature;
    private final int[] densePosition;
    private final int[] denseDim;

    /**
     * @param groupKeys whether the batches carry the rows' group keys (for GAUC)
     */
    public PackedRowBatcher(RowLayout layout, boolean groupKeys) {
        this.layout = layout;
        this.groupKeys = groupKeys;
        List<FeatureSpec> specs = layout.schema().features();
        int denseCount = specs.size() - layout.sparseFeatures();
        sparseFeature = new int[layout.sparseFeatures()];
        sparseWeighted = new boolean[layout.sparseFeatures()];
        denseFeature = new int[denseCount];
        densePosition = new int[denseCount];
        denseDim = new int[denseCount];
        int d = 0;
        for (int f = 0; f < specs.size(); f++) {
            FeatureSpec spec = specs.get(f);
            if (spec.sparse()) {
                sparseFeature[layout.position(f)] = f;
                sparseWeighted[layout.position(f)] = spec.weighted();
            } else {
                denseFeature[d] = f;
                densePosition[d] = layout.position(f);
                denseDim[d] = spec.denseDim();
                d++;
            }
        }
    }

    public RowLayout layout() {
        return layout;
    }

    /** The first {@code count} rows, in order. */
    public Examples build(PackedRow[] rows, int count) {
        int slots = sparseFeature.length;
        int[][] offsets = new int[slots][count + 1];
        for (int r = 0; r < count; r++) {
            int[] rowOffsets = rows[r].offsets;
            for (int p = 0; p < slots; p++) {
                offsets[p][r + 1] = offsets[p][r] + rowOffsets[p + 1] - rowOffsets[p];
            }
        }
        long[][] ids = new long[slots][];
        float[][] weights = new float[slots][];
        for (int p = 0; p < slots; p++) {
            ids[p] = new long[offsets[p][count]];
            weights[p] = sparseWeighted[p] ? new float[offsets[p][count]] : null;
        }
        float[][] dense = new float[denseFeature.length][];
        for (int d = 0; d < dense.length; d++) {
            dense[d] = new float[count * denseDim[d]];
        }
        float[][] labels = new float[layout.labels().size()][count];
        long[] keys = groupKeys ? new long[count] : null;
        for (int r = 0; r < count; r++) {
            PackedRow row = rows[r];
            for (int p = 0; p < slots; p++) {
                int from = row.offsets[p];
                int n = row.offsets[p + 1] - from;
                int to = offsets[p][r];
                if (n == 1) {
                    ids[p][to] = row.ids[from];
                } else {
                    System.arraycopy(row.ids, from, ids[p], to, n);
                }
                if (weights[p] != null) {
                    System.arraycopy(row.weights, from, weights[p], to, n);
                }
            }
            for (int d = 0; d < dense.length; d++) {
                System.arraycopy(row.dense, densePosition[d], dense[d], r * denseDim[d], denseDim[d]);
            }
            for (int l = 0; l < labels.length; l++) {
                labels[l][r] = row.labels[l];
            }
            if (keys != null) {
                keys[r] = row.groupKey;
            }
        }
        int features = layout.schema().size();
        SparseValues[] sparseColumns = new SparseValues[features];
        float[][] denseColumns = new float[features][];
        for (int p = 0; p < slots; p++) {
            sparseColumns[sparseFeature[p]] = new SparseValues(offsets[p], ids[p], weights[p]);
        }
        for (int d = 0; d < dense.length; d++) {
            denseColumns[denseFeature[d]] = dense[d];
        }
        Map<String, float[]> labelColumns = new LinkedHashMap<>();
        for (int l = 0; l < labels.length; l++) {
            labelColumns.put(layout.labels().get(l), labels[l]);
        }
        return new Examples(layout.schema(), count, sparseColumns, denseColumns, labelColumns, keys);
    }
}

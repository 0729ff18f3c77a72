package org.recspark.model.data;

import java.util.List;
import java.util.Map;
import org.recspark.features.DenseColumn;
import org.recspark.features.FeatureBatch;
import org.recspark.features.FeatureColumn;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.features.SparseColumn;

/**
 * One request of 1 user x N items in the trainer's layout, split by side: {@link #request()} holds
 * the request-side (broadcast) features once, as a single row, and {@link #items()} the per-item
 * features, one row per item. The columns a side does not own are empty there (no ids, zeros), so
 * nothing request-side is copied N times. {@link #expanded()} gives the same inputs as ordinary
 * N-row {@link Examples}, which is what a model without a request-aware forward pass scores.
 */
public final class RequestExamples {
    private final FeatureBatch batch;
    private final boolean[] shared;
    private final Examples request;
    private final Examples items;

    private RequestExamples(FeatureBatch batch) {
        this.batch = batch;
        FeatureSchema schema = batch.schema();
        int features = schema.size();
        int n = batch.numRows();
        shared = new boolean[features];
        SparseValues[] requestSparse = new SparseValues[features];
        SparseValues[] itemSparse = new SparseValues[features];
        float[][] requestDense = new float[features][];
        float[][] itemDense = new float[features][];
        for (int f = 0; f < features; f++) {
            FeatureColumn column = batch.column(f);
            FeatureSpec spec = schema.features().get(f);
            shared[f] = column.isBroadcast();
            if (column instanceof SparseColumn s) {
                requestSparse[f] = shared[f] ? rows(s, 1, spec.weighted()) : empty(1, spec.weighted());
                itemSparse[f] = shared[f] ? empty(n, spec.weighted()) : rows(s, n, spec.weighted());
            } else {
                DenseColumn d = (DenseColumn) column;
                requestDense[f] = shared[f] ? d.values(0) : new float[d.dim()];
                itemDense[f] = shared[f] ? new float[n * d.dim()] : rows(d, n);
            }
        }
        request = new Examples(schema, 1, requestSparse, requestDense, Map.of(), null);
        items = new Examples(schema, n, itemSparse, itemDense, Map.of(), null);
    }

    /** The split of a feature batch; every column broadcast or not as the feature jar produced it. */
    public static RequestExamples of(FeatureBatch batch) {
        if (batch.numRows() == 0) {
            throw new IllegalArgumentException("a request needs at least one item");
        }
        return new RequestExamples(batch);
    }

    /** Whether any feature of the batch is request-side (otherwise the split saves nothing). */
    public static boolean hasSharedFeatures(FeatureBatch batch) {
        return batch.columns().stream().anyMatch(FeatureColumn::isBroadcast);
    }

    /** Whether feature {@code f} is request-side: its values are in {@link #request()}'s one row. */
    public boolean shared(int feature) {
        return shared[feature];
    }

    /** The request-side features, one row. */
    public Examples request() {
        return request;
    }

    /** The per-item features, one row per item. */
    public Examples items() {
        return items;
    }

    public int numItems() {
        return items.numRows();
    }

    /** Every feature for every item, request-side ones repeated: the ordinary layout. */
    public Examples expanded() {
        return new ExamplesBuilder(batch.schema(), List.of()).add(batch, new float[0][], null).build();
    }

    private static SparseValues rows(SparseColumn column, int n, boolean weighted) {
        int[] offsets = new int[n + 1];
        for (int r = 0; r < n; r++) {
            offsets[r + 1] = offsets[r] + column.end(r) - column.start(r);
        }
        long[] ids = new long[offsets[n]];
        float[] weights = weighted ? new float[offsets[n]] : null;
        for (int r = 0, i = 0; r < n; r++) {
            for (int k = column.start(r); k < column.end(r); k++, i++) {
                ids[i] = column.id(k);
                if (weights != null) {
                    weights[i] = column.weight(k);
                }
            }
        }
        return new SparseValues(offsets, ids, weights);
    }

    private static SparseValues empty(int n, boolean weighted) {
        return new SparseValues(new int[n + 1], new long[0], weighted ? new float[0] : null);
    }

    private static float[] rows(DenseColumn column, int n) {
        int dim = column.dim();
        float[] out = new float[n * dim];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < dim; j++) {
                out[r * dim + j] = column.value(r, j);
            }
        }
        return out;
    }
}

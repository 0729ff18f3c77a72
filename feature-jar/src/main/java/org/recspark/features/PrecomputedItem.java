package org.recspark.features;

/**
 * An item record with the outputs of its item-only features (those reading no user or context
 * field) computed once, by {@link FeatureGenerator#precompute}. Passed as an item of
 * {@link FeatureGenerator#generate(RawRecord, java.util.List, RawRecord)}, its stored outputs are
 * copied instead of recomputed; features that also read the user or context are computed from its
 * raw fields as usual. A serving item cache keeps one per item. Immutable.
 */
public final class PrecomputedItem implements RawRecord {
    private final FeatureGenerator owner;
    private final RawRecord raw;
    /** Per feature index: the ids of an item-only sparse feature, else null. */
    private final long[][] ids;
    /** Per feature index: the weights of an item-only weighted sparse feature, else null. */
    private final float[][] weights;
    /** Per feature index: the values of an item-only dense feature, else null. */
    private final float[][] dense;

    PrecomputedItem(FeatureGenerator owner, RawRecord raw, long[][] ids, float[][] weights, float[][] dense) {
        this.owner = owner;
        this.raw = raw;
        this.ids = ids;
        this.weights = weights;
        this.dense = dense;
    }

    @Override
    public Object get(String field) {
        return raw.get(field);
    }

    /** The raw item record. */
    public RawRecord raw() {
        return raw;
    }

    /** Whether {@code generator} computed this item (only its own precomputed outputs are reused). */
    boolean computedBy(FeatureGenerator generator) {
        return owner == generator;
    }

    void appendSparse(int feature, SparseColumnBuilder out) {
        long[] row = ids[feature];
        float[] w = weights[feature];
        for (int i = 0; i < row.length; i++) {
            if (w == null) {
                out.add(row[i]);
            } else {
                out.add(row[i], w[i]);
            }
        }
    }

    void copyDense(int feature, float[] out, int offset) {
        float[] values = dense[feature];
        System.arraycopy(values, 0, out, offset, values.length);
    }

    /** Bytes of the precomputed outputs (arrays and their headers), for sizing a cache. */
    public long precomputedBytes() {
        long bytes = 0;
        for (int f = 0; f < ids.length; f++) {
            bytes += ids[f] == null ? 0 : 16 + 8L * ids[f].length;
            bytes += weights[f] == null ? 0 : 16 + 4L * weights[f].length;
            bytes += dense[f] == null ? 0 : 16 + 4L * dense[f].length;
        }
        return bytes;
    }
}

package org.recspark.trainer.data;

/**
 * One decoded row in a few flat arrays, laid out by a {@link RowLayout}: what a streaming reader
 * holds in its shuffle buffer (five arrays a row rather than one per feature). Immutable; built by
 * {@link PackedRowBuilder}, assembled into batches by {@link PackedRowBatcher}.
 */
public final class PackedRow {
    /** This object's own bytes: header, five references and the group key. */
    private static final long OBJECT_BYTES = 16 + 5 * 8 + 8;

    final long[] ids;
    final int[] offsets;
    final float[] weights;
    final float[] dense;
    final float[] labels;
    final long groupKey;

    PackedRow(long[] ids, int[] offsets, float[] weights, float[] dense, float[] labels, long groupKey) {
        this.ids = ids;
        this.offsets = offsets;
        this.weights = weights;
        this.dense = dense;
        this.labels = labels;
        this.groupKey = groupKey;
    }

    /**
     * The row's estimated heap size: this object (header, five references and the group key, as a
     * 64-bit JVM without compressed references lays it out) and its arrays, each rounded up to 8
     * bytes; an over- rather than an under-estimate with compressed references.
     */
    long heapBytes() {
        return OBJECT_BYTES + arrayBytes(ids.length, Long.BYTES) + arrayBytes(offsets.length, Integer.BYTES)
                + (weights == null ? 0 : arrayBytes(weights.length, Float.BYTES)) + arrayBytes(dense.length, Float.BYTES)
                + arrayBytes(labels.length, Float.BYTES);
    }

    private static long arrayBytes(int length, int elementBytes) {
        return (16L + (long) length * elementBytes + 7) & ~7L;
    }
}

package org.recspark.trainer.data;

/**
 * One decoded row in a few flat arrays, laid out by a {@link RowLayout}: what a streaming reader
 * holds in its shuffle buffer (five arrays a row rather than one per feature). Immutable; built by
 * {@link PackedRowBuilder}, assembled into batches by {@link PackedRowBatcher}.
 */
public final class PackedRow {
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
}

package org.recspark.trainer.data;

/**
 * Held-out rows streamed from stored chunks in their stored order, decoded by a background thread a
 * few batches ahead of scoring; only the batches in flight are in memory.
 */
public final class StreamingEvaluationData implements EvaluationData {
    private final RowChunkSource source;
    private final PackedRowBatcher batcher;
    private final long numRows;

    public StreamingEvaluationData(RowChunkSource source, PackedRowBatcher batcher) {
        this.source = source;
        this.batcher = batcher;
        long n = 0;
        for (int c = 0; c < source.numChunks(); c++) {
            n += source.rows(c);
        }
        this.numRows = n;
    }

    @Override
    public long numRows() {
        return numRows;
    }

    @Override
    public Batches batches(int batchSize) {
        int[] chunks = new int[source.numChunks()];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = i;
        }
        return new PrefetchingBatches("evaluation", source, chunks, null, batcher, batchSize, 0, new LiveRows(), false);
    }
}

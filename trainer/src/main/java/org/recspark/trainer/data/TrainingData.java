package org.recspark.trainer.data;

/**
 * The training rows a trainer reads, epoch by epoch: held in memory ({@link InMemoryTrainingData})
 * or streamed from storage ({@link StreamingTrainingData}). The number of rows is known before any
 * row is read, since an epoch's length (and in data-parallel training every worker's step count)
 * depends on it. An epoch's order depends only on the epoch, so a run resumed from a checkpoint
 * sees the batches the interrupted run would have seen.
 */
public interface TrainingData {
    long numRows();

    /**
     * The batches of epoch {@code epoch} in training order from batch {@code firstBatch} on:
     * {@code batchSize} rows each, the last one shorter; {@code ceil(numRows / batchSize) - firstBatch}
     * batches, none when {@code firstBatch} is past the end.
     */
    Batches epoch(int epoch, long firstBatch, int batchSize);

    /**
     * The batches of {@link #epoch}, for a consumer that trains on its one thread alone: rows held in
     * memory already may be assembled on that thread when it asks for them rather than by a decoding
     * thread of their own. Where each such consumer has one core (data-parallel workers of one thread
     * each) the extra thread only preempts training threads; a consumer that spreads a step over several
     * threads asks for {@link #epoch}, whose decoding thread works while they do.
     */
    default Batches epochForOneThread(int epoch, long firstBatch, int batchSize) {
        return epoch(epoch, firstBatch, batchSize);
    }
}

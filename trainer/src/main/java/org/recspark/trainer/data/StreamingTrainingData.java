package org.recspark.trainer.data;

import java.util.SplittableRandom;

/**
 * Training rows streamed from stored chunks, read again every epoch, never all in memory. With
 * shuffling on, an epoch visits the chunks in a random order and passes the rows through a shuffle
 * buffer of {@code bufferRows} rows, both drawn from (seed, epoch, stream), so a seed gives the same
 * batches on every run and a resumed run continues with the batches the interrupted one would have
 * seen; with shuffling off it reads the chunks' rows in their stored order. Decoding runs in a
 * background thread ahead of training ({@link PrefetchingBatches}); an epoch whose chunks are all
 * held in memory (the input cache's later epochs) read by a trainer of one thread is assembled on
 * that thread instead ({@link HeldRowBatches}).
 */
public final class StreamingTrainingData implements TrainingData {
    private final RowChunkSource source;
    private final PackedRowBatcher batcher;
    private final long seed;
    private final boolean shuffle;
    private final int bufferRows;
    private final int stream;
    private final long numRows;
    private final LiveRows live = new LiveRows();

    /**
     * @param stream distinguishes the streams of one seed (a data-parallel worker's rank), so that
     *               workers do not draw the same orders
     */
    public StreamingTrainingData(RowChunkSource source, PackedRowBatcher batcher, long seed, boolean shuffle, int bufferRows, int stream) {
        if (shuffle && bufferRows < 1) {
            throw new IllegalArgumentException("train_config.shuffle_buffer_rows must be >= 1, got " + bufferRows);
        }
        this.source = source;
        this.batcher = batcher;
        this.seed = seed;
        this.shuffle = shuffle;
        this.bufferRows = bufferRows;
        this.stream = stream;
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
    public Batches epoch(int epoch, long firstBatch, int batchSize) {
        return batches(epoch, firstBatch, batchSize, false);
    }

    @Override
    public Batches epochForOneThread(int epoch, long firstBatch, int batchSize) {
        return batches(epoch, firstBatch, batchSize, true);
    }

    private Batches batches(int epoch, long firstBatch, int batchSize, boolean oneThread) {
        int[] chunks = new int[source.numChunks()];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = i;
        }
        ShuffleBuffer<PackedRow> buffer = null;
        if (shuffle) {
            SplittableRandom random = new SplittableRandom((seed * 1_000_003L + epoch) ^ (stream * 0x9E3779B97F4A7C15L));
            for (int i = chunks.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = chunks[i];
                chunks[i] = chunks[j];
                chunks[j] = t;
            }
            buffer = new ShuffleBuffer<>((int) Math.max(1, Math.min(bufferRows, numRows)), random.split());
        }
        String name = "epoch-" + epoch + (stream > 0 ? "-worker-" + stream : "");
        if (oneThread && HeldRowBatches.allHeld(source, chunks)) {
            return new HeldRowBatches(name, source, chunks, buffer, batcher, batchSize, firstBatch, live);
        }
        return new PrefetchingBatches(name, source, chunks, buffer, batcher, batchSize, firstBatch, live, true);
    }

    /** The most decoded rows held at once so far, over every epoch (buffer and batches). */
    public long peakLiveRows() {
        return live.peak();
    }

    /**
     * The most decoded rows an epoch of batches of {@code batchSize} rows can hold at once: the
     * shuffle buffer, the batches queued ahead, the one being assembled, the next one taken off the
     * queue and the one being trained on.
     */
    public long liveRowBound(int batchSize) {
        return (shuffle ? Math.min(bufferRows, numRows) : 0) + (long) (PrefetchingBatches.PREFETCH_BATCHES + 3) * batchSize;
    }
}

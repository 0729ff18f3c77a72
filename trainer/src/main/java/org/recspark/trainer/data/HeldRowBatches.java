package org.recspark.trainer.data;

import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import org.recspark.model.data.Examples;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches of rows already held in memory (an epoch replayed from {@code train_config.input_cache}),
 * assembled on the consumer's thread when it asks for the next one, for a trainer of one thread
 * ({@link TrainingData#epochForOneThread}): with one core per data-parallel worker, a decoding thread
 * per worker is one runnable thread more than there are cores, and preempts training threads that every
 * worker then waits for at the step's exchange. Gives exactly the batches {@link PrefetchingBatches}
 * gives for the same chunks, shuffle buffer and first batch. The consumer's methods are for one thread.
 */
final class HeldRowBatches implements Batches {
    private static final Logger LOG = LoggerFactory.getLogger(HeldRowBatches.class);

    private final RowChunkSource source;
    private final int[] chunks;
    private final ShuffleBuffer<PackedRow> shuffle;
    private final LiveRows live;
    private final String name;
    private final BatchAssembler assembler;
    private int chunkIndex;
    private PackedRow[] chunkRows;
    private int rowIndex;
    private long rowsRead;
    private boolean drained;
    /** Batches assembled and not yet handed out: one, or the several the buffer's last rows make. */
    private final ArrayDeque<Examples> ready = new ArrayDeque<>();
    private Examples current;

    /** @param shuffle the shuffle buffer, or null to keep the chunks' row order */
    HeldRowBatches(String name, RowChunkSource source, int[] chunks, ShuffleBuffer<PackedRow> shuffle, PackedRowBatcher batcher,
                   int batchSize, long firstBatch, LiveRows live) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.name = name;
        this.source = source;
        this.chunks = chunks;
        this.shuffle = shuffle;
        this.live = live;
        // Held rows are counted live only once built into a batch, so a dropped batch has nothing to release.
        this.assembler = new BatchAssembler(batcher, batchSize, firstBatch, batch -> {
            live.add(batch.numRows());
            ready.add(batch);
        }, rows -> { });
    }

    /** True when every one of the chunks is held in memory by {@code source}. */
    static boolean allHeld(RowChunkSource source, int[] chunks) {
        for (int chunk : chunks) {
            if (source.heldRows(chunk) == null) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty() && !drained) {
            advance();
        }
        return !ready.isEmpty();
    }

    /** Feeds the next row (or, after the last chunk, the buffer's remaining rows) towards a batch. */
    private void advance() {
        while (chunkRows == null || rowIndex == chunkRows.length) {
            if (chunkIndex == chunks.length) {
                if (shuffle != null) {
                    shuffle.drain(assembler::accept);
                }
                assembler.flush();
                drained = true;
                return;
            }
            int chunk = chunks[chunkIndex++];
            chunkRows = source.heldRows(chunk);
            if (chunkRows == null || chunkRows.length != source.rows(chunk)) {
                throw new IllegalStateException("chunk " + chunk + " of stream " + name + " is no longer held in memory as "
                        + source.rows(chunk) + " rows");
            }
            rowIndex = 0;
        }
        PackedRow row = chunkRows[rowIndex++];
        rowsRead++;
        if (shuffle == null) {
            assembler.accept(row);
        } else {
            shuffle.offer(row, assembler::accept);
        }
    }

    @Override
    public Examples next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        releaseCurrent();
        current = ready.poll();
        return current;
    }

    private void releaseCurrent() {
        if (current != null) {
            live.release(current.numRows());
            current = null;
        }
    }

    @Override
    public void close() {
        releaseCurrent();
        for (Examples batch : ready) {
            live.release(batch.numRows());
        }
        ready.clear();
        LOG.info("Stream {}: {} rows replayed from memory on the training thread", name, rowsRead);
    }
}

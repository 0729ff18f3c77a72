package org.recspark.trainer.data;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.recspark.model.data.Examples;

/**
 * Groups rows, in the order they come, into batches of a fixed size (the last one shorter): builds the batches
 * from {@code firstBatch} on and drops the ones before it, whose rows were read only because the shuffle
 * buffer's state depends on them.
 */
final class BatchAssembler {
    private final PackedRowBatcher batcher;
    private final PackedRow[] rows;
    private final long firstBatch;
    private final Consumer<Examples> built;
    private final LongConsumer dropped;
    private int count;
    private long batch;

    /**
     * @param built   takes each batch built
     * @param dropped takes the row count of each batch dropped
     */
    BatchAssembler(PackedRowBatcher batcher, int batchSize, long firstBatch, Consumer<Examples> built, LongConsumer dropped) {
        this.batcher = batcher;
        this.rows = new PackedRow[batchSize];
        this.firstBatch = firstBatch;
        this.built = built;
        this.dropped = dropped;
    }

    void accept(PackedRow row) {
        rows[count++] = row;
        if (count == rows.length) {
            flush();
        }
    }

    /** Ends the batch being assembled, if it has rows. */
    void flush() {
        if (count == 0) {
            return;
        }
        if (batch >= firstBatch) {
            built.accept(batcher.build(rows, count));
        } else {
            dropped.accept(count);
        }
        Arrays.fill(rows, 0, count, null);
        count = 0;
        batch++;
    }
}

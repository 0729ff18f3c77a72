package org.recspark.trainer.data;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Rows stored in chunks (Parquet row groups) whose row counts are known before any row is read.
 * Implementations are read by one thread at a time per stream, and must be safe to read from
 * several streams at once (an epoch's stream and an evaluation's).
 */
public interface RowChunkSource {
    int numChunks();

    /** Rows chunk {@code chunk} gives. */
    long rows(int chunk);

    /** Decodes the chunk's rows in their stored order, passing each to {@code sink}. */
    void read(int chunk, PackedRowBuilder builder, Consumer<PackedRow> sink) throws IOException;

    /**
     * The chunk's rows in their stored order when they are held in memory already (reading them
     * costs no decoding and no I/O), else null.
     */
    default PackedRow[] heldRows(int chunk) {
        return null;
    }
}

package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.Map;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;

/**
 * The wire form of a rank's sparse rows, one entry per table: dim and row count (ints), the ids, then the rows,
 * little-endian. The table count travels in the frame header.
 */
final class SparseRowsCodec {
    static final int TABLE_HEADER_BYTES = 2 * Integer.BYTES;

    private SparseRowsCodec() {}

    /**
     * Writes a step's gradient rows, straight from the {@link SparseGradient}s (ids looked up by slot), as this
     * rank's payload of {@code payloads}: in the wire form above, into an array kept across
     * steps. A table without a gradient has no rows.
     */
    static void encode(Collection<EmbeddingTable> tables, Map<EmbeddingTable, SparseGradient> gradients, GatheredBytes payloads) {
        long bytes = 0;
        for (EmbeddingTable table : tables) {
            SparseGradient g = gradients.get(table);
            int rows = g == null ? 0 : g.size();
            bytes += TABLE_HEADER_BYTES + (long) rows * (Long.BYTES + (long) table.dim() * Float.BYTES);
        }
        int length = checkedFrameBytes(bytes);
        ByteBuffer buf = ByteBuffer.wrap(payloads.own(length, tables.size()), 0, length).order(ByteOrder.LITTLE_ENDIAN);
        for (EmbeddingTable table : tables) {
            SparseGradient g = gradients.get(table);
            int rows = g == null ? 0 : g.size();
            buf.putInt(table.dim()).putInt(rows);
            for (int i = 0; i < rows; i++) {
                buf.putLong(table.idAt(g.slot(i)));
            }
            if (rows > 0) {
                buf.asFloatBuffer().put(g.rows(), 0, rows * table.dim());
                buf.position(buf.position() + rows * table.dim() * Float.BYTES);
            }
        }
    }

    static int checkedFrameBytes(long bytes) {
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("sparse rows of " + bytes + " bytes exceed the 2 GiB a frame can hold");
        }
        return (int) bytes;
    }

    /**
     * Checks the entries in {@code payload[offset, offset + length)}, another rank's, against this rank's tables and
     * finds each table's rows in it, without copying them: table {@code t}'s {@code counts[t]} ids (longs) start at
     * byte {@code idStarts[t]} (from the start of {@code payload}), its rows (floats) at {@link #rowsStart}.
     *
     * @param dims this rank's tables' dims, which the other rank's must equal
     * @throws IllegalStateException when the payload does not hold tables of these dims
     */
    static void locate(byte[] payload, int offset, int length, int[] dims, int[] idStarts, int[] counts) {
        ByteBuffer buf = ByteBuffer.wrap(payload, offset, length).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < dims.length; t++) {
            if (buf.remaining() < TABLE_HEADER_BYTES) {
                throw new IllegalStateException("payload ends before table " + t);
            }
            int dim = buf.getInt();
            int count = buf.getInt();
            if (dim != dims[t]) {
                throw new IllegalStateException("table " + t + " has dim " + dim + " there and " + dims[t]
                        + " here: every rank must pass the same tables in the same order");
            }
            long bytes = (long) count * Long.BYTES + (long) count * dim * Float.BYTES;
            if (count < 0 || bytes > buf.remaining()) {
                throw new IllegalStateException("table " + t + " announces " + count + " rows of dim " + dim
                        + " but only " + buf.remaining() + " bytes follow");
            }
            idStarts[t] = buf.position();
            counts[t] = count;
            buf.position(buf.position() + (int) bytes);
        }
        if (buf.hasRemaining()) {
            throw new IllegalStateException(buf.remaining() + " bytes follow the last table");
        }
    }

    /** Where the rows of a table located at {@code idStart} with {@code count} rows begin. */
    static int rowsStart(int idStart, int count) {
        return idStart + count * Long.BYTES;
    }
}

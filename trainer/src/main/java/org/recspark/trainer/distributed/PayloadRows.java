package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the sparse rows in other ranks' payloads ({@link SparseRowsCodec}'s wire form): {@link #locate} checks a
 * rank's payload and finds its tables, {@link #read} copies one table's rows out in one bulk copy, and
 * {@link #id} and {@link #rows} give them by row index, without a per-row allocation. The arrays are kept across
 * steps. Not thread-safe.
 */
final class PayloadRows {
    private final RingCollective ring;
    private final int[][] idStarts;
    private final int[][] counts;
    /** The rows of the table last read, row i at {@code i * width}. */
    private float[] rows = new float[0];
    private ByteBuffer ids;
    private int idStart;

    PayloadRows(RingCollective ring) {
        this.ring = ring;
        int size = ring.member().size();
        this.idStarts = new int[size][0];
        this.counts = new int[size][0];
    }

    /**
     * Checks rank {@code r}'s payload, the entries in {@code payload[offset, offset + length)}, against this rank's
     * tables, of widths {@code widths} (floats a row), and finds each table's rows in it.
     *
     * @param phase names what the rows are read for in the failure message
     * @throws CollectiveException when the payload does not hold tables of these widths; the group is then closed,
     *     since the ranks disagree on the model
     */
    void locate(int r, byte[] payload, int offset, int length, int[] widths, String phase) {
        if (counts[r].length != widths.length) {
            idStarts[r] = new int[widths.length];
            counts[r] = new int[widths.length];
        }
        try {
            SparseRowsCodec.locate(payload, offset, length, widths, idStarts[r], counts[r]);
        } catch (IllegalStateException e) {
            ring.close();
            throw CollectiveException.of(ring.member(), phase, "rank " + r, e.getMessage(), e);
        }
    }

    /** The row count of table {@code t} in rank {@code r}'s payload, once located. */
    int count(int r, int t) {
        return counts[r][t];
    }

    /**
     * Copies table {@code t}'s rows out of rank {@code r}'s located payload, for {@link #id} and {@link #rows}.
     *
     * @param width the table's floats a row, as located
     * @return the row count
     */
    int read(int r, byte[] payload, int t, int width) {
        int count = counts[r][t];
        ids = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        idStart = idStarts[r][t];
        if (rows.length < count * width) {
            rows = new float[Math.max(count * width, rows.length * 2)];
        }
        ids.position(SparseRowsCodec.rowsStart(idStart, count));
        ids.asFloatBuffer().get(rows, 0, count * width);
        return count;
    }

    /** The id of row {@code i} of the table last read. */
    long id(int i) {
        return ids.getLong(idStart + i * Long.BYTES);
    }

    /** The rows of the table last read, row {@code i} at {@code i * width}; valid until the next read. */
    float[] rows() {
        return rows;
    }
}

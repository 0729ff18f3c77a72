package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire form of a rank's sparse rows, one entry per table: dim and row count (ints), the ids, then the rows,
 * little-endian. The table count travels in the frame header.
 */
final class SparseRowsCodec {
    private static final int TABLE_HEADER_BYTES = 2 * Integer.BYTES;

    private SparseRowsCodec() {}

    static byte[] encode(List<SparseRows> tables) {
        long bytes = 0;
        for (SparseRows t : tables) {
            bytes += TABLE_HEADER_BYTES + (long) t.size() * Long.BYTES + (long) t.rows().length * Float.BYTES;
        }
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("sparse rows of " + bytes + " bytes exceed the 2 GiB a frame can hold");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (SparseRows t : tables) {
            buf.putInt(t.dim()).putInt(t.size());
            buf.asLongBuffer().put(t.ids());
            buf.position(buf.position() + t.size() * Long.BYTES);
            buf.asFloatBuffer().put(t.rows());
            buf.position(buf.position() + t.rows().length * Float.BYTES);
        }
        return buf.array();
    }

    /**
     * Decodes another rank's rows.
     *
     * @param dims this rank's tables' dims, which the other rank's must equal
     * @throws IllegalStateException when the payload does not hold tables of these dims
     */
    static List<SparseRows> decode(byte[] payload, int[] dims) {
        ByteBuffer buf = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        List<SparseRows> tables = new ArrayList<>(dims.length);
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
            long[] ids = new long[count];
            buf.asLongBuffer().get(ids);
            buf.position(buf.position() + count * Long.BYTES);
            float[] rows = new float[count * dim];
            buf.asFloatBuffer().get(rows);
            buf.position(buf.position() + rows.length * Float.BYTES);
            tables.add(new SparseRows(dim, ids, rows));
        }
        if (buf.hasRemaining()) {
            throw new IllegalStateException(buf.remaining() + " bytes follow the last table");
        }
        return tables;
    }
}

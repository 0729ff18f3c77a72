package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;

/**
 * A worker's half of the embedding update sharded by row owner ({@link RowOwners}): each rank sends the gradient
 * rows that other ranks own to those owners, each owner sums its rows over the ranks and updates them (so the rows'
 * optimizer state is current on their owner alone), and the updated rows' values go to every rank with the weights'
 * all-gather.
 *
 * <p>The rows reach their owners in a started collective behind the gradient buckets' reduce-scatters
 * ({@link #startRouting}), so they leave as soon as the backward pass is over and cost no round trip of their own.
 * It takes {@code size - 1} ring steps, as a reduce-scatter: a rank's payload holds its rows grouped by how many
 * hops away their owner is, and at each hop the receiving rank keeps the first group (its own rows) and forwards the
 * rest, so each row crosses as many links as its owner is hops away, and no further.
 *
 * <p>An owner folds a row's gradients in rank order, {@code ((x_0 + x_1) + x_2) + ...}, starting from a copy of the
 * first rank's row (so a lone -0.0 stays -0.0): the same bits as {@link SparseGradientExchange}'s sum on every rank,
 * hence the same updated rows. Rows an owner has not allocated yet are allocated when their gradient arrives, and
 * on every other rank when their values arrive, so every rank ends a step with the same rows and the same values.
 */
final class OwnedRowsExchange {
    /** Bytes in front of each hop group of a routed payload: the group's length. */
    private static final int GROUP_HEADER_BYTES = Integer.BYTES;

    private final RingCollective ring;
    private final int rank;
    private final int size;
    /** Per source rank, the rows still on their way to their owners; this rank's own rows in its slot. */
    private final GatheredBytes routed;
    /** Per owner, the values of the rows it updated this step, for the weights' all-gather. */
    private final GatheredBytes updated;
    /** This step's summed gradient of each table's rows this rank owns, in table order. */
    private final List<SparseGradient> owned = new ArrayList<>();
    private int[] dims = new int[0];
    private final int[][] idStarts;
    private final int[][] counts;
    /** A payload's rows of one table, copied out of it. */
    private float[] received = new float[0];

    OwnedRowsExchange(RingCollective ring) {
        this.ring = ring;
        this.rank = ring.member().rank();
        this.size = ring.member().size();
        this.routed = new GatheredBytes(size, rank);
        this.updated = new GatheredBytes(size, rank);
        this.idStarts = new int[size][0];
        this.counts = new int[size][0];
    }

    /**
     * Writes the gradient rows other ranks own as this rank's routed payload and starts sending them to their
     * owners, behind the collectives started before.
     */
    void startRouting(List<EmbeddingTable> tables, Map<EmbeddingTable, SparseGradient> gradients) {
        useTables(tables);
        if (size == 1) {
            return;
        }
        int[][] rowsByHops = new int[size][tables.size()];
        for (int t = 0; t < tables.size(); t++) {
            SparseGradient g = gradients.get(tables.get(t));
            for (int i = 0; g != null && i < g.size(); i++) {
                rowsByHops[hopsTo(owner(tables, t, g, i))][t]++;
            }
        }
        long bytes = 0;
        for (int hops = 1; hops < size; hops++) {
            bytes += GROUP_HEADER_BYTES + entriesBytes(rowsByHops[hops]);
        }
        int length = SparseRowsCodec.checkedFrameBytes(bytes);
        ByteBuffer buf = ByteBuffer.wrap(routed.own(length, tables.size()), 0, length).order(ByteOrder.LITTLE_ENDIAN);
        for (int hops = 1; hops < size; hops++) {
            buf.putInt((int) entriesBytes(rowsByHops[hops]));
            int destination = Math.floorMod(rank + hops, size);
            for (int t = 0; t < tables.size(); t++) {
                EmbeddingTable table = tables.get(t);
                SparseGradient g = gradients.get(table);
                int dim = table.dim();
                buf.putInt(dim).putInt(rowsByHops[hops][t]);
                for (int i = 0; g != null && i < g.size(); i++) {
                    if (owner(tables, t, g, i) == destination) {
                        buf.putLong(table.idAt(g.slot(i)));
                    }
                }
                FloatBuffer rows = buf.asFloatBuffer();
                for (int i = 0; g != null && i < g.size(); i++) {
                    if (owner(tables, t, g, i) == destination) {
                        rows.put(g.rows(), i * dim, dim);
                    }
                }
                buf.position(buf.position() + rowsByHops[hops][t] * dim * Float.BYTES);
            }
        }
        ring.startSteps(Routing::new);
    }

    /**
     * Once the routing is complete, sums each table's gradient over the ranks for the rows this rank owns (rows
     * only other ranks touched are allocated here).
     *
     * @return the summed gradients in table order, owned rows only; the arrays are this step's
     */
    List<SparseGradient> sumOwned(List<EmbeddingTable> tables, Map<EmbeddingTable, SparseGradient> gradients) {
        for (int r = 0; r < size; r++) {
            if (r != rank) {
                byte[] payload = routed.bytes(r);
                int group = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
                locate(payload, GROUP_HEADER_BYTES, group, dims, r, "summing the sparse rows routed to their owner");
            }
        }
        owned.clear();
        for (int t = 0; t < tables.size(); t++) {
            EmbeddingTable table = tables.get(t);
            int dim = table.dim();
            SparseGradient mine = gradients.get(table);
            int expected = 0;
            for (int r = 0; r < size; r++) {
                expected += r == rank ? (mine == null ? 0 : mine.size() / size) : counts[r][t];
            }
            SparseGradient sum = new SparseGradient(dim, expected);
            for (int r = 0; r < size; r++) {
                if (r == rank) {
                    for (int i = 0; mine != null && i < mine.size(); i++) {
                        if (owner(tables, t, mine, i) == rank) {
                            fold(sum, mine.slot(i), mine.rows(), i * dim, dim);
                        }
                    }
                } else {
                    int count = counts[r][t];
                    ByteBuffer buf = ByteBuffer.wrap(routed.bytes(r)).order(ByteOrder.LITTLE_ENDIAN);
                    received = atLeast(received, count * dim);
                    buf.position(SparseRowsCodec.rowsStart(idStarts[r][t], count));
                    buf.asFloatBuffer().get(received, 0, count * dim);
                    for (int i = 0; i < count; i++) {
                        fold(sum, table.slotOf(buf.getLong(idStarts[r][t] + i * Long.BYTES)), received, i * dim, dim);
                    }
                }
            }
            owned.add(sum);
        }
        return owned;
    }

    /** Adds a rank's row into the sum: a copy when the sum has no row for the slot yet. */
    private static void fold(SparseGradient sum, int slot, float[] source, int from, int dim) {
        int before = sum.size();
        int offset = sum.offsetOf(slot);
        float[] rows = sum.rows();
        if (sum.size() > before) {
            System.arraycopy(source, from, rows, offset, dim);
        } else {
            for (int j = 0; j < dim; j++) {
                rows[offset + j] += source[from + j];
            }
        }
    }

    /** Writes the values of the rows this rank updated (those of {@link #sumOwned}) as its payload. */
    GatheredBytes encodeUpdated(List<EmbeddingTable> tables) {
        if (size == 1) {
            return updated;
        }
        long bytes = 0;
        for (int t = 0; t < tables.size(); t++) {
            bytes += entryBytes(owned.get(t).size(), tables.get(t).dim());
        }
        int length = SparseRowsCodec.checkedFrameBytes(bytes);
        ByteBuffer buf = ByteBuffer.wrap(updated.own(length, tables.size()), 0, length).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < tables.size(); t++) {
            EmbeddingTable table = tables.get(t);
            SparseGradient g = owned.get(t);
            buf.putInt(table.dim()).putInt(g.size());
            for (int i = 0; i < g.size(); i++) {
                buf.putLong(table.idAt(g.slot(i)));
            }
            FloatBuffer values = buf.asFloatBuffer();
            for (int i = 0; i < g.size(); i++) {
                values.put(table.values(g.slot(i)), table.offset(g.slot(i)), table.dim());
            }
            buf.position(buf.position() + g.size() * table.dim() * Float.BYTES);
        }
        return updated;
    }

    /** Once the all-gather has brought every owner's payload, writes the rows other ranks updated into the tables. */
    void applyUpdated(List<EmbeddingTable> tables) {
        for (int r = 0; r < size; r++) {
            if (r != rank) {
                locate(updated.bytes(r), 0, updated.length(r), dims, r, "writing the rows their owners updated");
                copyRows(tables, updated.bytes(r), r, dims, false);
            }
        }
    }

    /**
     * Makes every row's optimizer state whole on every rank, for a checkpoint: each owner's rows' state goes to
     * every rank in one all-gather. Every rank must call it at the same point.
     */
    void gatherState(List<EmbeddingTable> tables) {
        int[] widths = new int[tables.size()];
        boolean any = false;
        for (int t = 0; t < tables.size(); t++) {
            widths[t] = tables.get(t).stateWidth();
            any |= widths[t] > 0;
        }
        if (size == 1 || !any) {
            return;
        }
        List<int[]> ownedSlots = new ArrayList<>();
        long bytes = 0;
        for (int t = 0; t < tables.size(); t++) {
            EmbeddingTable table = tables.get(t);
            int index = t;
            int[] slots = IntStream.range(0, widths[t] == 0 ? 0 : table.size())
                    .filter(slot -> RowOwners.ownerOf(index, table.idAt(slot), size) == rank).toArray();
            ownedSlots.add(slots);
            bytes += entryBytes(slots.length, widths[t]);
        }
        GatheredBytes states = new GatheredBytes(size, rank);
        int length = SparseRowsCodec.checkedFrameBytes(bytes);
        ByteBuffer buf = ByteBuffer.wrap(states.own(length, tables.size()), 0, length).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < tables.size(); t++) {
            EmbeddingTable table = tables.get(t);
            int[] slots = ownedSlots.get(t);
            buf.putInt(widths[t]).putInt(slots.length);
            for (int slot : slots) {
                buf.putLong(table.idAt(slot));
            }
            FloatBuffer state = buf.asFloatBuffer();
            for (int slot : slots) {
                state.put(table.state(slot), table.stateOffset(slot), widths[t]);
            }
            buf.position(buf.position() + slots.length * widths[t] * Float.BYTES);
        }
        ring.allGatherChunks(new float[0], new int[0], new int[0], states);
        for (int r = 0; r < size; r++) {
            if (r != rank) {
                locate(states.bytes(r), 0, states.length(r), widths, r, "gathering the embedding rows' optimizer state");
                copyRows(tables, states.bytes(r), r, widths, true);
            }
        }
    }

    /** Copies the located rows of rank {@code r}'s payload into the tables' values, or their state. */
    private void copyRows(List<EmbeddingTable> tables, byte[] payload, int r, int[] widths, boolean state) {
        ByteBuffer buf = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < tables.size(); t++) {
            EmbeddingTable table = tables.get(t);
            int width = widths[t];
            int count = counts[r][t];
            FloatBuffer rows = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN)
                    .position(SparseRowsCodec.rowsStart(idStarts[r][t], count)).asFloatBuffer();
            for (int i = 0; i < count; i++) {
                int slot = table.slotOf(buf.getLong(idStarts[r][t] + i * Long.BYTES));
                if (state) {
                    rows.get(table.state(slot), table.stateOffset(slot), width);
                } else {
                    rows.get(table.values(slot), table.offset(slot), width);
                }
            }
        }
    }

    private void locate(byte[] payload, int offset, int length, int[] widths, int r, String phase) {
        try {
            SparseRowsCodec.locate(payload, offset, length, widths, idStarts[r], counts[r]);
        } catch (IllegalStateException e) {
            // The group cannot go on from here: the ranks disagree on the model.
            ring.close();
            throw CollectiveException.of(ring.member(), phase, "rank " + r, e.getMessage(), e);
        }
    }

    private void useTables(List<EmbeddingTable> tables) {
        if (dims.length != tables.size()) {
            dims = new int[tables.size()];
            for (int r = 0; r < size; r++) {
                idStarts[r] = new int[dims.length];
                counts[r] = new int[dims.length];
            }
        }
        for (int t = 0; t < tables.size(); t++) {
            dims[t] = tables.get(t).dim();
        }
    }

    private int owner(List<EmbeddingTable> tables, int t, SparseGradient g, int index) {
        return RowOwners.ownerOf(t, tables.get(t).idAt(g.slot(index)), size);
    }

    private int hopsTo(int owner) {
        return Math.floorMod(owner - rank, size);
    }

    private long entriesBytes(int[] rowsByTable) {
        long bytes = 0;
        for (int t = 0; t < rowsByTable.length; t++) {
            bytes += entryBytes(rowsByTable[t], dims[t]);
        }
        return bytes;
    }

    private static long entryBytes(int rows, int width) {
        return SparseRowsCodec.TABLE_HEADER_BYTES + (long) rows * (Long.BYTES + (long) width * Float.BYTES);
    }

    private static float[] atLeast(float[] array, int length) {
        return array.length >= length ? array : new float[Math.max(length, array.length * 2)];
    }

    /**
     * The routing's ring steps: at step s rank r forwards the rows of rank r - s that are more than s hops from
     * their source (at s = 0 all its own), and receives those of rank r - s - 1, whose first group it owns.
     */
    private final class Routing implements StartedReduceScatters.Steps {
        private static final FrameHeader.Op OP = FrameHeader.Op.ROWS_TO_OWNERS;
        private final int sequence;
        private final int tableCount;

        Routing(int sequence) {
            this.sequence = sequence;
            this.tableCount = dims.length;
        }

        @Override
        public int steps() {
            return size - 1;
        }

        @Override
        public RingLinks.Outbound sender(int step) {
            int source = Math.floorMod(rank - step, size);
            byte[] payload = routed.bytes(source);
            // A received payload's first group was this rank's; the rest goes on.
            int from = step == 0 ? 0 : GROUP_HEADER_BYTES + ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
            int length = routed.length(source) - from;
            return new ByteFrameSender(new FrameHeader(OP, sequence, tableCount, length), payload, from, length);
        }

        @Override
        public RingLinks.Inbound receiver(int step) {
            int source = Math.floorMod(rank - step - 1, size);
            return new ByteFrameReceiver(new FrameHeader(OP, sequence, tableCount, FrameHeader.ANY_PAYLOAD),
                    length -> routed.receiving(source, length));
        }

        @Override
        public String phase(int step) {
            return OP + " #" + sequence + " step " + (step + 1) + "/" + steps();
        }
    }
}

package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * ({@link #encodeRouted}, {@link #startRouting}), so they leave as soon as the backward pass is over and cost no
 * round trip of their own. It takes {@code size - 1} ring steps, as a reduce-scatter: a rank's payload holds its rows grouped by how many
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
    /** This step's summed gradient of each table's rows this rank owns, in table order (kept across steps). */
    private final List<SparseGradient> owned = new ArrayList<>();
    private final PayloadRows received;
    private int[] dims = new int[0];
    /** Per table, the owner of each of this step's own gradient rows, by row index (computed once a step). */
    private int[][] rowOwners = new int[0][0];
    /** Rows of one table gathered for one bulk copy into a payload. */
    private float[] staged = new float[0];

    OwnedRowsExchange(RingCollective ring) {
        this.ring = ring;
        this.rank = ring.member().rank();
        this.size = ring.member().size();
        this.routed = new GatheredBytes(size, rank);
        this.updated = new GatheredBytes(size, rank);
        this.received = new PayloadRows(ring);
    }

    /** Writes the gradient rows other ranks own as this rank's routed payload, for {@link #startRouting()}. */
    void encodeRouted(List<EmbeddingTable> tables, Map<EmbeddingTable, SparseGradient> gradients) {
        useTables(tables);
        if (size == 1) {
            return;
        }
        int[][] rowsByHops = new int[size][tables.size()];
        for (int t = 0; t < tables.size(); t++) {
            SparseGradient g = gradients.get(tables.get(t));
            int rows = g == null ? 0 : g.size();
            if (rowOwners[t].length < rows) {
                rowOwners[t] = new int[Math.max(rows, rowOwners[t].length * 2)];
            }
            for (int i = 0; i < rows; i++) {
                rowOwners[t][i] = RowOwners.ownerOf(t, tables.get(t).idAt(g.slot(i)), size);
                rowsByHops[hopsTo(rowOwners[t][i])][t]++;
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
                int count = rowsByHops[hops][t];
                buf.putInt(dim).putInt(count);
                staged = atLeast(staged, count * dim);
                int at = 0;
                for (int i = 0; g != null && i < g.size(); i++) {
                    if (rowOwners[t][i] == destination) {
                        buf.putLong(table.idAt(g.slot(i)));
                        System.arraycopy(g.rows(), i * dim, staged, at, dim);
                        at += dim;
                    }
                }
                putFloats(buf, staged, at);
            }
        }
    }

    /**
     * Starts sending the payload {@link #encodeRouted} wrote to the rows' owners, behind the collectives started
     * before.
     */
    void startRouting() {
        if (size > 1) {
            ring.startSteps(Routing::new);
        }
    }

    /** Appends {@code floats[0, n)} in one bulk copy. */
    private static void putFloats(ByteBuffer buf, float[] floats, int n) {
        buf.asFloatBuffer().put(floats, 0, n);
        buf.position(buf.position() + n * Float.BYTES);
    }

    /**
     * Once the routing of {@code gradients} is complete, sums each table's gradient over the ranks for the rows this
     * rank owns (rows only other ranks touched are allocated here).
     *
     * @return the summed gradients in table order, owned rows only; kept by this exchange and refilled next step
     */
    List<SparseGradient> sumOwned(List<EmbeddingTable> tables, Map<EmbeddingTable, SparseGradient> gradients) {
        for (int r = 0; r < size; r++) {
            if (r != rank) {
                byte[] payload = routed.bytes(r);
                int group = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
                received.locate(r, payload, GROUP_HEADER_BYTES, group, dims, "summing the sparse rows routed to their owner");
            }
        }
        for (int t = 0; t < tables.size(); t++) {
            EmbeddingTable table = tables.get(t);
            int dim = table.dim();
            SparseGradient mine = gradients.get(table);
            SparseGradient sum = owned.get(t);
            sum.clear();
            for (int r = 0; r < size; r++) {
                if (r == rank) {
                    for (int i = 0; mine != null && i < mine.size(); i++) {
                        if (size == 1 || rowOwners[t][i] == rank) {
                            fold(sum, mine.slot(i), mine.rows(), i * dim, dim);
                        }
                    }
                } else {
                    int count = received.read(r, routed.bytes(r), t, dim);
                    for (int i = 0; i < count; i++) {
                        fold(sum, table.slotOf(received.id(i)), received.rows(), i * dim, dim);
                    }
                }
            }
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
            int dim = table.dim();
            buf.putInt(dim).putInt(g.size());
            staged = atLeast(staged, g.size() * dim);
            for (int i = 0; i < g.size(); i++) {
                int slot = g.slot(i);
                buf.putLong(table.idAt(slot));
                System.arraycopy(table.values(slot), table.offset(slot), staged, i * dim, dim);
            }
            putFloats(buf, staged, g.size() * dim);
        }
        return updated;
    }

    /** Once the all-gather has brought every owner's payload, writes the rows other ranks updated into the tables. */
    void applyUpdated(List<EmbeddingTable> tables) {
        for (int r = 0; r < size; r++) {
            if (r != rank) {
                received.locate(r, updated.bytes(r), 0, updated.length(r), dims, "writing the rows their owners updated");
                copyRows(tables, updated.bytes(r), r, dims, false);
            }
        }
    }

    /**
     * Makes every row's optimizer state whole on every rank, for a checkpoint: each owner's rows' state goes to
     * every rank in one all-gather. Every rank must call it at the same point.
     */
    void gatherState(List<EmbeddingTable> tables) {
        useTables(tables);
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
            staged = atLeast(staged, slots.length * widths[t]);
            for (int i = 0; i < slots.length; i++) {
                buf.putLong(table.idAt(slots[i]));
                System.arraycopy(table.state(slots[i]), table.stateOffset(slots[i]), staged, i * widths[t], widths[t]);
            }
            putFloats(buf, staged, slots.length * widths[t]);
        }
        ring.allGatherChunks(new float[0], new int[0], new int[0], states);
        for (int r = 0; r < size; r++) {
            if (r != rank) {
                received.locate(r, states.bytes(r), 0, states.length(r), widths, "gathering the embedding rows' optimizer state");
                copyRows(tables, states.bytes(r), r, widths, true);
            }
        }
    }

    /** Copies the located rows of rank {@code r}'s payload into the tables' values, or their state. */
    private void copyRows(List<EmbeddingTable> tables, byte[] payload, int r, int[] widths, boolean state) {
        for (int t = 0; t < tables.size(); t++) {
            EmbeddingTable table = tables.get(t);
            int width = widths[t];
            int count = received.read(r, payload, t, width);
            float[] rows = received.rows();
            for (int i = 0; i < count; i++) {
                int slot = table.slotOf(received.id(i));
                if (state) {
                    System.arraycopy(rows, i * width, table.state(slot), table.stateOffset(slot), width);
                } else {
                    System.arraycopy(rows, i * width, table.values(slot), table.offset(slot), width);
                }
            }
        }
    }

    private void useTables(List<EmbeddingTable> tables) {
        if (dims.length != tables.size()) {
            dims = new int[tables.size()];
            rowOwners = new int[dims.length][0];
            owned.clear();
            for (EmbeddingTable table : tables) {
                owned.add(new SparseGradient(table.dim()));
            }
        }
        for (int t = 0; t < tables.size(); t++) {
            dims[t] = tables.get(t).dim();
            if (owned.get(t).dim() != dims[t]) {
                owned.set(t, new SparseGradient(dims[t]));
            }
        }
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

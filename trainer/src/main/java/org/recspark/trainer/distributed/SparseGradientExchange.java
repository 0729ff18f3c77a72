package org.recspark.trainer.distributed;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;

/**
 * A worker's half of summing a step's embedding gradients over the workers: its rows go out as a payload of the
 * weights' all-gather ({@link RingCollective#allGatherChunks(float[], int[], int[], GatheredBytes)}), and the other
 * ranks' rows are added into its own {@link SparseGradient}s in place, slot by slot, so no step rebuilds them.
 *
 * <p>Every rank folds an id's rows in rank order, {@code ((x_0 + x_1) + x_2) + ...}, starting from a copy of the
 * first rank's row that has the id (so a lone -0.0 stays -0.0): the same bits on every rank, whatever
 * order the payloads arrive in. Rank 0's own rows are that fold's start, so it adds the others' in place; a
 * later rank first sets its own rows aside and folds them in at their turn. Rows only other ranks touched are
 * allocated in the tables here. The arrays are kept across steps.
 */
final class SparseGradientExchange {
    private final GatheredBytes payloads;
    private final PayloadRows received;
    private int[] dims = new int[0];
    /** This rank's own rows of one table, set aside until their turn in the fold (ranks after 0). */
    private float[] own = new float[0];
    /** Marks, by row index of a table's gradient, the rows the fold has written: equal to {@link #fold} when so. */
    private int[] writtenIn = new int[0];
    private int fold;

    SparseGradientExchange(RingCollective ring) {
        int size = ring.member().size();
        this.payloads = new GatheredBytes(size, ring.member().rank());
        this.received = new PayloadRows(ring);
    }

    /** Writes this rank's rows of every table as its payload, for the step's all-gather to carry. */
    GatheredBytes encode(Collection<EmbeddingTable> tables, Map<EmbeddingTable, SparseGradient> gradients) {
        if (payloads.size() > 1) {
            SparseRowsCodec.encode(tables, gradients, payloads);
        }
        return payloads;
    }

    /**
     * Once the all-gather has brought every rank's payload, replaces each table's gradient in {@code gradients} by
     * its sum over the ranks (creating it when only other ranks touched the table).
     */
    void sumInto(Collection<EmbeddingTable> tables, Map<EmbeddingTable, SparseGradient> gradients) {
        locatePayloads(tables);
        int size = payloads.size();
        int rank = payloads.rank();
        int t = 0;
        for (EmbeddingTable table : tables) {
            int dim = dims[t];
            int others = 0;
            for (int r = 0; r < size; r++) {
                others += r == rank ? 0 : received.count(r, t);
            }
            if (others > 0) {
                int expectedRows = others;
                SparseGradient g = gradients.computeIfAbsent(table, k -> new SparseGradient(dim, expectedRows));
                int local = g.size();
                startFold(local + others);
                if (rank > 0) {
                    own = atLeast(own, local * dim);
                    System.arraycopy(g.rows(), 0, own, 0, local * dim);
                } else {
                    Arrays.fill(writtenIn, 0, local, fold);
                }
                for (int r = 0; r < size; r++) {
                    if (r != rank) {
                        addPayloadRows(table, g, r, t);
                    } else if (rank > 0) {
                        for (int i = 0; i < local; i++) {
                            addRow(g, i * dim, own, i * dim, dim);
                        }
                    }
                }
            }
            t++;
        }
    }

    private void locatePayloads(Collection<EmbeddingTable> tables) {
        if (dims.length != tables.size()) {
            dims = new int[tables.size()];
        }
        int t = 0;
        for (EmbeddingTable table : tables) {
            dims[t++] = table.dim();
        }
        for (int r = 0; r < payloads.size(); r++) {
            if (r != payloads.rank()) {
                received.locate(r, payloads.bytes(r), 0, payloads.length(r), dims, "summing the sparse rows gathered");
            }
        }
    }

    private void addPayloadRows(EmbeddingTable table, SparseGradient g, int r, int t) {
        int dim = dims[t];
        int count = received.read(r, payloads.bytes(r), t, dim);
        for (int i = 0; i < count; i++) {
            addRow(g, g.offsetOf(table.slotOf(received.id(i))), received.rows(), i * dim, dim);
        }
    }

    /** Folds a row into the gradient's row at {@code offset}: a copy when the fold has not written it yet. */
    private void addRow(SparseGradient g, int offset, float[] source, int from, int dim) {
        float[] rows = g.rows();
        int index = offset / dim;
        if (writtenIn[index] != fold) {
            writtenIn[index] = fold;
            System.arraycopy(source, from, rows, offset, dim);
        } else {
            for (int j = 0; j < dim; j++) {
                rows[offset + j] += source[from + j];
            }
        }
    }

    /** Starts one table's fold over at most {@code rows} gradient rows: none of them written yet. */
    private void startFold(int rows) {
        if (writtenIn.length < rows) {
            writtenIn = Arrays.copyOf(writtenIn, Math.max(rows, writtenIn.length * 2));
        }
        if (++fold == 0) {
            // The marks wrapped around: clear them, so no stale mark equals a new fold's.
            Arrays.fill(writtenIn, 0);
            fold = 1;
        }
    }

    private static float[] atLeast(float[] array, int length) {
        return array.length >= length ? array : new float[Math.max(length, array.length * 2)];
    }
}

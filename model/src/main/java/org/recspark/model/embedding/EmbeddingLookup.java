package org.recspark.model.embedding;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import org.recspark.config.proto.Pooling;
import org.recspark.model.data.SparseValues;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;

/**
 * Embedding lookups as graph ops. The backward pass writes gradient rows only for the ids in the
 * batch (a {@link SparseGradient}); the table itself is never touched as a whole.
 */
public final class EmbeddingLookup {
    private EmbeddingLookup() {
    }

    /**
     * One pooled vector per row (B x dim): the weighted sum of the row's embeddings, or their
     * weighted mean (divided by the sum of weights); a row without ids gives zeros.
     */
    public static Tensor pooled(Pass pass, SparseValues values, EmbeddingTable table, Pooling pooling) {
        long started = System.nanoTime();
        int rows = values.rows();
        int dim = table.dim();
        boolean[] repeats = repeatedRows(values);
        int[] slots = resolve(table, values, repeats, pass.differentiable(), pass.graph().indexArray(values.ids().length));
        float[] out = pass.graph().zeroedOutputArray(rows * dim);
        float[] scales = pass.graph().outputArray(rows);
        pool(values, table, pooling, slots, repeats, out, dim, 0, scales);
        boolean differentiable = pass.differentiable();
        Tensor result = pass.graph().source(rows, dim, out, differentiable);
        if (differentiable) {
            SparseGradient gradient = pass.gradients().sparse(table, Math.min(values.ids().length, table.size()));
            pass.graph().onBackward(result, () -> {
                long backwardStarted = System.nanoTime();
                float[] dy = result.grad();
                float[] g = gradient.rows();
                for (int r = 0; r < rows; r++) {
                    for (int k = values.start(r); k < values.end(r); k++) {
                        float w = values.weight(k) * scales[r];
                        int go = gradient.offsetOf(slots[k]);
                        g = gradient.rows();
                        for (int j = 0; j < dim; j++) {
                            g[go + j] += w * dy[r * dim + j];
                        }
                    }
                }
                pass.addEmbeddingNanos(System.nanoTime() - backwardStarted);
            });
        }
        pass.addEmbeddingNanos(System.nanoTime() - started);
        return result;
    }

    /**
     * Inference only: the pooled vectors written into a wider row-major matrix, row r's at
     * {@code out[r * stride + offset ...]} (those ranges must hold zeros), so a model input is
     * assembled in place instead of concatenated from per-feature tensors. Rows are not checked for
     * repeats (a request's rows are its items, whose request-side features come as one row already).
     * Returns the ids' slots (-1 for ids without a row), in the order of {@code values.ids()}.
     */
    public static int[] pooledInto(SparseValues values, EmbeddingTable table, Pooling pooling, float[] out, int stride, int offset) {
        int[] slots = resolve(table, values, null, false, new int[values.ids().length]);
        pool(values, table, pooling, slots, null, out, stride, offset, new float[values.rows()]);
        return slots;
    }

    /**
     * {@link #pooledInto} with the ids' slots in {@code table} already known (through a
     * {@link SlotTranslation}); an id at slot -1 is looked up by id, so it reads its trained row if
     * it has one after all, else its initial row.
     */
    public static void pooledInto(SparseValues values, EmbeddingTable table, Pooling pooling, int[] slots, float[] out, int stride,
                                  int offset) {
        if (slots.length != values.ids().length) {
            throw new IllegalArgumentException(slots.length + " slots for " + values.ids().length + " ids");
        }
        pool(values, table, pooling, slots, null, out, stride, offset, new float[values.rows()]);
    }

    /**
     * Pools every row into {@code out} (see {@link #pooledInto}), copying a repeated row's result
     * ({@code repeats} null: none repeats); writes each row's scale of its weights to {@code scales}.
     */
    private static void pool(SparseValues values, EmbeddingTable table, Pooling pooling, int[] slots, boolean[] repeats,
                             float[] out, int stride, int offset, float[] scales) {
        int rows = values.rows();
        int dim = table.dim();
        long[] ids = values.ids();
        float[] scratch = null;
        for (int r = 0; r < rows; r++) {
            int o = r * stride + offset;
            if (repeats != null && repeats[r]) {
                // The same ids and weights as the row before (a request-side feature of a 1 x N batch).
                scales[r] = scales[r - 1];
                System.arraycopy(out, o - stride, out, o, dim);
                continue;
            }
            int start = values.start(r);
            int end = values.end(r);
            float weightSum = 0;
            for (int k = start; k < end; k++) {
                weightSum += values.weight(k);
            }
            scales[r] = pooling == Pooling.MEAN && weightSum != 0 ? 1 / weightSum : 1;
            if (end - start == 1 && slots[start] >= 0 && values.weight(start) * scales[r] == 1f) {
                // One id of weight one (most features): its row as it is, a copy instead of a multiply-add.
                int slot = slots[start];
                System.arraycopy(table.values(slot), table.offset(slot), out, o, dim);
                continue;
            }
            for (int k = start; k < end; k++) {
                float w = values.weight(k) * scales[r];
                int slot = slots[k];
                float[] src;
                int so;
                if (slot >= 0) {
                    src = table.values(slot);
                    so = table.offset(slot);
                } else {
                    if (scratch == null) {
                        scratch = new float[dim];
                    }
                    table.read(ids[k], scratch, 0);
                    src = scratch;
                    so = 0;
                }
                for (int j = 0; j < dim; j++) {
                    out[o + j] += w * src[so + j];
                }
            }
        }
    }

    /**
     * The embeddings of a sequence feature without pooling, packed and de-duplicated: the batch's
     * distinct ids' rows (U x dim), each position naming its id's row, and the rows' offsets into
     * the positions (the values' own), so no work goes to padding and an item in many histories is
     * looked up, and takes its gradient, once.
     */
    public static SequenceEmbedding sequence(Pass pass, SparseValues values, EmbeddingTable table) {
        int dim = table.dim();
        long[] ids = values.ids();
        int n = ids.length;
        if (values.start(0) != 0 || values.end(values.rows() - 1) != n) {
            throw new IllegalArgumentException("a sequence feature's rows must cover its ids from the first, got offsets from "
                    + values.start(0) + " to " + values.end(values.rows() - 1) + " for " + n + " ids");
        }
        int[] slots = resolve(table, values, null, pass.differentiable(), new int[ids.length]);
        Long2IntOpenHashMap rowOfId = new Long2IntOpenHashMap();
        rowOfId.defaultReturnValue(-1);
        int[] positions = new int[n];
        int[] firstPosition = new int[n];
        int distinct = 0;
        for (int k = 0; k < n; k++) {
            int row = rowOfId.putIfAbsent(ids[k], distinct);
            if (row < 0) {
                row = distinct++;
                firstPosition[row] = k;
            }
            positions[k] = row;
        }
        int rows = distinct;
        float[] out = pass.graph().outputArray(rows * dim);
        float[] scratch = null;
        for (int row = 0; row < rows; row++) {
            int k = firstPosition[row];
            int slot = slots[k];
            if (slot >= 0) {
                System.arraycopy(table.values(slot), table.offset(slot), out, row * dim, dim);
            } else {
                if (scratch == null) {
                    scratch = new float[dim];
                }
                table.read(ids[k], scratch, 0);
                System.arraycopy(scratch, 0, out, row * dim, dim);
            }
        }
        boolean differentiable = pass.differentiable();
        Tensor result = pass.graph().source(rows, dim, out, differentiable);
        if (differentiable) {
            SparseGradient gradient = pass.gradients().sparse(table, Math.min(rows, table.size()));
            pass.graph().onBackward(result, () -> {
                float[] dy = result.grad();
                for (int row = 0; row < rows; row++) {
                    int go = gradient.offsetOf(slots[firstPosition[row]]);
                    float[] g = gradient.rows();
                    for (int j = 0; j < dim; j++) {
                        g[go + j] += dy[row * dim + j];
                    }
                }
            });
        }
        return new SequenceEmbedding(result, positions, values.offsets());
    }

    /**
     * A batch's sequences packed without padding: {@code values} holds the distinct values (U x dim),
     * position p's value is row positions[p], and sequence r is positions [offsets[r], offsets[r + 1]).
     */
    public record SequenceEmbedding(Tensor values, int[] positions, int[] offsets) {
        public int sequences() {
            return offsets.length - 1;
        }
    }

    /**
     * Rows whose ids and weights equal the previous row's: a 1 x N batch repeats its request-side
     * features in every row, and pooling them once per run of equal rows instead of once per row
     * saves most of a request's lookups. Comparing ids costs a fraction of pooling them.
     */
    static boolean[] repeatedRows(SparseValues values) {
        int rows = values.rows();
        boolean[] repeats = new boolean[rows];
        long[] ids = values.ids();
        float[] weights = values.weights();
        for (int r = 1; r < rows; r++) {
            int start = values.start(r);
            int length = values.end(r) - start;
            int previous = values.start(r - 1);
            if (length != start - previous) {
                continue;
            }
            boolean same = java.util.Arrays.equals(ids, previous, start, ids, start, start + length)
                    && (weights == null || java.util.Arrays.equals(weights, previous, start, weights, start, start + length));
            repeats[r] = same;
        }
        return repeats;
    }

    /**
     * Row slots of the ids (-1 without a row); a training pass requires every row allocated (the
     * trainer's prepare phase). A repeated row's ids resolve to the previous row's slots without
     * another lookup ({@code repeats} null: none repeats). Written into {@code slots} (one per id) for
     * the ids of the rows, which is returned.
     */
    private static int[] resolve(EmbeddingTable table, SparseValues values, boolean[] repeats, boolean requireRows, int[] slots) {
        long[] ids = values.ids();
        for (int r = 0; r < values.rows(); r++) {
            int start = values.start(r);
            int end = values.end(r);
            if (repeats != null && repeats[r]) {
                System.arraycopy(slots, values.start(r - 1), slots, start, end - start);
                continue;
            }
            for (int i = start; i < end; i++) {
                slots[i] = table.findSlot(ids[i]);
                if (slots[i] < 0 && requireRows) {
                    throw new IllegalStateException("id " + ids[i] + " has no row in table '" + table.name()
                            + "': a training batch must be prepared with ModelParameters.allocateRows");
                }
            }
        }
        return slots;
    }
}

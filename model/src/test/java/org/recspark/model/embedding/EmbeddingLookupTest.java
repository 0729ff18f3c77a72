package org.recspark.model.embedding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.Pooling;
import org.recspark.model.data.SparseValues;
import org.recspark.model.embedding.EmbeddingLookup.SequenceEmbedding;
import org.recspark.model.nn.Gradients;
import org.recspark.model.nn.Initializer;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.GradientChecker;
import org.recspark.model.tensor.GradientChecker.Variable;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * Embedding lookups as graph ops: gradient checks with respect to the table's rows (perturbed in
 * place in the table's chunks), and which rows the sparse gradient holds.
 */
class EmbeddingLookupTest {

    private static final int DIM = 3;
    /** An allocated id no batch below uses. */
    private static final long UNUSED = 999;

    private static EmbeddingTable tableWith(long... ids) {
        EmbeddingTable t = new EmbeddingTable("items", DIM, new Initializer.Uniform(1f), 17);
        for (long id : ids) {
            t.slotOf(id);
        }
        t.slotOf(UNUSED);
        return t;
    }

    private static float[] row(EmbeddingTable t, long id) {
        int slot = t.findSlot(id);
        return Arrays.copyOfRange(t.values(slot), t.offset(slot), t.offset(slot) + DIM);
    }

    /** The slots the gradient touched, in its order. */
    private static List<Long> touchedIds(EmbeddingTable t, SparseGradient g) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < g.size(); i++) {
            out.add(t.idAt(g.slot(i)));
        }
        return out;
    }

    /**
     * Gradient-checks a lookup with respect to every allocated row of the table; rows the batch does
     * not use must get a zero gradient (and no row in the sparse gradient). Returns the sparse gradient
     * of the analytic pass.
     */
    private static SparseGradient checkRows(String label, EmbeddingTable table, Set<Long> used, Function<Pass, Tensor> lookup) {
        // every pass gets fresh gradients; the first pass is the analytic one
        List<Gradients> passes = new ArrayList<>();
        GradientChecker.Forward forward = graph -> {
            Gradients gradients = new Gradients();
            passes.add(gradients);
            return lookup.apply(new Pass(graph, null, gradients));
        };
        List<Variable> variables = new ArrayList<>();
        long[] ids = table.ids();
        for (long id : ids) {
            int slot = table.findSlot(id);
            Variable v = Variable.of("row of id " + id, table.values(slot), table.offset(slot), DIM);
            variables.add(used.contains(id) ? v : v.allowingZeroGradient());
        }
        GradientChecker.Result result = GradientChecker.check(label, GradientChecker.DEFAULT, forward, variables, v -> {
            SparseGradient g = passes.get(0).sparseGradients().get(table);
            int offset = g == null ? -1 : g.offsetIfPresent(table.findSlot(ids[v]));
            return offset < 0 ? null : Arrays.copyOfRange(g.rows(), offset, offset + DIM);
        });
        for (int v = 0; v < ids.length; v++) {
            if (!used.contains(ids[v])) {
                for (double n : result.numerical()[v]) {
                    assertEquals(0, n, 1e-9, label + ": an unused row does not affect the output");
                }
            }
        }
        SparseGradient g = passes.get(0).sparseGradients().get(table);
        assertEquals(new LinkedHashSet<>(used), new LinkedHashSet<>(touchedIds(table, g)), label + ": exactly the used rows");
        assertEquals(used.size(), g.size(), label + ": each row once");
        return g;
    }

    @Test
    void pooledSumWithWeights() {
        // rows: {1 (w 2), 2 (w -0.5)}, {}, {2, 3, 2} (id 2 twice)
        SparseValues values = new SparseValues(new int[] {0, 2, 2, 5}, new long[] {1, 2, 2, 3, 2},
                new float[] {2, -0.5f, 1, 0.75f, 1.5f});
        EmbeddingTable table = tableWith(1, 2, 3);
        SparseGradient g = checkRows("pooled sum", table, Set.of(1L, 2L, 3L), pass -> EmbeddingLookup.pooled(pass, values, table, Pooling.SUM));
        assertEquals(List.of(1L, 2L, 3L), touchedIds(table, g), "rows in first-touch order");
        // the forward by hand
        Tensor out = EmbeddingLookup.pooled(Pass.inference(null), values, table, Pooling.SUM);
        float[] r1 = row(table, 1);
        float[] r2 = row(table, 2);
        float[] r3 = row(table, 3);
        for (int j = 0; j < DIM; j++) {
            assertEquals(2 * r1[j] - 0.5f * r2[j], out.get(0, j), 1e-6f, "weighted sum of row 0");
            assertEquals(0f, out.get(1, j), "an empty row pools to zeros");
            assertEquals(2.5f * r2[j] + 0.75f * r3[j], out.get(2, j), 1e-6f, "weighted sum with a repeated id");
        }
        // with all weights 1 (no weights array) row 2's gradient is the sum of the output gradients of its rows
        SparseValues unweighted = new SparseValues(new int[] {0, 1, 3}, new long[] {2, 2, 3}, null);
        checkRows("pooled sum unweighted", table, Set.of(2L, 3L), pass -> EmbeddingLookup.pooled(pass, unweighted, table, Pooling.SUM));
    }

    /** Rows equal to the row before (request-side features of a 1 x N batch) pool once and still get their gradients. */
    @Test
    void repeatedRowsPoolOnceWithTheSameValuesAndGradients() {
        // rows: {1 (w 2), 2}, the same again twice, {2 (w 2), 1}: same ids, other weights, {1, 2}
        SparseValues values = new SparseValues(new int[] {0, 2, 4, 6, 8, 10}, new long[] {1, 2, 1, 2, 1, 2, 2, 1, 1, 2},
                new float[] {2, 1, 2, 1, 2, 1, 2, 1, 1, 1});
        assertArrayEquals(new boolean[] {false, true, true, false, false}, EmbeddingLookup.repeatedRows(values));
        EmbeddingTable table = tableWith(1, 2);
        checkRows("pooled mean of repeated rows", table, Set.of(1L, 2L),
                pass -> EmbeddingLookup.pooled(pass, values, table, Pooling.MEAN));
        Tensor out = EmbeddingLookup.pooled(Pass.inference(null), values, table, Pooling.MEAN);
        float[] r1 = row(table, 1);
        float[] r2 = row(table, 2);
        for (int j = 0; j < DIM; j++) {
            for (int r = 0; r < 3; r++) {
                assertEquals((2 * r1[j] + r2[j]) / 3, out.get(r, j), 1e-6f, "row " + r);
            }
            assertEquals((2 * r2[j] + r1[j]) / 3, out.get(3, j), 1e-6f, "same ids, other weights");
            assertEquals((r1[j] + r2[j]) / 2, out.get(4, j), 1e-6f, "row 4");
        }
    }

    @Test
    void pooledMeanWithWeights() {
        // row 0: (2 * e1 + 0.5 * e2) / 2.5; row 1: (e3 + e1 + e3) / 3; row 2: empty
        SparseValues values = new SparseValues(new int[] {0, 2, 5, 5}, new long[] {1, 2, 3, 1, 3}, new float[] {2, 0.5f, 1, 1, 1});
        EmbeddingTable table = tableWith(1, 2, 3, 4);
        checkRows("pooled mean", table, Set.of(1L, 2L, 3L), pass -> EmbeddingLookup.pooled(pass, values, table, Pooling.MEAN));
        Tensor out = EmbeddingLookup.pooled(Pass.inference(null), values, table, Pooling.MEAN);
        float[] r1 = row(table, 1);
        float[] r2 = row(table, 2);
        float[] r3 = row(table, 3);
        for (int j = 0; j < DIM; j++) {
            assertEquals((2 * r1[j] + 0.5f * r2[j]) / 2.5f, out.get(0, j), 1e-6f, "weighted mean of row 0");
            assertEquals((2 * r3[j] + r1[j]) / 3, out.get(1, j), 1e-6f, "mean of row 1");
            assertEquals(0f, out.get(2, j), "an empty row pools to zeros");
        }
    }

    @Test
    void emptyRowsGiveZerosAndNoGradient() {
        SparseValues empty = new SparseValues(new int[] {0, 0, 0}, new long[0], null);
        EmbeddingTable table = tableWith(1);
        for (Pooling pooling : Pooling.values()) {
            Gradients gradients = new Gradients();
            Graph graph = new Graph(true, 0);
            Tensor out = EmbeddingLookup.pooled(new Pass(graph, null, gradients), empty, table, pooling);
            assertArrayEquals(new float[2 * DIM], out.data(), "zeros for " + pooling);
            graph.backward(graph.total(graph.mul(out, Tensor.constant(2, DIM, new float[] {1, 2, 3, 4, 5, 6}))));
            assertEquals(0, gradients.sparse(table).size(), "no gradient rows for " + pooling);
        }
    }

    @Test
    void sequenceLookupPacksPositionsWithoutPaddingAndEachIdOnce() {
        // rows {4, 5, 4}, {6}, {}: four positions of three distinct ids
        SparseValues values = new SparseValues(new int[] {0, 3, 4, 4}, new long[] {4, 5, 4, 6}, null);
        EmbeddingTable table = tableWith(4, 5, 6, 7);
        SparseGradient g = checkRows("sequence", table, Set.of(4L, 5L, 6L), pass -> EmbeddingLookup.sequence(pass, values, table).values());
        assertEquals(List.of(4L, 5L, 6L), touchedIds(table, g), "rows in first-touch order");

        SequenceEmbedding seq = EmbeddingLookup.sequence(Pass.inference(null), values, table);
        assertEquals(3, seq.sequences(), "one sequence per row");
        assertArrayEquals(new int[] {0, 3, 4, 4}, seq.offsets(), "row r at [offsets[r], offsets[r + 1])");
        assertArrayEquals(new int[] {0, 1, 0, 2}, seq.positions(), "each position's distinct row, by first occurrence");
        assertEquals(3, seq.values().rows(), "one row per distinct id");
        assertEquals(DIM, seq.values().cols(), "dim columns");
        long[] byRow = {4, 5, 6};
        for (int r = 0; r < byRow.length; r++) {
            assertArrayEquals(row(table, byRow[r]), Arrays.copyOfRange(seq.values().data(), r * DIM, (r + 1) * DIM), "row " + r);
        }
    }

    @Test
    void sequenceOfOnlyEmptyRowsHasNoPositions() {
        SparseValues values = new SparseValues(new int[] {0, 0, 0}, new long[0], null);
        EmbeddingTable table = tableWith();
        Gradients gradients = new Gradients();
        Graph graph = new Graph(true, 0);
        SequenceEmbedding seq = EmbeddingLookup.sequence(new Pass(graph, null, gradients), values, table);
        assertEquals(0, seq.positions().length, "no positions");
        assertEquals(0, seq.values().rows(), "no values");
        assertEquals(2, seq.sequences(), "two empty sequences");
        graph.backward(graph.total(graph.weightedSequenceSum(Tensor.constant(0, 1, new float[0]), seq.values(), seq.positions(),
                seq.offsets())));
        assertEquals(0, gradients.sparse(table).size(), "nothing takes a gradient");
    }

    @Test
    void unallocatedIdsReadInitialValuesAtInferenceAndFailInTraining() {
        EmbeddingTable table = tableWith(1);
        SparseValues values = new SparseValues(new int[] {0, 2}, new long[] {1, 50}, null);
        Tensor out = EmbeddingLookup.pooled(Pass.inference(null), values, table, Pooling.SUM);
        assertEquals(-1, table.findSlot(50), "inference does not allocate");
        float[] fresh = new float[DIM];
        table.read(50, fresh, 0);
        float[] r1 = row(table, 1);
        for (int j = 0; j < DIM; j++) {
            assertEquals(r1[j] + fresh[j], out.get(0, j), 1e-6f, "an unknown id contributes its initial row");
        }
        SequenceEmbedding seq = EmbeddingLookup.sequence(Pass.inference(null), values, table);
        int row = seq.positions()[1];
        assertArrayEquals(fresh, Arrays.copyOfRange(seq.values().data(), row * DIM, (row + 1) * DIM), "sequence reads the initial row");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EmbeddingLookup.pooled(new Pass(new Graph(true, 0), null, new Gradients()), values, table, Pooling.SUM),
                "a training batch must be prepared");
        assertTrue(e.getMessage().contains("50") && e.getMessage().contains("items"), "names the id and table: " + e.getMessage());
    }

    /** Pooling into a wider matrix writes each row's vector at its columns and leaves the rest alone. */
    @Test
    void pooledIntoAWiderMatrixEqualsPooled() {
        // rows: {1 (w 2), 2}, the same again (a repeat), {50: no row}, {}, {3}
        SparseValues values = new SparseValues(new int[] {0, 2, 4, 5, 5, 6}, new long[] {1, 2, 1, 2, 50, 3},
                new float[] {2, 1, 2, 1, 1, 1});
        EmbeddingTable table = tableWith(1, 2, 3);
        for (Pooling pooling : Pooling.values()) {
            Tensor pooled = EmbeddingLookup.pooled(Pass.inference(null), values, table, pooling);
            int stride = DIM + 3;
            float[] wide = new float[values.rows() * stride];
            for (int r = 0; r < values.rows(); r++) {
                wide[r * stride] = 7f;
                wide[r * stride + stride - 1] = 9f;
            }
            int[] slots = EmbeddingLookup.pooledInto(values, table, pooling, wide, stride, 1);
            for (int r = 0; r < values.rows(); r++) {
                assertEquals(7f, wide[r * stride], pooling + ": column before");
                assertArrayEquals(Arrays.copyOfRange(pooled.data(), r * DIM, (r + 1) * DIM),
                        Arrays.copyOfRange(wide, r * stride + 1, r * stride + 1 + DIM), pooling + ": row " + r);
                assertEquals(0f, wide[r * stride + 1 + DIM], pooling + ": column after");
                assertEquals(9f, wide[r * stride + stride - 1], pooling + ": last column");
            }
            assertArrayEquals(new int[] {table.findSlot(1), table.findSlot(2), table.findSlot(1), table.findSlot(2), -1,
                    table.findSlot(3)}, slots, "slots per id, -1 without a row");
        }
    }
}

package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;
import org.recspark.model.nn.Initializer;
import org.recspark.trainer.distributed.SparseGradientExchangeTest.Rows;

/**
 * The embedding update sharded by row owner: each owner holds the rank-order sum of exactly the rows it owns (to the
 * bit), the rows it updates reach every rank with the weights' all-gather, and the owners' optimizer state is
 * gathered whole for a checkpoint; with the dense buckets' started reduce-scatters in front of the routing.
 */
class OwnedRowsExchangeTest {
    private static final CollectiveSettings SETTINGS = CollectiveSettings.defaults()
            .withTimeout(Duration.ofSeconds(20)).withSegmentBytes(64);
    private static final int[] DIMS = SparseGradientExchangeTest.DIMS;
    private static final int STEPS = 3;

    /** What one rank saw in one step: the sums it owned, and every table row's value after the step. */
    record StepView(Map<Long, float[]> ownedSums, Map<Long, float[]> values) {}

    /** A rank's steps and, at the end, every row's state after the gather. */
    record RankView(List<StepView> steps, Map<Long, float[]> states) {}

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4})
    void ownersSumTheirRowsInRankOrderAndEveryRankEndsWithTheUpdatedRows(int size) {
        // inputs[step][rank][table]: rank 1 touches no row in step 0, table 2 is touched by no rank, table 3 by the last only.
        Rows[][][] inputs = new Rows[STEPS][size][DIMS.length];
        for (int step = 0; step < STEPS; step++) {
            for (int r = 0; r < size; r++) {
                boolean idle = r == 1 && step == 0;
                int scale = step == 1 ? 3 : 1;
                inputs[step][r][0] = idle ? null : SparseGradientExchangeTest.randomRows(DIMS[0], (40 + 10 * r) * scale, 400, 100L * step + r);
                inputs[step][r][1] = idle ? null : SparseGradientExchangeTest.randomRows(DIMS[1], 70 * scale, 300, 1000L + 100L * step + r);
                inputs[step][r][3] = r == size - 1 ? SparseGradientExchangeTest.randomRows(DIMS[3], 9, 1000, 7L + step) : null;
            }
        }
        float[][] dense = DenseAllReduceTest.randomInputs(size, 301, 5L * size);
        int[] offsets = {0, 100, 101};
        int[] lengths = {100, 1, 200};
        float[] denseSum = SparseGradientExchangeTest.rangeSums(dense, offsets, lengths);
        List<RankView> views = LoopbackRing.values(LoopbackRing.run(size, SETTINGS, ring -> {
            int rank = ring.member().rank();
            List<EmbeddingTable> tables = tablesWithState();
            OwnedRowsExchange exchange = new OwnedRowsExchange(ring);
            List<StepView> steps = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                Map<EmbeddingTable, SparseGradient> gradients = SparseGradientExchangeTest.gradients(tables, inputs[step][rank]);
                float[] buffer = dense[rank].clone();
                for (int i = 0; i < offsets.length; i++) {
                    ring.startReduceScatterSum(buffer, offsets[i], lengths[i]);
                }
                exchange.encodeRouted(tables, gradients);
                exchange.startRouting();
                ring.completeStarted();
                List<SparseGradient> owned = exchange.sumOwned(tables, gradients);
                Map<EmbeddingTable, SparseGradient> ownedByTable = new LinkedHashMap<>();
                for (int t = 0; t < tables.size(); t++) {
                    ownedByTable.put(tables.get(t), owned.get(t));
                    update(tables.get(t), owned.get(t));
                }
                Map<Long, float[]> ownedSums = SparseGradientExchangeTest.byId(tables, ownedByTable);
                ring.allGatherChunks(buffer, offsets, lengths, exchange.encodeUpdated(tables));
                DenseAllReduceTest.assertIdenticalBits(denseSum, List.of(buffer));
                exchange.applyUpdated(tables);
                steps.add(new StepView(ownedSums, rowsById(tables, false)));
            }
            exchange.gatherState(tables);
            return new RankView(steps, rowsById(tables, true));
        }));
        Map<Long, float[]> values = new TreeMap<>();
        Map<Long, float[]> states = new TreeMap<>();
        for (int step = 0; step < STEPS; step++) {
            Map<Long, float[]> sums = SparseGradientExchangeTest.referenceSum(inputs[step]);
            for (Map.Entry<Long, float[]> e : sums.entrySet()) {
                float[] value = values.computeIfAbsent(e.getKey(), k -> new float[e.getValue().length]);
                float[] state = states.computeIfAbsent(e.getKey(), k -> new float[2 * e.getValue().length]);
                for (int j = 0; j < value.length; j++) {
                    value[j] -= e.getValue()[j];
                    state[j] += 1;
                }
            }
            for (int r = 0; r < size; r++) {
                StepView view = views.get(r).steps().get(step);
                int rank = r;
                Map<Long, float[]> expectedOwned = new TreeMap<>(sums);
                expectedOwned.keySet().removeIf(key -> ownerOfKey(key, size) != rank);
                assertBits(expectedOwned, view.ownedSums(), "step " + step + ", rank " + r + ": the owned sums");
                assertBits(values, view.values(), "step " + step + ", rank " + r + ": the rows' values");
            }
        }
        for (int r = 0; r < size; r++) {
            assertBits(states, views.get(r).states(), "rank " + r + ": every row's state after the gather");
        }
    }

    @Test
    void ranksWithDifferentDimsFailNamingTheTables() {
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(2, SETTINGS, ring -> {
            int dim = ring.member().rank() == 0 ? 4 : 8;
            EmbeddingTable table = new EmbeddingTable("t", dim, Initializer.zeros(), 1);
            SparseGradient g = new SparseGradient(dim);
            for (long id = 0; id < 20; id++) {
                g.offsetOf(table.slotOf(id));
            }
            OwnedRowsExchange exchange = new OwnedRowsExchange(ring);
            exchange.encodeRouted(List.of(table), Map.of(table, g));
            exchange.startRouting();
            ring.completeStarted();
            exchange.sumOwned(List.of(table), Map.of(table, g));
            return null;
        });
        for (LoopbackRing.Outcome<Object> o : outcomes) {
            String message = o.failure().getMessage();
            assertTrue(message.contains("table 0 has dim") && message.contains("routed to their owner"), message);
        }
    }

    private static int ownerOfKey(long key, int size) {
        // Ids lie within a few thousand of 0, so the nearest multiple of 2^40 is the table's.
        int table = (int) ((key + (1L << 39)) >> 40);
        long id = key - SparseGradientExchangeTest.key(table, 0);
        return RowOwners.ownerOf(table, id, size);
    }

    /** The owner's stand-in optimizer: each row moves by minus its summed gradient, and counts its updates in its state. */
    private static void update(EmbeddingTable table, SparseGradient g) {
        for (int i = 0; i < g.size(); i++) {
            int slot = g.slot(i);
            float[] values = table.values(slot);
            float[] state = table.state(slot);
            for (int j = 0; j < table.dim(); j++) {
                values[table.offset(slot) + j] -= g.rows()[i * table.dim() + j];
                state[table.stateOffset(slot) + j] += 1;
            }
        }
    }

    private static List<EmbeddingTable> tablesWithState() {
        List<EmbeddingTable> tables = new ArrayList<>();
        for (int t = 0; t < DIMS.length; t++) {
            EmbeddingTable table = new EmbeddingTable("t" + t, DIMS[t], Initializer.zeros(), 1);
            table.configureState(2 * DIMS[t], 0);
            tables.add(table);
        }
        return tables;
    }

    /** Every allocated row's values (or state) keyed as {@link SparseGradientExchangeTest#key}. */
    private static Map<Long, float[]> rowsById(List<EmbeddingTable> tables, boolean state) {
        Map<Long, float[]> out = new TreeMap<>();
        for (int t = 0; t < tables.size(); t++) {
            EmbeddingTable table = tables.get(t);
            int width = state ? table.stateWidth() : table.dim();
            for (long id : table.ids()) {
                int slot = table.findSlot(id);
                float[] row = new float[width];
                System.arraycopy(state ? table.state(slot) : table.values(slot), state ? table.stateOffset(slot) : table.offset(slot),
                        row, 0, width);
                out.put(SparseGradientExchangeTest.key(t, id), row);
            }
        }
        return out;
    }

    private static void assertBits(Map<Long, float[]> expected, Map<Long, float[]> got, String what) {
        assertEquals(expected.keySet(), got.keySet(), what + ": the rows");
        for (Map.Entry<Long, float[]> e : expected.entrySet()) {
            assertArrayEquals(DenseAllReduceTest.bits(e.getValue()), DenseAllReduceTest.bits(got.get(e.getKey())),
                    what + ", table/id " + e.getKey());
        }
    }
}

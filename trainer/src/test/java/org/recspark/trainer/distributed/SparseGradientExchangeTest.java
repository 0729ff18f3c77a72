package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;
import org.recspark.model.nn.Initializer;

/**
 * The embedding rows summed into each worker's own gradients, carried by the weights' all-gather: per id the
 * rank-order fold on every rank, to the bit, over several steps that reuse the exchange's buffers.
 */
class SparseGradientExchangeTest {
    /** 64-byte segments cut every frame into pieces, so a payload starts in the middle of a segment. */
    private static final CollectiveSettings SETTINGS = CollectiveSettings.defaults()
            .withTimeout(Duration.ofSeconds(20)).withSegmentBytes(64);
    /** dim 4, dim 1, a table no rank touches, and one only the last rank touches. */
    static final int[] DIMS = {4, 1, 3, 2};
    private static final int STEPS = 3;

    /** One rank's rows of one table in one step: distinct ids, rows over many magnitudes, some -0.0. */
    record Rows(long[] ids, float[] values) {}

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4})
    void everyRankHoldsTheRankOrderSumOfEveryIdsRows(int size) {
        // inputs[step][rank][table]
        Rows[][][] inputs = new Rows[STEPS][size][DIMS.length];
        for (int step = 0; step < STEPS; step++) {
            for (int r = 0; r < size; r++) {
                // Step 1 is larger than step 0 and step 2 smaller, so the kept arrays grow and are then reused.
                int scale = step == 1 ? 3 : 1;
                inputs[step][r][0] = randomRows(DIMS[0], (40 + 10 * r) * scale, 400, 100L * step + r);
                inputs[step][r][1] = r == 1 ? null : randomRows(DIMS[1], 70 * scale, 300, 1000L + 100L * step + r);
                inputs[step][r][2] = null;
                inputs[step][r][3] = r == size - 1 ? randomRows(DIMS[3], 9, 1000, 7L + step) : null;
            }
        }
        float[][] dense = DenseAllReduceTest.randomInputs(size, 301, 5L * size);
        int[] offsets = {0, 100, 101};
        int[] lengths = {100, 1, 200};
        float[] denseSum = rangeSums(dense, offsets, lengths);
        List<List<Map<Long, float[]>>> results = LoopbackRing.values(LoopbackRing.run(size, SETTINGS, ring -> {
            int rank = ring.member().rank();
            List<EmbeddingTable> tables = tables();
            SparseGradientExchange exchange = new SparseGradientExchange(ring);
            List<Map<Long, float[]>> byStep = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                Map<EmbeddingTable, SparseGradient> gradients = gradients(tables, inputs[step][rank]);
                GatheredBytes rows = exchange.encode(tables, gradients);
                float[] buffer = dense[rank].clone();
                for (int i = 0; i < offsets.length; i++) {
                    ring.reduceScatterSum(buffer, offsets[i], lengths[i]);
                }
                ring.allGatherChunks(buffer, offsets, lengths, rows);
                DenseAllReduceTest.assertIdenticalBits(denseSum, List.of(buffer));
                exchange.sumInto(tables, gradients);
                assertNull(gradients.get(tables.get(2)), "no rank touched table 2: no gradient is made for it");
                byStep.add(byId(tables, gradients));
            }
            return byStep;
        }));
        for (int step = 0; step < STEPS; step++) {
            Map<Long, float[]> expected = referenceSum(inputs[step]);
            for (int r = 0; r < size; r++) {
                Map<Long, float[]> got = results.get(r).get(step);
                assertEquals(expected.keySet(), got.keySet(), "step " + step + ", rank " + r + ": the ids summed");
                for (Map.Entry<Long, float[]> e : expected.entrySet()) {
                    assertArrayEquals(DenseAllReduceTest.bits(e.getValue()), DenseAllReduceTest.bits(got.get(e.getKey())),
                            "step " + step + ", rank " + r + ", table/id " + e.getKey() + ": row bits");
                }
            }
        }
    }

    @Test
    void aLoneNegativeZeroIsCopiedNotAddedToZero() {
        List<Map<Long, float[]>> results = LoopbackRing.values(LoopbackRing.run(3, SETTINGS, ring -> {
            List<EmbeddingTable> tables = tables();
            Rows[] mine = new Rows[DIMS.length];
            mine[1] = ring.member().rank() == 1 ? new Rows(new long[]{5}, new float[]{-0.0f}) : null;
            Map<EmbeddingTable, SparseGradient> gradients = gradients(tables, mine);
            SparseGradientExchange exchange = new SparseGradientExchange(ring);
            ring.allGatherChunks(new float[0], new int[0], new int[0], exchange.encode(tables, gradients));
            exchange.sumInto(tables, gradients);
            return byId(tables, gradients);
        }));
        for (Map<Long, float[]> rank : results) {
            assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(rank.get(key(1, 5))[0]), "-0.0 stays -0.0");
        }
    }

    @Test
    void ranksWithDifferentDimsFailNamingTheTables() {
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(2, SETTINGS, ring -> {
            int dim = ring.member().rank() == 0 ? 4 : 8;
            List<EmbeddingTable> tables = List.of(new EmbeddingTable("t", dim, Initializer.zeros(), 1));
            Map<EmbeddingTable, SparseGradient> gradients = new LinkedHashMap<>();
            SparseGradientExchange exchange = new SparseGradientExchange(ring);
            ring.allGatherChunks(new float[0], new int[0], new int[0], exchange.encode(tables, gradients));
            exchange.sumInto(tables, gradients);
            return null;
        });
        for (LoopbackRing.Outcome<Object> o : outcomes) {
            String message = o.failure().getMessage();
            assertTrue(message.contains("table 0 has dim") && message.contains("same tables"), message);
        }
    }

    @Test
    void ranksWithDifferentTableCountsFail() {
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(2, SETTINGS, ring -> {
            List<EmbeddingTable> tables = tables().subList(0, ring.member().rank() + 1);
            SparseGradientExchange exchange = new SparseGradientExchange(ring);
            ring.allGatherChunks(new float[0], new int[0], new int[0], exchange.encode(tables, new LinkedHashMap<>()));
            return null;
        });
        for (LoopbackRing.Outcome<Object> o : outcomes) {
            assertTrue(o.failure().getMessage().contains("table count"), o.failure().getMessage());
        }
    }

    /** Each rank's own tables, as each worker has its own model. */
    static List<EmbeddingTable> tables() {
        List<EmbeddingTable> tables = new ArrayList<>();
        for (int t = 0; t < DIMS.length; t++) {
            tables.add(new EmbeddingTable("t" + t, DIMS[t], Initializer.zeros(), 1));
        }
        return tables;
    }

    /** A backward pass's gradients: rows in the rank's touch order, null rows for an untouched table. */
    static Map<EmbeddingTable, SparseGradient> gradients(List<EmbeddingTable> tables, Rows[] rows) {
        Map<EmbeddingTable, SparseGradient> out = new LinkedHashMap<>();
        for (int t = 0; t < tables.size(); t++) {
            if (rows[t] == null) {
                continue;
            }
            EmbeddingTable table = tables.get(t);
            SparseGradient g = new SparseGradient(table.dim(), 4);
            for (int i = 0; i < rows[t].ids().length; i++) {
                int offset = g.offsetOf(table.slotOf(rows[t].ids()[i]));
                System.arraycopy(rows[t].values(), i * table.dim(), g.rows(), offset, table.dim());
            }
            out.put(table, g);
        }
        return out;
    }

    /** Every gradient row keyed by {@link #key}. */
    static Map<Long, float[]> byId(List<EmbeddingTable> tables, Map<EmbeddingTable, SparseGradient> gradients) {
        Map<Long, float[]> out = new TreeMap<>();
        for (int t = 0; t < tables.size(); t++) {
            EmbeddingTable table = tables.get(t);
            SparseGradient g = gradients.get(table);
            for (int i = 0; g != null && i < g.size(); i++) {
                float[] row = new float[table.dim()];
                System.arraycopy(g.rows(), i * table.dim(), row, 0, table.dim());
                out.put(key(t, table.idAt(g.slot(i))), row);
            }
        }
        return out;
    }

    static long key(int table, long id) {
        return ((long) table << 40) + id;
    }

    /** Written apart from the exchange: per table and id, rows folded in rank order from a copy of the first. */
    static Map<Long, float[]> referenceSum(Rows[][] byRank) {
        Map<Long, float[]> sums = new TreeMap<>();
        for (Rows[] rank : byRank) {
            for (int t = 0; t < DIMS.length; t++) {
                Rows rows = rank[t];
                for (int i = 0; rows != null && i < rows.ids().length; i++) {
                    float[] row = new float[DIMS[t]];
                    System.arraycopy(rows.values(), i * DIMS[t], row, 0, DIMS[t]);
                    float[] sum = sums.putIfAbsent(key(t, rows.ids()[i]), row);
                    for (int j = 0; sum != null && j < DIMS[t]; j++) {
                        sum[j] += row[j];
                    }
                }
            }
        }
        return sums;
    }

    /** Each rank's {@code dense}, ring-order summed over the ranges {@code [offsets[i], offsets[i] + lengths[i])}; zero elsewhere. */
    static float[] rangeSums(float[][] dense, int[] offsets, int[] lengths) {
        float[] sums = new float[dense[0].length];
        for (int i = 0; i < offsets.length; i++) {
            float[][] range = new float[dense.length][];
            for (int r = 0; r < dense.length; r++) {
                range[r] = Arrays.copyOfRange(dense[r], offsets[i], offsets[i] + lengths[i]);
            }
            System.arraycopy(DenseAllReduceTest.ringOrderSum(range), 0, sums, offsets[i], lengths[i]);
        }
        return sums;
    }

    static Rows randomRows(int dim, int count, int idRange, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        // Distinct ids: a backward pass's gradient has one row per id.
        long[] ids = random.longs(0, idRange).map(id -> id - idRange / 3).limit(4L * count).distinct().limit(count).toArray();
        float[] values = new float[ids.length * dim];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(20) == 0 ? -0.0f : (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 4)));
        }
        return new Rows(ids, values);
    }
}

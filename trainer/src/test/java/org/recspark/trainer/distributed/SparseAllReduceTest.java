package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sparse exchange: overlapping ids summed in rank order, sorted by id, the same bits on every rank. */
class SparseAllReduceTest {
    private static final CollectiveSettings SETTINGS = CollectiveSettings.defaults()
            .withTimeout(Duration.ofSeconds(20)).withSegmentBytes(256);
    private static final int[] DIMS = {4, 1};

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4})
    void overlappingIdsAreSummedInRankOrder(int size) {
        List<List<SparseRows>> inputs = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            // Rank 1 touched no row of table 0; ids repeat within and across ranks.
            inputs.add(List.of(r == 1 ? SparseRows.empty(DIMS[0]) : randomRows(DIMS[0], 200 + 50 * r, 300, r),
                    randomRows(DIMS[1], 1000, 100, 10 + r)));
        }
        List<List<SparseRows>> results = LoopbackRing.values(LoopbackRing.run(size, SETTINGS,
                ring -> ring.allReduceSparse(inputs.get(ring.member().rank()))));
        for (int t = 0; t < DIMS.length; t++) {
            SparseRows expected = referenceSum(inputs, t);
            for (int r = 0; r < size; r++) {
                SparseRows got = results.get(r).get(t);
                assertEquals(DIMS[t], got.dim(), "table " + t + " dim on rank " + r);
                assertArrayEquals(expected.ids(), got.ids(), "table " + t + " ids on rank " + r);
                assertArrayEquals(DenseAllReduceTest.bits(expected.rows()), DenseAllReduceTest.bits(got.rows()),
                        "table " + t + " row bits on rank " + r);
            }
        }
    }

    @Test
    void ranksWithDifferentDimsFail() {
        List<LoopbackRing.Outcome<List<SparseRows>>> outcomes = LoopbackRing.run(2, SETTINGS,
                ring -> ring.allReduceSparse(List.of(SparseRows.empty(ring.member().rank() == 0 ? 4 : 8))));
        for (LoopbackRing.Outcome<List<SparseRows>> o : outcomes) {
            String message = o.failure().getMessage();
            assertTrue(message.contains("table 0 has dim") && message.contains("same tables"), message);
        }
    }

    @Test
    void ranksWithDifferentTableCountsFail() {
        List<LoopbackRing.Outcome<List<SparseRows>>> outcomes = LoopbackRing.run(2, SETTINGS,
                ring -> ring.allReduceSparse(ring.member().rank() == 0 ? List.of(SparseRows.empty(4))
                        : List.of(SparseRows.empty(4), SparseRows.empty(4))));
        for (LoopbackRing.Outcome<List<SparseRows>> o : outcomes) {
            assertTrue(o.failure().getMessage().contains("table count"), o.failure().getMessage());
        }
    }

    static SparseRows randomRows(int dim, int count, int idRange, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] ids = new long[count];
        float[] rows = new float[count * dim];
        for (int i = 0; i < count; i++) {
            ids[i] = random.nextInt(idRange) - idRange / 3;
            for (int j = 0; j < dim; j++) {
                rows[i * dim + j] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 4)));
            }
        }
        return new SparseRows(dim, ids, rows);
    }

    /** Written apart from SparseRows.sumById: a sorted map, rows folded in rank then row order. */
    static SparseRows referenceSum(List<List<SparseRows>> inputs, int table) {
        int dim = DIMS[table];
        TreeMap<Long, float[]> sums = new TreeMap<>();
        for (List<SparseRows> rank : inputs) {
            SparseRows rows = rank.get(table);
            for (int i = 0; i < rows.size(); i++) {
                float[] row = Arrays.copyOfRange(rows.rows(), i * dim, (i + 1) * dim);
                float[] sum = sums.get(rows.ids()[i]);
                if (sum == null) {
                    sums.put(rows.ids()[i], row);
                } else {
                    for (int j = 0; j < dim; j++) {
                        sum[j] += row[j];
                    }
                }
            }
        }
        long[] ids = new long[sums.size()];
        float[] rows = new float[sums.size() * dim];
        int k = 0;
        for (Map.Entry<Long, float[]> e : sums.entrySet()) {
            ids[k] = e.getKey();
            System.arraycopy(e.getValue(), 0, rows, k * dim, dim);
            k++;
        }
        return new SparseRows(dim, ids, rows);
    }
}

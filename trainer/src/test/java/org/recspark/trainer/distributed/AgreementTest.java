package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** All-gather of longs and agreement on a minimum or maximum, e.g. steps per epoch over uneven partitions. */
class AgreementTest {
    private static final CollectiveSettings SETTINGS = CollectiveSettings.defaults().withTimeout(Duration.ofSeconds(20));

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4})
    void everyRankAgreesOnTheSameValues(int size) {
        List<long[]> results = LoopbackRing.values(LoopbackRing.run(size, SETTINGS, ring -> {
            long stepsInMyPartition = 100 + 7L * ((ring.member().rank() * 5) % size) - ring.member().rank();
            long[] gathered = ring.allGatherLongs(stepsInMyPartition);
            long min = ring.minAcrossRanks(stepsInMyPartition);
            long max = ring.maxAcrossRanks(stepsInMyPartition);
            long[] extremes = ring.allGatherLongs(ring.member().rank() == size - 1 ? Long.MIN_VALUE : Long.MAX_VALUE);
            long[] out = new long[gathered.length + 2 + extremes.length];
            System.arraycopy(gathered, 0, out, 0, gathered.length);
            out[gathered.length] = min;
            out[gathered.length + 1] = max;
            System.arraycopy(extremes, 0, out, gathered.length + 2, extremes.length);
            return out;
        }));
        long[] byRank = new long[size];
        long[] extremes = new long[size];
        for (int r = 0; r < size; r++) {
            byRank[r] = 100 + 7L * ((r * 5) % size) - r;
            extremes[r] = r == size - 1 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        for (int r = 0; r < size; r++) {
            long[] got = results.get(r);
            assertArrayEquals(byRank, Arrays.copyOfRange(got, 0, size), "values by rank on rank " + r);
            assertEquals(Arrays.stream(byRank).min().orElseThrow(), got[size], "min on rank " + r);
            assertEquals(Arrays.stream(byRank).max().orElseThrow(), got[size + 1], "max on rank " + r);
            assertArrayEquals(extremes, Arrays.copyOfRange(got, size + 2, got.length), "extreme values on rank " + r);
        }
    }
}

package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Dense all-reduce: the same bits on every rank, equal to a sequential sum in the documented order of each path
 * (rank order when gathering; along the ring from the chunk's index for the ring), for buffers empty, shorter than
 * the ring, not divisible by it, and large.
 */
class DenseAllReduceTest {
    private static final CollectiveSettings DEFAULTS = CollectiveSettings.defaults().withTimeout(Duration.ofSeconds(20));
    /** The ring even for tiny buffers, in pieces of 64 bytes so that a step spans many segments. */
    private static final CollectiveSettings RING = DEFAULTS.withSmallMessageBytes(0).withSegmentBytes(64);
    private static final CollectiveSettings GATHER = DEFAULTS.withSmallMessageBytes(Integer.MAX_VALUE).withSegmentBytes(64);

    enum Path {
        RING,
        GATHER
    }

    static Stream<Arguments> sizesAndLengths() {
        List<Arguments> out = new ArrayList<>();
        for (int n = 1; n <= 4; n++) {
            for (int length : IntStream.of(0, 1, n - 1, 7 * n + 3, 1000, 5003).distinct().toArray()) {
                for (Path path : Path.values()) {
                    out.add(Arguments.of(n, length, path));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} ranks, {1} floats, {2}")
    @MethodSource("sizesAndLengths")
    void everyRankGetsTheSumInTheDocumentedOrder(int size, int length, Path path) {
        float[][] inputs = randomInputs(size, length, 31L * size + length);
        float[] expected = path == Path.GATHER ? rankOrderSum(inputs) : ringOrderSum(inputs);
        List<float[]> results = allReduce(inputs, path == Path.GATHER ? GATHER : RING);
        assertIdenticalBits(expected, results);
    }

    @ParameterizedTest(name = "{0} ranks")
    @MethodSource("ringSizes")
    void largeBuffersTakeTheRingByDefault(int size) {
        int length = 4 << 20;
        float[][] inputs = randomInputs(size, length, size);
        List<float[]> results = allReduce(inputs, DEFAULTS);
        assertIdenticalBits(ringOrderSum(inputs), results);
    }

    @ParameterizedTest(name = "{0} ranks")
    @MethodSource("ringSizes")
    void smallBuffersAreGatheredAndSummedInRankOrderByDefault(int size) {
        int length = CollectiveSettings.DEFAULT_SMALL_MESSAGE_BYTES / Float.BYTES - 1;
        float[][] inputs = randomInputs(size, length, 7L * size);
        assertIdenticalBits(rankOrderSum(inputs), allReduce(inputs, DEFAULTS));
    }

    static Stream<Integer> ringSizes() {
        return Stream.of(2, 3, 4);
    }

    @Test
    void withTwoRanksTheRingIsTheRankOrderSum() {
        float[][] inputs = randomInputs(2, 10_001, 5);
        assertIdenticalBits(rankOrderSum(inputs), allReduce(inputs, RING));
    }

    @Test
    void theRingSumsChunkCStartingAtRankC() {
        // Three ranks, one element per chunk, values whose sum depends on the order: 1 + 1e8 rounds to 1e8.
        float[][] inputs = {{1, 1, 1}, {1e8f, 1e8f, 1e8f}, {-1e8f, -1e8f, -1e8f}};
        List<float[]> results = allReduce(inputs, RING);
        // chunk 0: (x0 + x1) + x2 = 0; chunk 1: (x1 + x2) + x0 = 1; chunk 2: (x2 + x0) + x1 = 0
        assertIdenticalBits(new float[] {0, 1, 0}, results);
        // gathering sums every element in rank order
        assertIdenticalBits(new float[] {0, 0, 0}, allReduce(inputs, GATHER));
    }

    @Test
    void repeatedCallsReuseTheGroup() {
        float[][] inputs = randomInputs(3, 333, 9);
        List<List<float[]>> perRank = LoopbackRing.values(LoopbackRing.run(3, RING, ring -> {
            List<float[]> rounds = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                float[] buffer = inputs[ring.member().rank()].clone();
                ring.allReduceSum(buffer);
                rounds.add(buffer);
            }
            return rounds;
        }));
        float[] expected = ringOrderSum(inputs);
        for (List<float[]> rounds : perRank) {
            for (float[] round : rounds) {
                assertArrayEquals(bits(expected), bits(round), "every round gives the same bits");
            }
        }
    }

    @ParameterizedTest(name = "{0} ranks")
    @MethodSource("ringSizes")
    void oneAllGatherOfSeveralReduceScatteredRangesIsTheRingSumOfEachRange(int size) {
        int[] lengths = {0, 1, size - 1, 5, 1000, 37};
        int[] offsets = new int[lengths.length];
        for (int i = 1; i < lengths.length; i++) {
            offsets[i] = offsets[i - 1] + lengths[i - 1];
        }
        int length = offsets[lengths.length - 1] + lengths[lengths.length - 1];
        float[][] inputs = randomInputs(size, length, 77L * size);
        List<float[]> results = LoopbackRing.values(LoopbackRing.run(size, RING, ring -> {
            float[] buffer = inputs[ring.member().rank()].clone();
            for (int i = 0; i < lengths.length; i++) {
                ring.reduceScatterSum(buffer, offsets[i], lengths[i]);
            }
            ring.allGatherChunks(buffer, offsets, lengths, null);
            return buffer;
        }));
        float[] expected = new float[length];
        for (int i = 0; i < lengths.length; i++) {
            float[][] range = new float[size][];
            for (int r = 0; r < size; r++) {
                range[r] = Arrays.copyOfRange(inputs[r], offsets[i], offsets[i] + lengths[i]);
            }
            System.arraycopy(ringOrderSum(range), 0, expected, offsets[i], lengths[i]);
        }
        assertIdenticalBits(expected, results);
    }

    static List<float[]> allReduce(float[][] inputs, CollectiveSettings settings) {
        return LoopbackRing.values(LoopbackRing.run(inputs.length, settings, ring -> {
            float[] buffer = inputs[ring.member().rank()].clone();
            ring.allReduceSum(buffer);
            return buffer;
        }));
    }

    /** Floats over many magnitudes, so that a different addition order shows in the bits. */
    static float[][] randomInputs(int size, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] out = new float[size][length];
        for (float[] rank : out) {
            for (int i = 0; i < length; i++) {
                rank[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-4, 5)));
            }
        }
        return out;
    }

    static float[] rankOrderSum(float[][] inputs) {
        float[] out = inputs[0].clone();
        for (int r = 1; r < inputs.length; r++) {
            for (int i = 0; i < out.length; i++) {
                out[i] += inputs[r][i];
            }
        }
        return out;
    }

    /** The ring's documented order: the first length % n chunks one longer; chunk c summed from rank c on. */
    static float[] ringOrderSum(float[][] inputs) {
        int n = inputs.length;
        int length = inputs[0].length;
        float[] out = new float[length];
        int offset = 0;
        for (int c = 0; c < n; c++) {
            int chunkLength = length / n + (c < length % n ? 1 : 0);
            for (int i = offset; i < offset + chunkLength; i++) {
                float sum = inputs[c][i];
                for (int k = 1; k < n; k++) {
                    sum += inputs[(c + k) % n][i];
                }
                out[i] = sum;
            }
            offset += chunkLength;
        }
        assertEquals(length, offset, "chunks cover the buffer");
        return out;
    }

    static void assertIdenticalBits(float[] expected, List<float[]> results) {
        for (int r = 0; r < results.size(); r++) {
            assertArrayEquals(bits(results.get(0)), bits(results.get(r)), "rank " + r + " has rank 0's bits");
            assertArrayEquals(bits(expected), bits(results.get(r)), "rank " + r + " equals the sequential sum");
        }
    }

    static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}

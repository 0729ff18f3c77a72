package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reduce-scatters started without waiting and advanced from the caller's thread: several in flight at once, ranks
 * that start and advance them at different times, give the blocking reduce-scatter's bits; a later collective
 * completes them first; a peer that dies or hangs mid-bucket fails the others with a {@link CollectiveException}.
 */
class StartedReduceScattersTest {
    private static final CollectiveSettings DEFAULTS = CollectiveSettings.defaults().withTimeout(Duration.ofSeconds(20));
    /** Pieces of 64 bytes, so that each frame arrives over many advances. */
    private static final CollectiveSettings SMALL_SEGMENTS = DEFAULTS.withSegmentBytes(64);
    private static final int[] LENGTHS = {0, 1, 2, 5, 1000, 5003, 70_000};

    static Stream<Arguments> sizesAndSettings() {
        List<Arguments> out = new ArrayList<>();
        for (int size = 1; size <= 4; size++) {
            out.add(Arguments.of(size, "default segments"));
            out.add(Arguments.of(size, "64-byte segments"));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} ranks, {1}")
    @MethodSource("sizesAndSettings")
    void severalStartedRangesGiveTheBlockingReduceScattersBits(int size, String segments) {
        CollectiveSettings settings = segments.startsWith("64") ? SMALL_SEGMENTS : DEFAULTS;
        int[] offsets = offsets(LENGTHS);
        float[][] inputs = DenseAllReduceTest.randomInputs(size, offsets[LENGTHS.length], 13L * size);
        List<float[][]> results = LoopbackRing.values(LoopbackRing.run(size, settings, ring -> {
            int rank = ring.member().rank();
            float[] blocking = inputs[rank].clone();
            for (int i = 0; i < LENGTHS.length; i++) {
                ring.reduceScatterSum(blocking, offsets[i], LENGTHS[i]);
            }
            float[] started = inputs[rank].clone();
            // Each rank computes for its own random times between starts, as backward passes on a loaded machine do.
            SplittableRandom random = new SplittableRandom(rank);
            for (int i = 0; i < LENGTHS.length; i++) {
                ring.startReduceScatterSum(started, offsets[i], LENGTHS[i]);
                for (int k = random.nextInt(4); k > 0; k--) {
                    TimeUnit.MICROSECONDS.sleep(random.nextInt(2000));
                    ring.advanceStarted();
                }
            }
            ring.completeStarted();
            return new float[][] {blocking, started};
        }));
        for (int r = 0; r < size; r++) {
            assertArrayEquals(DenseAllReduceTest.bits(results.get(r)[0]), DenseAllReduceTest.bits(results.get(r)[1]),
                    "rank " + r + ": the started reduce-scatters leave the blocking ones' bits, partial sums included");
        }
    }

    @Test
    void aLaterCollectiveCompletesTheStartedOnesFirst() {
        int size = 3;
        int[] offsets = offsets(LENGTHS);
        int length = offsets[LENGTHS.length];
        float[][] inputs = DenseAllReduceTest.randomInputs(size, length, 5);
        List<float[]> results = LoopbackRing.values(LoopbackRing.run(size, DEFAULTS, ring -> {
            float[] buffer = inputs[ring.member().rank()].clone();
            for (int i = 0; i < LENGTHS.length; i++) {
                ring.startReduceScatterSum(buffer, offsets[i], LENGTHS[i]);
            }
            long[] ranks = ring.allGatherLongs(ring.member().rank());
            assertArrayEquals(new long[] {0, 1, 2}, ranks, "the gather after the started reduce-scatters");
            ring.allGatherChunks(buffer, Arrays.copyOf(offsets, LENGTHS.length), LENGTHS, null);
            return buffer;
        }));
        float[] expected = new float[length];
        for (int i = 0; i < LENGTHS.length; i++) {
            float[][] range = new float[size][];
            for (int r = 0; r < size; r++) {
                range[r] = Arrays.copyOfRange(inputs[r], offsets[i], offsets[i] + LENGTHS[i]);
            }
            System.arraycopy(DenseAllReduceTest.ringOrderSum(range), 0, expected, offsets[i], LENGTHS[i]);
        }
        DenseAllReduceTest.assertIdenticalBits(expected, results);
    }

    @Test
    void aPeerThatDiesMidBucketFailsTheOthersBeforeTheTimeout() {
        // Far above the few milliseconds the closed sockets take to reach the others, so a loaded machine cannot
        // make the failure look like a timeout; the message then says "closed", never "timed out".
        CollectiveSettings settings = DEFAULTS.withTimeout(Duration.ofSeconds(10));
        int large = 4 << 20;
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(3, settings, ring -> {
            float[] buffer = new float[2 * large];
            ring.startReduceScatterSum(buffer, 0, large);
            if (ring.member().rank() == 2) {
                // Dies, as a killed executor would (its sockets close), with its first bucket partly sent.
                Thread.sleep(100);
                ring.close();
                return null;
            }
            ring.startReduceScatterSum(buffer, large, large);
            try {
                ring.completeStarted();
            } catch (CollectiveException e) {
                CollectiveException next = assertThrows(CollectiveException.class, ring::advanceStarted);
                assertTrue(next.getMessage().contains("on a closed group (failed in a started reduce-scatter"), next.getMessage());
                throw e;
            }
            return null;
        });
        for (int rank : new int[] {0, 1}) {
            LoopbackRing.Outcome<Object> o = outcomes.get(rank);
            String message = o.failure().getMessage();
            assertTrue(message.contains("rank " + rank + " of 3") && message.contains("allReduceSum #0 reduce-scatter step")
                    && message.contains("peer "), "names rank, phase and peer: " + message);
            assertTrue(message.contains("closed") || message.contains("I/O error"), message);
            assertTrue(o.bodyNanos() < settings.timeout().toNanos(), "rank " + rank + " failed before the timeout");
        }
    }

    @Test
    void aHungPeerTimesOutTheCompletion() {
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(2, DEFAULTS.withTimeout(Duration.ofMillis(500)), ring -> {
            if (ring.member().rank() == 1) {
                Thread.sleep(1500);
                return null;
            }
            ring.startReduceScatterSum(new float[100_000], 0, 100_000);
            ring.completeStarted();
            return null;
        });
        LoopbackRing.Outcome<Object> waiting = outcomes.get(0);
        String message = waiting.failure().getMessage();
        assertTrue(message.contains("timed out after 500 ms") && message.contains("predecessor rank 1")
                && message.contains("allReduceSum #0 reduce-scatter step 1/1"), message);
        assertTrue(waiting.bodyNanos() < TimeUnit.MILLISECONDS.toNanos(1400), "failed at the timeout");
    }

    /** Contiguous ranges of the given lengths; the last element is the total length. */
    private static int[] offsets(int[] lengths) {
        int[] offsets = new int[lengths.length + 1];
        for (int i = 0; i < lengths.length; i++) {
            offsets[i + 1] = offsets[i] + lengths[i];
        }
        return offsets;
    }
}

package org.recspark.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.recspark.model.data.Examples;

/** The input cache under a training stream: the streamed batches, decoded once, within its byte budget. */
class CachedRowChunksTest {
    private static final int CHUNK_ROWS = 128;
    private static final int CHUNKS = 24;
    private static final Examples ROWS = StreamingTrainingDataTest.rows(CHUNK_ROWS * CHUNKS, 21);

    private static PackedRowBatcher batcher() {
        return new PackedRowBatcher(new RowLayout(ROWS.schema(), List.of("click")), true);
    }

    private static StreamingTrainingData stream(RowChunkSource source, boolean shuffle) {
        return new StreamingTrainingData(source, batcher(), 42, shuffle, 300, 0);
    }

    private static List<Examples> epoch(TrainingData data, int epoch, long firstBatch) {
        List<Examples> out = new ArrayList<>();
        try (Batches batches = data.epoch(epoch, firstBatch, 100)) {
            batches.forEachRemaining(out::add);
        }
        return out;
    }

    private static List<Examples> epochForOneThread(TrainingData data, int epoch, long firstBatch) {
        List<Examples> out = new ArrayList<>();
        try (Batches batches = data.epochForOneThread(epoch, firstBatch, 100)) {
            batches.forEachRemaining(out::add);
        }
        return out;
    }

    private static void assertSameBatches(List<Examples> expected, List<Examples> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": batches");
        for (int b = 0; b < expected.size(); b++) {
            StreamingTrainingDataTest.assertSameRows(expected.get(b), actual.get(b));
            assertArrayEquals(expected.get(b).groupKeys(), actual.get(b).groupKeys(), what + ", batch " + b);
        }
    }

    private static long[] rowOrder(List<Examples> batches) {
        return batches.stream().flatMapToLong(b -> Arrays.stream(b.groupKeys())).toArray();
    }

    /** The rows' estimated bytes, from a cache that holds them all. */
    private static long allRowsBytes() {
        CachedRowChunks all = new CachedRowChunks(ExamplesChunks.of(ROWS, CHUNK_ROWS), Long.MAX_VALUE, "all");
        epoch(stream(all, false), 0, 0);
        assertEquals(CHUNKS, all.keptChunks());
        return all.keptBytes();
    }

    @Test
    void cachedEpochsGiveTheStreamedBatchesShuffledPerEpochAndDecodeEachRowOnce() {
        TrainingData streamed = stream(ExamplesChunks.of(ROWS, CHUNK_ROWS), true);
        ExamplesChunks source = ExamplesChunks.of(ROWS, CHUNK_ROWS);
        CachedRowChunks cache = new CachedRowChunks(source, 1L << 30, "test");
        TrainingData cached = stream(cache, true);
        List<Examples> first = null;
        for (int e = 0; e < 4; e++) {
            List<Examples> expected = epoch(streamed, e, 0);
            assertSameBatches(expected, epoch(cached, e, 0), "epoch " + e);
            assertSameBatches(expected, epochForOneThread(cached, e, 0), "epoch " + e + " for one thread");
            if (first == null) {
                first = expected;
            } else {
                assertNotEquals(Arrays.toString(rowOrder(first)), Arrays.toString(rowOrder(expected)), "epoch " + e + " is reshuffled");
            }
        }
        assertSameBatches(epoch(streamed, 2, 9), epoch(cached, 2, 9), "epoch 2 resumed at batch 9");
        assertSameBatches(epoch(streamed, 2, 9), epochForOneThread(cached, 2, 9), "epoch 2 for one thread resumed at batch 9");
        assertEquals(ROWS.numRows(), source.rowsRead(), "every row decoded once, in the first epoch");
        assertEquals(CHUNKS, cache.keptChunks());
        assertTrue(cache.keptBytes() > (long) ROWS.numRows() * 100, cache.keptBytes() + " bytes for " + ROWS.numRows() + " rows");
    }

    @Test
    void anEpochOfHeldChunksIsAssembledOnTheConsumersThreadAndOnlyThen() {
        CachedRowChunks cache = new CachedRowChunks(ExamplesChunks.of(ROWS, CHUNK_ROWS), 1L << 30, "test");
        TrainingData cached = stream(cache, true);
        try (Batches first = cached.epochForOneThread(0, 0, 100)) {
            assertTrue(first instanceof PrefetchingBatches, "the first epoch decodes on its own thread");
            first.forEachRemaining(b -> { });
        }
        try (Batches later = cached.epochForOneThread(1, 0, 100)) {
            assertTrue(later instanceof HeldRowBatches, "an epoch of held chunks: " + later.getClass().getSimpleName());
        }
        try (Batches later = cached.epoch(1, 0, 100)) {
            assertTrue(later instanceof PrefetchingBatches, "a trainer of several threads keeps the decoding thread");
        }
        CachedRowChunks partly = new CachedRowChunks(ExamplesChunks.of(ROWS, CHUNK_ROWS), allRowsBytes() / 2, "half");
        TrainingData half = stream(partly, true);
        epoch(half, 0, 0);
        try (Batches later = half.epochForOneThread(1, 0, 100)) {
            assertTrue(later instanceof PrefetchingBatches, "chunks still decoded every epoch keep the decoding thread");
        }
    }

    @Test
    void heldBatchesCountTheRowsTheyHandOutAndReleaseThemOnClose() {
        CachedRowChunks cache = new CachedRowChunks(ExamplesChunks.of(ROWS, CHUNK_ROWS), 1L << 30, "test");
        StreamingTrainingData cached = stream(cache, true);
        epoch(cached, 0, 0);
        List<Examples> unshuffledStreamed = epoch(stream(ExamplesChunks.of(ROWS, CHUNK_ROWS), false), 1, 3);
        CachedRowChunks plain = new CachedRowChunks(ExamplesChunks.of(ROWS, CHUNK_ROWS), 1L << 30, "plain");
        TrainingData unshuffled = stream(plain, false);
        epoch(unshuffled, 0, 0);
        assertSameBatches(unshuffledStreamed, epochForOneThread(unshuffled, 1, 3), "unshuffled, from batch 3");
        try (Batches batches = cached.epochForOneThread(1, 0, 100)) {
            batches.next();
            batches.next();
        }
        assertTrue(cached.peakLiveRows() <= cached.liveRowBound(100), "peak " + cached.peakLiveRows());
        assertThrows(NoSuchElementException.class, () -> {
            try (Batches batches = cached.epochForOneThread(1, 31, 100)) {
                batches.next();
            }
        }, "past the last batch");
    }

    @Test
    void aBudgetTooSmallForEveryRowKeepsTheChunksThatFitAndStreamsTheRestEveryEpoch() {
        long budget = allRowsBytes() / 2;
        TrainingData streamed = stream(ExamplesChunks.of(ROWS, CHUNK_ROWS), true);
        ExamplesChunks source = ExamplesChunks.of(ROWS, CHUNK_ROWS);
        CachedRowChunks cache = new CachedRowChunks(source, budget, "half");
        TrainingData cached = stream(cache, true);
        for (int e = 0; e < 3; e++) {
            assertSameBatches(epoch(streamed, e, 0), epoch(cached, e, 0), "epoch " + e);
        }
        int kept = cache.keptChunks();
        assertTrue(kept >= CHUNKS / 2 - 2 && kept <= CHUNKS / 2, kept + " of " + CHUNKS + " chunks kept in half the bytes");
        assertTrue(cache.keptBytes() <= budget, cache.keptBytes() + " bytes kept, budget " + budget);
        assertEquals(ROWS.numRows() + 2L * CHUNK_ROWS * (CHUNKS - kept), source.rowsRead(),
                "the chunks not kept are decoded again in each later epoch");
    }

    @Test
    void aOneByteBudgetKeepsNothing() {
        ExamplesChunks source = ExamplesChunks.of(ROWS, CHUNK_ROWS);
        CachedRowChunks cache = new CachedRowChunks(source, 1, "none");
        TrainingData cached = stream(cache, false);
        epoch(cached, 0, 0);
        epoch(cached, 1, 0);
        assertEquals(0, cache.keptChunks());
        assertEquals(0, cache.keptBytes());
        assertEquals(2L * ROWS.numRows(), source.rowsRead());
    }

    @Test
    void aChunkCutShortByClosingTheStreamIsNotKept() {
        ExamplesChunks source = ExamplesChunks.of(ROWS, ROWS.numRows());
        CachedRowChunks cache = new CachedRowChunks(source, 1L << 30, "closed");
        TrainingData cached = stream(cache, false);
        try (Batches batches = cached.epoch(0, 0, 100)) {
            assertTrue(batches.hasNext());
            batches.next();
        }
        assertEquals(0, cache.keptChunks(), "a chunk read in part is not a chunk");
        assertSameBatches(epoch(stream(ExamplesChunks.of(ROWS, ROWS.numRows()), false), 0, 0), epoch(cached, 0, 0), "the next epoch");
        assertEquals(1, cache.keptChunks());
    }

    @Test
    void theBudgetMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CachedRowChunks(ExamplesChunks.of(ROWS, CHUNK_ROWS), 0, "zero"));
        assertEquals("train_config.input_cache.max_bytes must be >= 1, got 0", e.getMessage());
    }
}

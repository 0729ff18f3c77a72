package org.recspark.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.config.ConfigParser;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.model.data.Examples;
import org.recspark.model.data.ExamplesBuilder;

/** The streaming readers over chunks of rows in memory: order, shuffle, resume, memory bound. Without Spark. */
class StreamingTrainingDataTest {
    private static final FeatureSchema SCHEMA = FeatureGenerator.compile(ConfigParser.parseText("""
            feature_config {
              features { name: "user" id { input: "user.user_id" num_buckets: 1000 } }
              features { name: "tags" tag { input: "item.tags" kv_separator: ":" hash_bucket_size: 100 } }
              features { name: "price" raw { input: "item.price" } }
            }
            """, "test").getFeatureConfig(), Path.of(".")).schema();

    /** Rows with 0-3 weighted tags, a price and a click label. */
    static Examples rows(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ExamplesBuilder builder = new ExamplesBuilder(SCHEMA, List.of("click"));
        for (int r = 0; r < n; r++) {
            int tags = random.nextInt(4);
            long[] ids = new long[tags];
            float[] weights = new float[tags];
            for (int t = 0; t < tags; t++) {
                ids[t] = random.nextInt(100);
                weights[t] = (float) random.nextDouble();
            }
            builder.addRow(new long[][]{{random.nextInt(1000)}, ids, null}, new float[][]{null, weights, null},
                    new float[][]{null, null, {(float) random.nextDouble()}}, new float[]{random.nextInt(2)}, null);
        }
        return builder.build();
    }

    private static PackedRowBatcher batcher() {
        return new PackedRowBatcher(new RowLayout(SCHEMA, List.of("click")), true);
    }

    /** The batches of an epoch, as the rows' indices (their group keys). */
    private static List<long[]> epochRows(TrainingData data, int epoch, long firstBatch, int batchSize) {
        List<long[]> out = new ArrayList<>();
        try (Batches batches = data.epoch(epoch, firstBatch, batchSize)) {
            batches.forEachRemaining(b -> out.add(b.groupKeys()));
        }
        return out;
    }

    private static long[] flat(List<long[]> batches) {
        return batches.stream().flatMapToLong(Arrays::stream).toArray();
    }

    static void assertSameRows(Examples expected, Examples actual) {
        assertEquals(expected.numRows(), actual.numRows());
        for (int f = 0; f < expected.schema().size(); f++) {
            FeatureSpec spec = expected.schema().features().get(f);
            if (spec.sparse()) {
                assertArrayEquals(expected.sparse(f).offsets(), actual.sparse(f).offsets(), spec.name());
                assertArrayEquals(expected.sparse(f).ids(), actual.sparse(f).ids(), spec.name());
                assertArrayEquals(expected.sparse(f).weights(), actual.sparse(f).weights(), spec.name());
            } else {
                assertArrayEquals(expected.dense(f), actual.dense(f), spec.name());
            }
        }
        for (String label : expected.labels().keySet()) {
            assertArrayEquals(expected.label(label), actual.label(label), label);
        }
    }

    @Test
    void withoutShuffleTheBatchesAreTheInMemoryBatchesOfTheStoredOrder() {
        Examples rows = rows(1000, 1);
        TrainingData memory = new InMemoryTrainingData(rows, 7, false);
        TrainingData stream = new StreamingTrainingData(new ExamplesChunks(rows, 300, 1, 499, 200), batcher(), 7, false, 50, 0);
        assertEquals(1000, stream.numRows());
        try (Batches expected = memory.epoch(0, 0, 64); Batches actual = stream.epoch(0, 0, 64)) {
            int batches = 0;
            while (expected.hasNext()) {
                assertTrue(actual.hasNext());
                assertSameRows(expected.next(), actual.next());
                batches++;
            }
            assertEquals(16, batches);
            assertTrue(!actual.hasNext());
        }
    }

    @Test
    void aShuffledEpochHoldsEveryRowOnceInAnOrderFixedBySeedAndEpoch() {
        Examples rows = rows(2000, 2);
        ExamplesChunks chunks = ExamplesChunks.of(rows, 128);
        TrainingData stream = new StreamingTrainingData(chunks, batcher(), 42, true, 300, 0);
        long[] epoch0 = flat(epochRows(stream, 0, 0, 100));
        long[] sorted = epoch0.clone();
        Arrays.sort(sorted);
        long[] all = new long[2000];
        Arrays.setAll(all, i -> i);
        assertArrayEquals(all, sorted, "every row exactly once");
        assertArrayEquals(epoch0, flat(epochRows(stream, 0, 0, 100)), "the same epoch again");
        assertArrayEquals(epoch0, flat(epochRows(new StreamingTrainingData(ExamplesChunks.of(rows, 128), batcher(), 42, true, 300, 0),
                0, 0, 100)), "another reader with the same seed");
        assertNotEquals(Arrays.toString(epoch0), Arrays.toString(flat(epochRows(stream, 1, 0, 100))), "another epoch");
        assertNotEquals(Arrays.toString(epoch0), Arrays.toString(flat(epochRows(
                new StreamingTrainingData(chunks, batcher(), 43, true, 300, 0), 0, 0, 100))), "another seed");
        assertNotEquals(Arrays.toString(epoch0), Arrays.toString(flat(epochRows(
                new StreamingTrainingData(chunks, batcher(), 42, true, 300, 1), 0, 0, 100))), "another worker");
        // rows travel further than one chunk: the chunk order and the buffer both mix
        long displaced = 0;
        for (int i = 0; i < epoch0.length; i++) {
            displaced += Math.abs(epoch0[i] - i) > 128 ? 1 : 0;
        }
        assertTrue(displaced > 1500, displaced + " rows moved by more than a chunk");
    }

    @Test
    void anEpochStartedAtABatchGivesTheBatchesFromThere() {
        Examples rows = rows(1500, 3);
        TrainingData stream = new StreamingTrainingData(ExamplesChunks.of(rows, 100), batcher(), 5, true, 256, 0);
        List<long[]> whole = epochRows(stream, 2, 0, 64);
        assertEquals(24, whole.size());
        List<long[]> resumed = epochRows(stream, 2, 9, 64);
        assertEquals(15, resumed.size());
        for (int b = 0; b < resumed.size(); b++) {
            assertArrayEquals(whole.get(9 + b), resumed.get(b), "batch " + (9 + b));
        }
        assertEquals(0, epochRows(stream, 2, 24, 64).size());
    }

    @Test
    void holdsAtMostTheShuffleBufferAndTheBatchesInFlight() {
        int n = 200_000;
        Examples rows = rows(n, 4);
        ExamplesChunks chunks = ExamplesChunks.of(rows, 5000);
        int buffer = 1000;
        int batch = 256;
        StreamingTrainingData stream = new StreamingTrainingData(chunks, batcher(), 1, true, buffer, 0);
        long seen = 0;
        try (Batches batches = stream.epoch(0, 0, batch)) {
            while (batches.hasNext()) {
                seen += batches.next().numRows();
            }
        }
        assertEquals(n, seen);
        long bound = buffer + (long) (PrefetchingBatches.PREFETCH_BATCHES + 3) * batch;
        assertEquals(bound, stream.liveRowBound(batch));
        assertTrue(stream.peakLiveRows() <= bound, "peak " + stream.peakLiveRows() + " decoded rows held, bound " + bound);
        assertTrue(stream.peakLiveRows() >= buffer, "the buffer fills: " + stream.peakLiveRows());
    }

    @Test
    void closingEarlyStopsReading() throws InterruptedException {
        Examples rows = rows(50_000, 5);
        ExamplesChunks chunks = ExamplesChunks.of(rows, 1000);
        TrainingData stream = new StreamingTrainingData(chunks, batcher(), 1, true, 500, 0);
        try (Batches batches = stream.epoch(0, 0, 100)) {
            batches.next();
        }
        long read = chunks.rowsRead();
        Thread.sleep(200);
        assertEquals(read, chunks.rowsRead(), "nothing is read after close");
        assertTrue(read < 5000, read + " rows read for one batch");
    }

    @Test
    void aChunkWithOtherRowsThanPlannedFailsTheEpoch() {
        Examples rows = rows(300, 6);
        TrainingData stream = new StreamingTrainingData(new ExamplesChunks(rows, 100, 200).announcingForFirstChunk(90), batcher(), 1,
                false, 10, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (Batches batches = stream.epoch(0, 0, 50)) {
                batches.forEachRemaining(b -> { });
            }
        });
        assertTrue(e.getMessage().contains("chunk 0 gave 100 rows where 90 were planned"), e.getMessage());
    }

    @Test
    void evaluationRowsStreamInTheirStoredOrder() {
        Examples rows = rows(1000, 7);
        EvaluationData stream = new StreamingEvaluationData(new ExamplesChunks(rows, 10, 600, 390), batcher());
        EvaluationData memory = new InMemoryEvaluationData(rows);
        try (Batches expected = memory.batches(128); Batches actual = stream.batches(128)) {
            while (expected.hasNext()) {
                assertSameRows(expected.next(), actual.next());
            }
            assertTrue(!actual.hasNext());
        }
    }
}

package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.recspark.model.nn.Initializer;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;

class FusedGradientLayoutTest {

    @Test
    void gradientsFillBucketsInReverseCreationOrderAndEachRankHasATailChunk() {
        ModelParameters params = new ModelParameters(1);
        Parameter first = params.weight("first", 100, 100, Initializer.zeros());
        params.buffer("running_mean", 1, 7, Initializer.zeros());
        Parameter second = params.weight("second", 100, 100, Initializer.zeros());
        Parameter bias = params.weight("bias", 1, 10, Initializer.zeros());
        FusedGradientLayout layout = new FusedGradientLayout(params.all(), 3);

        // bias and second share a bucket (10,010 floats); first would overflow it and starts the next.
        assertEquals(2, layout.bucketCount());
        assertEquals(0, layout.bucketOf(layout.indexOf(bias)));
        assertEquals(0, layout.bucketOf(layout.indexOf(second)));
        assertEquals(1, layout.bucketOf(layout.indexOf(first)));
        assertEquals(2, layout.parametersInBucket(0));
        assertEquals(1, layout.parametersInBucket(1));
        assertEquals(10_010, layout.bucketLength(0));
        assertEquals(10_000, layout.bucketLength(1));

        // A tail: the buffer's 7 statistics, whether it was observed, the loss; one per rank, each a chunk of the
        // all-gather's last range as the ring cuts it.
        assertEquals(20_010, layout.tailStart());
        assertEquals(7 + 1 + 1, layout.tailLength());
        assertEquals(20_010 + 3 * 9, layout.length());
        assertArrayEquals(new int[] {0, 10_010, 20_010}, layout.gatherStarts());
        assertArrayEquals(new int[] {10_010, 10_000, 27}, layout.gatherLengths());
        ChunkLayout tails = new ChunkLayout(27, 3);
        for (int chunk = 0; chunk < 3; chunk++) {
            assertEquals(layout.tailStart() + tails.offset(chunk), layout.tailOfChunk(chunk));
            assertEquals(layout.tailLength(), tails.length(chunk));
        }
    }

    @Test
    void everyTrainableCoordinateIsOwnedByExactlyOneChunk() {
        ModelParameters params = new ModelParameters(1);
        params.weight("a", 3, 7, Initializer.zeros());
        params.buffer("stat", 1, 2, Initializer.zeros());
        params.weight("b", 200, 100, Initializer.zeros());
        FusedGradientLayout layout = new FusedGradientLayout(params.all(), 4);
        for (int size = 1; size <= 4; size++) {
            int[] owners = new int[layout.tailStart()];
            for (int chunk = 0; chunk < size; chunk++) {
                for (FusedGradientLayout.Segment s : layout.chunkSegments(chunk, size)) {
                    for (int i = s.offset(); i < s.offset() + s.to() - s.from(); i++) {
                        owners[i]++;
                    }
                }
            }
            for (int i = 0; i < owners.length; i++) {
                assertTrue(owners[i] == 1, size + " ranks: coordinate " + i + " owned " + owners[i] + " times");
            }
        }
    }
}

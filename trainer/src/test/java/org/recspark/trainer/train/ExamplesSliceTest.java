package org.recspark.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureSpec;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;

/**
 * A batch's shards are cut with {@link Examples#slice}, which copies each column as one block; it
 * must give exactly what selecting the same rows one by one gives, for one-id, multi-id and empty
 * sparse rows, dense columns, labels and group keys.
 */
class ExamplesSliceTest {

    @Test
    void sliceEqualsSelectingTheSameRows() {
        PipelineConfig config = RandomExamples.config("");
        Examples all = RandomExamples.generate(config, 40, 7);
        Examples shuffled = all.select(new int[] {5, 3, 39, 0, 17, 17, 22, 8, 31, 2, 11, 26});
        for (int[] range : new int[][] {{0, 12}, {0, 5}, {5, 12}, {4, 4}, {11, 12}}) {
            Examples sliced = shuffled.slice(range[0], range[1]);
            Examples selected = shuffled.select(IntStream.range(range[0], range[1]).toArray());
            String label = "rows [" + range[0] + ", " + range[1] + ")";
            assertEquals(selected.numRows(), sliced.numRows(), label);
            for (int f = 0; f < all.schema().features().size(); f++) {
                FeatureSpec spec = all.schema().features().get(f);
                if (spec.sparse()) {
                    SparseValues want = selected.sparse(f);
                    SparseValues got = sliced.sparse(f);
                    assertArrayEquals(want.offsets(), got.offsets(), label + ", offsets of " + spec.name());
                    assertArrayEquals(want.ids(), got.ids(), label + ", ids of " + spec.name());
                    assertArrayEquals(want.weights(), got.weights(), label + ", weights of " + spec.name());
                } else {
                    assertArrayEquals(selected.dense(f), sliced.dense(f), label + ", values of " + spec.name());
                }
            }
            assertArrayEquals(selected.label("click"), sliced.label("click"), label + ", labels");
            assertArrayEquals(selected.groupKeys(), sliced.groupKeys(), label + ", group keys");
        }
    }

    @Test
    void selectCopiesOneIdAndSeveralIdRowsAlike() {
        SparseValues values = new SparseValues(new int[] {0, 1, 3, 3, 4}, new long[] {10, 20, 21, 40}, new float[] {1, 2, 3, 4});
        SparseValues picked = values.select(new int[] {3, 1, 2, 0, 1});
        assertArrayEquals(new int[] {0, 1, 3, 3, 4, 6}, picked.offsets());
        assertArrayEquals(new long[] {40, 20, 21, 10, 20, 21}, picked.ids());
        assertArrayEquals(new float[] {4, 2, 3, 1, 2, 3}, picked.weights());
    }
}

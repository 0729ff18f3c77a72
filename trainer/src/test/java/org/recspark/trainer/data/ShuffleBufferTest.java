package org.recspark.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShuffleBufferTest {
    @Test
    void rowsComeOutOnceTheBufferIsATenthFullAndEveryRowComesOutOnce() {
        ShuffleBuffer<Integer> buffer = new ShuffleBuffer<>(100, new SplittableRandom(3));
        List<Integer> out = new ArrayList<>();
        int firstOutAfter = -1;
        for (int i = 0; i < 1000; i++) {
            buffer.offer(i, out::add);
            if (firstOutAfter < 0 && !out.isEmpty()) {
                firstOutAfter = i + 1;
            }
            // while filling, one row out for two in; once full, one for one
            assertTrue(i + 1 - out.size() <= 100, "at most 100 rows held after " + (i + 1));
        }
        assertEquals(10, firstOutAfter);
        assertEquals(900, out.size(), "full from the 190th row on: 1000 in, 100 held");
        buffer.drain(out::add);
        assertArrayEquals(java.util.stream.IntStream.range(0, 1000).toArray(), out.stream().mapToInt(Integer::intValue).sorted().toArray());
        List<Integer> again = new ArrayList<>();
        ShuffleBuffer<Integer> same = new ShuffleBuffer<>(100, new SplittableRandom(3));
        for (int i = 0; i < 1000; i++) {
            same.offer(i, again::add);
        }
        same.drain(again::add);
        assertEquals(out, again, "the same seed gives the same order");
    }
}

package org.recspark.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.recspark.model.data.Examples;

/** The background reader hands out its source's batches in order, reports its failures and stops when closed. */
class AheadBatchesTest {
    private static final Examples ROWS = StreamingTrainingDataTest.rows(40, 3);

    /** The batches of 4 rows of ROWS; fails at batch {@code failAt} (-1: never); endless when {@code endless}. */
    private static final class Source implements Batches {
        final AtomicInteger taken = new AtomicInteger();
        final AtomicBoolean closed = new AtomicBoolean();
        final List<Examples> handed = new ArrayList<>();
        final int failAt;
        final boolean endless;

        Source(int failAt, boolean endless) {
            this.failAt = failAt;
            this.endless = endless;
        }

        @Override
        public boolean hasNext() {
            return endless || taken.get() < 10;
        }

        @Override
        public Examples next() {
            int b = taken.getAndIncrement();
            if (b == failAt) {
                throw new IllegalArgumentException("batch " + b + " is broken");
            }
            Examples batch = ROWS.slice(4 * (b % 10), 4 * (b % 10) + 4);
            synchronized (handed) {
                handed.add(batch);
            }
            return batch;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void handsOutTheSourcesBatchesInOrderAndClosesIt() throws InterruptedException {
        Source source = new Source(-1, false);
        List<Examples> got = new ArrayList<>();
        try (AheadBatches batches = new AheadBatches("test", source, 2)) {
            while (batches.hasNext()) {
                got.add(batches.next());
            }
            assertThrows(NoSuchElementException.class, batches::next);
        }
        assertEquals(10, got.size());
        for (int i = 0; i < got.size(); i++) {
            assertSame(source.handed.get(i), got.get(i), "batch " + i);
        }
        assertTrue(source.closed.get(), "the source is closed once read to its end");
    }

    @Test
    void aFailureOfTheSourceReachesTheConsumer() {
        Source source = new Source(3, false);
        try (AheadBatches batches = new AheadBatches("test", source, 2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                while (batches.hasNext()) {
                    batches.next();
                }
            });
            assertTrue(e.getCause() instanceof IllegalArgumentException, "the source's own exception is the cause");
        }
    }

    @Test
    void closingEarlyStopsReadingAheadAndClosesTheSource() throws InterruptedException {
        Source source = new Source(-1, true);
        AheadBatches batches = new AheadBatches("test", source, 2);
        assertTrue(batches.hasNext());
        batches.next();
        batches.close();
        assertTrue(source.closed.get(), "closed with the reader");
        int taken = source.taken.get();
        Thread.sleep(50);
        assertEquals(taken, source.taken.get(), "nothing is read after close");
        assertTrue(taken <= 1 + 2 + 1, "at most the batches ahead (plus one being put) were read: " + taken);
        assertFalse(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("recspark-batches-test") && t.isAlive()),
                "the background thread has ended");
    }
}

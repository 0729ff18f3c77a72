package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failures end every rank's collective within the timeout, with the rank, phase and peer in the message: a peer
 * that dies or hangs, an interruption, a close from another thread, ranks that diverge.
 */
class FailureTest {
    private static final CollectiveSettings SETTINGS = CollectiveSettings.defaults().withTimeout(Duration.ofSeconds(2));
    private static final int LARGE = 4 << 20;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    @Test
    void aPeerThatDiesMidCollectiveFailsTheOthersBeforeTheTimeout() {
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(4, SETTINGS, ring -> {
            ring.allReduceSum(new float[1000]);
            if (ring.member().rank() == 2) {
                // Dies, as a killed executor would (its sockets close), while the others are sending it 16 MB.
                Thread.sleep(100);
                ring.close();
                return null;
            }
            ring.allReduceSum(new float[LARGE]);
            return null;
        });
        for (int rank : new int[] {0, 1, 3}) {
            LoopbackRing.Outcome<Object> o = outcomes.get(rank);
            String message = o.failure().getMessage();
            assertTrue(message.contains("rank " + rank + " of 4") && message.contains("allReduceSum #1 reduce-scatter step")
                    && message.contains("peer "), "names rank, phase and peer: " + message);
            assertTrue(message.contains("closed") || message.contains("I/O error"), message);
            assertTrue(o.bodyNanos() < SETTINGS.timeout().toNanos(), "rank " + rank + " failed before the timeout");
        }
    }

    @Test
    void aHungPeerTimesOutTheOthers() {
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(3, SETTINGS.withTimeout(Duration.ofMillis(500)), ring -> {
            if (ring.member().rank() == 1) {
                Thread.sleep(1500);
                return null;
            }
            ring.allReduceSum(new float[100_000]);
            return null;
        });
        String successor = outcomes.get(2).failure().getMessage();
        assertTrue(successor.contains("timed out after 500 ms") && successor.contains("predecessor rank 1"), successor);
        // Rank 0 waits for rank 2, which waits for rank 1: it times out about when rank 2 does, or sees it close.
        String other = outcomes.get(0).failure().getMessage();
        assertTrue(other.contains("predecessor rank 2") && (other.contains("timed out") || other.contains("closed") || other.contains("I/O error")), other);
        for (int rank : new int[] {0, 2}) {
            assertTrue(outcomes.get(rank).bodyNanos() < TimeUnit.MILLISECONDS.toNanos(1400), "rank " + rank + " failed at the timeout");
        }
    }

    @Test
    void interruptionEndsACollectiveAndStaysVisible() {
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(2, SETTINGS.withTimeout(Duration.ofSeconds(30)), ring -> {
            if (ring.member().rank() == 1) {
                Thread.sleep(1000);
                return null;
            }
            Thread me = Thread.currentThread();
            scheduler.schedule(me::interrupt, 100, TimeUnit.MILLISECONDS);
            try {
                ring.allReduceSum(new float[LARGE]);
            } finally {
                stillInterrupted.set(Thread.interrupted());
            }
            return null;
        });
        String message = outcomes.get(0).failure().getMessage();
        assertTrue(message.contains("interrupted") && message.contains("allReduceSum #0"), message);
        assertTrue(stillInterrupted.get(), "the interrupt status is kept for the caller");
        assertTrue(outcomes.get(0).bodyNanos() < TimeUnit.SECONDS.toNanos(1), "ended soon after the interrupt");
    }

    @Test
    void closeFromAnotherThreadEndsACollectiveInProgress() {
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(2, SETTINGS.withTimeout(Duration.ofSeconds(30)), ring -> {
            if (ring.member().rank() == 1) {
                Thread.sleep(1000);
                return null;
            }
            scheduler.schedule(ring::close, 100, TimeUnit.MILLISECONDS);
            ring.allGatherLongs(1);
            return null;
        });
        String message = outcomes.get(0).failure().getMessage();
        assertTrue(message.contains("closed") && message.contains("allGatherLongs #0"), message);
        assertTrue(outcomes.get(0).bodyNanos() < TimeUnit.SECONDS.toNanos(1), "ended soon after close");
    }

    @Test
    void buffersOfDifferentLengthsFailEveryRank() {
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(3, SETTINGS, ring -> {
            ring.allReduceSum(new float[ring.member().rank() == 1 ? 101 : 100]);
            return null;
        });
        // Every rank fails; which ones see the mismatch itself, rather than a peer that failed first
        // and closed (reset, broken pipe), depends on timing.
        long told = 0;
        for (LoopbackRing.Outcome<Object> o : outcomes) {
            String message = o.failure().getMessage();
            assertTrue(message.contains("closed") || message.contains("buffer length is") || message.contains("I/O error"), message);
            if (message.contains("buffer length is 101, this rank's is 100") || message.contains("buffer length is 100, this rank's is 101")) {
                told++;
            }
        }
        assertTrue(told >= 1, "at least one rank names the lengths: " + outcomes);
    }

    @Test
    void ranksCallingDifferentCollectivesFail() {
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(2, SETTINGS, ring -> {
            ring.allGatherLongs(7);
            if (ring.member().rank() == 0) {
                ring.allReduceSum(new float[10]);
            } else {
                ring.maxAcrossRanks(3);
            }
            return null;
        });
        String message = outcomes.get(0).failure().getMessage();
        assertTrue(message.contains("predecessor sent a frame of allGatherLongs #1 while this rank is in allReduceSum #1"), message);
    }

    @Test
    void aFailedGroupIsClosed() {
        List<LoopbackRing.Outcome<Boolean>> outcomes = LoopbackRing.run(2, SETTINGS, ring -> {
            try {
                ring.allReduceSum(new float[ring.member().rank() + 1]);
                return false;
            } catch (CollectiveException first) {
                CollectiveException second = assertThrows(CollectiveException.class, () -> ring.allGatherLongs(1));
                assertTrue(second.getMessage().contains("allGatherLongs on a closed group (failed in allReduceSum #0"),
                        second.getMessage());
                return true;
            }
        });
        for (LoopbackRing.Outcome<Boolean> o : outcomes) {
            assertTrue(o.get(), "rank " + o.rank() + " saw the first collective fail");
        }
    }

    @Test
    void aFailedBlockingReduceScatterClosesTheGroupAsAnyCollective() {
        List<LoopbackRing.Outcome<Boolean>> outcomes = LoopbackRing.run(3, SETTINGS, ring -> {
            int length = 10_000 + ring.member().rank();
            try {
                ring.reduceScatterSum(new float[length], 0, length);
                return false;
            } catch (CollectiveException first) {
                assertTrue(first.getMessage().contains("allReduceSum #0 reduce-scatter step"), first.getMessage());
                CollectiveException second = assertThrows(CollectiveException.class, () -> ring.allGatherLongs(1));
                assertTrue(second.getMessage().contains("allGatherLongs on a closed group (failed in allReduceSum #0"),
                        second.getMessage());
                return true;
            }
        });
        for (LoopbackRing.Outcome<Boolean> o : outcomes) {
            assertTrue(o.get(), "rank " + o.rank() + " saw the reduce-scatter fail");
        }
    }
}

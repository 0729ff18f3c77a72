package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** Forming a ring: listeners opened before publishing, handshakes that refuse peers of other sessions. */
class RingFormationTest {
    private static final CollectiveSettings SETTINGS = CollectiveSettings.defaults().withTimeout(Duration.ofSeconds(10));
    private static final RingSecret SECRET = RingSecret.generate();

    @Test
    void aMemberOfAnotherSessionIsRefused() {
        RingSecret secret = RingSecret.generate();
        assertBothRefused(rank -> new RingMember(rank == 0 ? "stage-7-attempt-1" : "stage-7-attempt-0", secret, rank, 2));
    }

    @Test
    void aWrongSecretIsRefused() {
        RingSecret mine = RingSecret.generate();
        RingSecret theirs = RingSecret.generate();
        assertBothRefused(rank -> new RingMember("stage-7-attempt-0", rank == 0 ? mine : theirs, rank, 2));
    }

    private static void assertBothRefused(IntFunction<RingMember> memberOfRank) {
        long t0 = System.nanoTime();
        List<LoopbackRing.Outcome<Object>> outcomes = LoopbackRing.run(2, memberOfRank, SETTINGS, ring -> null);
        int refusals = 0;
        for (LoopbackRing.Outcome<Object> o : outcomes) {
            String message = o.failure().getMessage();
            assertTrue(message.contains("rank " + o.rank() + " of 2") && message.contains("joining the ring")
                    && message.contains("successor rank " + (1 - o.rank())), "names rank, phase and peer: " + message);
            // Each refuses the other; the first to fail stops listening, so the other may see a reset instead.
            refusals += message.contains("refused this rank's handshake (the successor's log says why") ? 1 : 0;
        }
        assertTrue(refusals >= 1, "at least one rank was refused");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "refused at once, not at the timeout");
    }

    @Test
    void aStalePeerIsRefusedWhileTheRingForms() throws Exception {
        RingSecret secret = RingSecret.generate();
        try (RingListener rank0 = RingListener.open(InetAddress.getLoopbackAddress());
                RingListener rank1 = RingListener.open(InetAddress.getLoopbackAddress());
                RingListener stale = RingListener.open(InetAddress.getLoopbackAddress())) {
            List<String> addresses = List.of(rank0.address(), rank1.address());
            // A task of an earlier attempt (same job, same secret) that still holds rank 0's address dials it before
            // the real rank 1 does.
            CompletableFuture<String> staleJoin = CompletableFuture.supplyAsync(() -> {
                try (RingCollective ring = stale.join(new RingMember("stage-2-attempt-0", secret, 1, 2),
                        List.of(rank0.address(), stale.address()), SETTINGS)) {
                    return "joined";
                } catch (CollectiveException e) {
                    return e.getMessage();
                }
            });
            Thread.sleep(300);
            String session = "stage-2-attempt-1";
            CompletableFuture<Float> sum0 = CompletableFuture.supplyAsync(() -> sumOfRanks(rank0, new RingMember(session, secret, 0, 2), addresses));
            CompletableFuture<Float> sum1 = CompletableFuture.supplyAsync(() -> sumOfRanks(rank1, new RingMember(session, secret, 1, 2), addresses));
            assertEquals(3f, sum0.get(20, TimeUnit.SECONDS), "the real ring works");
            assertEquals(3f, sum1.get(20, TimeUnit.SECONDS), "the real ring works");
            String staleMessage = staleJoin.get(20, TimeUnit.SECONDS);
            // Refused when its handshake ends first; cut off mid-handshake (a reset) when the real predecessor's ends
            // first and rank 0 closes the connections still in their handshake. Either way it never joins.
            assertTrue(staleMessage.contains("joining the ring") && (staleMessage.contains("refused this rank's handshake")
                    || staleMessage.contains("handshake failed")), staleMessage);
            assertFalse(staleMessage.contains("stage-2-attempt-1"), "the refusal does not name the expected session: " + staleMessage);
        }
    }

    private static float sumOfRanks(RingListener listener, RingMember member, List<String> addresses) {
        try (RingCollective ring = listener.join(member, addresses, SETTINGS)) {
            float[] buffer = {member.rank() + 1};
            ring.allReduceSum(buffer);
            return buffer[0];
        }
    }

    @Test
    void joiningTimesOutWhenAPeerNeverJoins() {
        CollectiveSettings fast = SETTINGS.withTimeout(Duration.ofMillis(500));
        try (RingListener mine = RingListener.open(InetAddress.getLoopbackAddress());
                RingListener silent = RingListener.open(InetAddress.getLoopbackAddress())) {
            long t0 = System.nanoTime();
            CollectiveException e = assertThrows(CollectiveException.class,
                    () -> mine.join(new RingMember("s", SECRET, 0, 2), List.of(mine.address(), silent.address()), fast));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(e.getMessage().contains("rank 0 of 2") && e.getMessage().contains("joining the ring"), e.getMessage());
            assertTrue(millis >= 400 && millis < 3000, "failed at the timeout, after " + millis + " ms");
        }
    }

    @Test
    void validatesItsArguments() {
        try (RingListener listener = RingListener.open(InetAddress.getLoopbackAddress())) {
            String me = listener.address();
            assertTrue(me.startsWith("127.0.0.1:"), me);
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                    () -> listener.join(new RingMember("s", SECRET, 0, 3), List.of(me, me), SETTINGS));
            assertTrue(count.getMessage().contains("one entry per rank (3), got 2"), count.getMessage());
            IllegalArgumentException own = assertThrows(IllegalArgumentException.class,
                    () -> listener.join(new RingMember("s", SECRET, 1, 2), List.of(me, me + "0"), SETTINGS));
            assertTrue(own.getMessage().contains("addresses[1] must be this listener's address"), own.getMessage());
            IllegalArgumentException format = assertThrows(IllegalArgumentException.class,
                    () -> listener.join(new RingMember("s", SECRET, 0, 2), List.of(me, "nohost"), SETTINGS));
            assertTrue(format.getMessage().contains("host:port, got 'nohost'"), format.getMessage());
        }
        IllegalArgumentException wildcard = assertThrows(IllegalArgumentException.class,
                () -> RingListener.open(InetAddress.getByName("0.0.0.0")));
        assertTrue(wildcard.getMessage().contains("wildcard"), wildcard.getMessage());
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class, () -> new RingMember("s", SECRET, 2, 2));
        assertTrue(rank.getMessage().contains("rank must be in [0, 2), got 2"), rank.getMessage());
        IllegalArgumentException noSecret = assertThrows(IllegalArgumentException.class, () -> new RingMember("s", null, 0, 2));
        assertTrue(noSecret.getMessage().contains("secret must be given"), noSecret.getMessage());
        assertFalse(SECRET.toString().matches(".*[0-9a-f]{16}.*"), "toString shows no key: " + SECRET);
        IllegalArgumentException segment = assertThrows(IllegalArgumentException.class,
                () -> CollectiveSettings.defaults().withSegmentBytes(100));
        assertTrue(segment.getMessage().contains("segmentBytes must be a multiple of 8 and >= 64, got 100"), segment.getMessage());
    }

    @Test
    void aRingOfOneNeedsNoPeer() {
        try (RingListener listener = RingListener.open(InetAddress.getLoopbackAddress());
                RingCollective ring = listener.join(new RingMember("s", SECRET, 0, 1), List.of(listener.address()), SETTINGS)) {
            float[] buffer = {1, 2, 3};
            ring.allReduceSum(buffer);
            assertEquals(2f, buffer[1], "unchanged");
            assertEquals(42L, ring.minAcrossRanks(42), "its own value");
        }
    }
}

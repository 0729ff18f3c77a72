package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A stranger who dials a rank's port in a loop gets a handful of log lines, not one per connection:
 * the policy on a fake clock, then a real acceptor flooded with garbage connections.
 */
class RefusalLogTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void theFirstRefusalsAreLoggedInFullAndTheRestSummarisedPerInterval() {
        RefusalLog log = new RefusalLog();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            log.record("refusal " + i, i * 1_000_000L).ifPresent(lines::add);
        }
        assertEquals(RefusalLog.LOGGED_IN_FULL, lines.size(), "1000 refusals within one second: only the first ones logged " + lines);
        assertEquals("refusal 0", lines.get(0));
        assertTrue(lines.get(RefusalLog.LOGGED_IN_FULL - 1).contains("further refusals are summarised"), lines.toString());

        Optional<String> summary = log.record("refusal 1000", 11 * SECOND);
        assertTrue(summary.isPresent(), "a summary is due once the interval has passed");
        assertTrue(summary.get().startsWith("refused 991 more connection(s)") && summary.get().endsWith("the last: refusal 1000")
                && summary.get().contains("(1001 in all)"), summary.get());
        assertEquals(Optional.empty(), log.record("refusal 1001", 12 * SECOND), "the next summary waits for the next interval");
        assertEquals(Optional.empty(), log.record("refusal 1002", 13 * SECOND));
        Optional<String> last = log.flush(14 * SECOND);
        assertTrue(last.isPresent() && last.get().startsWith("refused 2 more connection(s)"), last.toString());
        assertEquals(Optional.empty(), log.flush(15 * SECOND), "nothing left to report");
        assertEquals(1003, log.total());
    }

    @Test
    void aFloodOfGarbageConnectionsToARankLogsAFewLinesAndOneSummary() throws Exception {
        int connections = 120;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        RingMember member = new RingMember("stage-1-attempt-0", RingSecret.generate(), 0, 2);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress at = (InetSocketAddress) server.getLocalAddress();
            // slf4j-simple writes to whatever System.err is when it logs.
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            PredecessorAcceptor acceptor = new PredecessorAcceptor(member, server, "rank 1", System.nanoTime() + Duration.ofSeconds(60).toNanos());
            byte[] garbage = new byte[RingHandshake.HELLO_BYTES];
            new Random(3).nextBytes(garbage);
            for (int i = 0; i < connections; i++) {
                sendAndReadToTheEnd(at, garbage);
            }
            server.close();
            acceptor.stop();
        } finally {
            System.setErr(originalErr);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("PredecessorAcceptor")).toList();
        long oneByOne = lines.stream().filter(l -> l.contains(": refused a connection from") && !l.contains("more connection(s)")).count();
        List<String> summaries = lines.stream().filter(l -> l.contains("more connection(s)")).toList();
        assertEquals(RefusalLog.LOGGED_IN_FULL, oneByOne, String.join("\n", lines));
        assertEquals(1, summaries.size(), String.join("\n", lines));
        assertTrue(summaries.get(0).contains("refused " + (connections - RefusalLog.LOGGED_IN_FULL) + " more connection(s)"), summaries.get(0));
    }

    /** Each garbage connection is answered with the refusal and closed before the next is dialled. */
    private static void sendAndReadToTheEnd(InetSocketAddress at, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(at, 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(bytes);
            InputStream in = s.getInputStream();
            try {
                while (in.read() >= 0) {
                    // drain the refusal until the rank closes
                }
            } catch (SocketException e) {
                // A reset instead of a close: refused all the same, and logged before either.
            }
        }
    }
}

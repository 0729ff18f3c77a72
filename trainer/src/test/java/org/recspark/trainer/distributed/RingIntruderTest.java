package org.recspark.trainer.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Plays the attacker against real ring members on 127.0.0.1: a wrong secret, a handshake captured from a real
 * exchange and replayed, idle connections held open while the ring forms, garbage and oversized frames, a rank
 * claimed twice, a successor that reflects the connector's own proof. No outsider is ever accepted, refusals carry
 * nothing but the fixed refusal bytes, and the real ring still forms and sums.
 */
class RingIntruderTest {
    private static final CollectiveSettings SETTINGS = CollectiveSettings.defaults().withTimeout(Duration.ofSeconds(10));
    private static final String SESSION = "stage-4-attempt-0";

    @Test
    void noOutsiderJoinsAndTheRingStillForms() throws Exception {
        RingSecret secret = RingSecret.generate();
        byte[] captured = captureARealHandshake(secret);

        try (RingListener listener0 = RingListener.open(InetAddress.getLoopbackAddress());
                RingListener listener1 = RingListener.open(InetAddress.getLoopbackAddress());
                Socket idleAt0 = connect(listener0.address());
                Socket idleAt1 = connect(listener1.address())) {
            List<String> addresses = List.of(listener0.address(), listener1.address());
            // Rank 0 starts listening first: the attacks reach its acceptor before its real predecessor, rank 1, does,
            // and rank 1's own acceptor finds the idle connection ahead of rank 0's hello in its backlog.
            CompletableFuture<Float> sum0 = CompletableFuture.supplyAsync(() -> sumOfRanks(listener0, new RingMember(SESSION, secret, 0, 2), addresses));
            InetSocketAddress rank0 = address(listener0.address());
            long attacksStart = System.nanoTime();

            byte[] garbage = new byte[1 << 20];
            new Random(7).nextBytes(garbage);
            CompletableFuture<byte[]> garbageReply = CompletableFuture.supplyAsync(() -> sendRaw(rank0, garbage));
            // A well-formed hello followed by 64 KiB where a 36-byte proof belongs.
            byte[] oversized = new byte[RingHandshake.HELLO_BYTES + (64 << 10)];
            new Random(8).nextBytes(oversized);
            System.arraycopy(captured, 0, oversized, 0, RingHandshake.HELLO_BYTES);
            CompletableFuture<byte[]> oversizedReply = CompletableFuture.supplyAsync(() -> sendRaw(rank0, oversized));
            CompletableFuture<byte[]> replayReply = CompletableFuture.supplyAsync(() -> sendRaw(rank0, captured));
            // An outsider with its own secret claims rank 1, twice.
            List<CompletableFuture<Throwable>> wrongSecret = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                wrongSecret.add(CompletableFuture.supplyAsync(() -> dialExpectingFailure(new RingMember(SESSION, RingSecret.generate(), 1, 2), rank0)));
            }

            byte[] refusal = RingHandshake.refusalBytes();
            for (CompletableFuture<byte[]> reply : List.of(oversizedReply, replayReply)) {
                byte[] bytes = reply.get(20, TimeUnit.SECONDS);
                assertEquals(2 * RingHandshake.REPLY_BYTES, bytes.length, "a challenge, then the refusal, then the close");
                assertArrayEquals(refusal, Arrays.copyOfRange(bytes, RingHandshake.REPLY_BYTES, bytes.length),
                        "the refusal is the fixed bytes: magic, status and zeros");
                assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains(SESSION), "no session name in the replies");
            }
            assertArrayEquals(refusal, garbageReply.get(20, TimeUnit.SECONDS), "garbage gets the same refusal, and the close");
            for (CompletableFuture<Throwable> attempt : wrongSecret) {
                Throwable e = attempt.get(20, TimeUnit.SECONDS);
                assertTrue(e instanceof RingHandshake.Rejected && e.getMessage().contains("refused this rank's handshake"), String.valueOf(e));
            }

            long attacksMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - attacksStart);
            assertTrue(attacksMillis < PredecessorAcceptor.PER_CONNECTION_TIMEOUT.toMillis() - 1000,
                    "every attack was refused while the idle connection was still open, after " + attacksMillis + " ms");
            CompletableFuture<Float> sum1 = CompletableFuture.supplyAsync(() -> sumOfRanks(listener1, new RingMember(SESSION, secret, 1, 2), addresses));
            assertEquals(3f, sum0.get(20, TimeUnit.SECONDS), "the real ring formed despite the attacks and summed");
            assertEquals(3f, sum1.get(20, TimeUnit.SECONDS), "the real ring formed despite the attacks and summed");
            for (Socket idle : List.of(idleAt0, idleAt1)) {
                assertClosedWithoutAReply(idle);
            }
        }
    }

    @Test
    void theFirstValidClaimOfARankWinsAndAWrongPositionIsRefused() throws Exception {
        RingSecret secret = RingSecret.generate();
        RingMember rank0 = new RingMember(SESSION, secret, 0, 3);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress at = (InetSocketAddress) server.getLocalAddress();
            PredecessorAcceptor acceptor = new PredecessorAcceptor(rank0, server, "predecessor rank 2",
                    System.nanoTime() + SETTINGS.timeout().toNanos());
            try {
                // Holds the secret but sits elsewhere in the ring: rank 1 dials its successor, rank 2, at rank 0's port.
                Throwable misplaced = dialExpectingFailure(new RingMember(SESSION, secret, 1, 3), at);
                assertTrue(misplaced instanceof RingHandshake.Rejected, String.valueOf(misplaced));
                RingMember rank2 = new RingMember(SESSION, secret, 2, 3);
                List<CompletableFuture<Object>> claims = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    claims.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return RingHandshake.connect(rank2, at, System.nanoTime() + SETTINGS.timeout().toNanos());
                        } catch (IOException e) {
                            return e;
                        }
                    }));
                }
                List<Object> results = new ArrayList<>();
                for (CompletableFuture<Object> claim : claims) {
                    results.add(claim.get(20, TimeUnit.SECONDS));
                }
                long winners = results.stream().filter(r -> r instanceof SocketChannel).count();
                long refused = results.stream().filter(r -> r instanceof RingHandshake.Rejected).count();
                assertEquals(1, winners, "exactly one claim of rank 2 wins: " + results);
                assertEquals(1, refused, "the other is refused: " + results);
                try (SocketChannel accepted = acceptor.await()) {
                    assertTrue(accepted.isConnected());
                }
                for (Object r : results) {
                    if (r instanceof SocketChannel ch) {
                        ch.close();
                    }
                }
            } finally {
                server.close();
                acceptor.stop();
            }
        }
    }

    @Test
    void aSuccessorThatReflectsTheConnectorsProofIsNotBelieved() throws Exception {
        RingSecret secret = RingSecret.generate();
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> reflector = CompletableFuture.runAsync(() -> {
                try (Socket s = fake.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] hello = in.readNBytes(RingHandshake.HELLO_BYTES);
                    // Mirrors the connector's nonce as its own, so a proof without a direction label would verify.
                    byte[] nonce = Arrays.copyOfRange(hello, hello.length - 32, hello.length);
                    out.write(ByteBuffer.allocate(RingHandshake.REPLY_BYTES).putInt(RingHandshake.MAGIC).putInt(RingHandshake.CHALLENGE).put(nonce).array());
                    byte[] proof = in.readNBytes(RingHandshake.PROOF_BYTES);
                    out.write(ByteBuffer.allocate(RingHandshake.REPLY_BYTES).putInt(RingHandshake.MAGIC).putInt(RingHandshake.ACCEPTED)
                            .put(proof, Integer.BYTES, 32).array());
                    in.read();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            RingHandshake.Rejected e = assertThrows(RingHandshake.Rejected.class, () -> RingHandshake.connect(
                    new RingMember(SESSION, secret, 1, 2), (InetSocketAddress) fake.getLocalSocketAddress(),
                    System.nanoTime() + SETTINGS.timeout().toNanos()));
            assertTrue(e.getMessage().contains("did not prove the ring secret"), e.getMessage());
            reflector.get(20, TimeUnit.SECONDS);
        }
    }

    /**
     * Forms a real ring whose rank 1 reaches rank 0 through a recording proxy, runs an all-reduce over it, and
     * returns what rank 1 sent in its handshake (hello and proof).
     */
    private static byte[] captureARealHandshake(RingSecret secret) throws Exception {
        try (RingListener listener0 = RingListener.open(InetAddress.getLoopbackAddress());
                RingListener listener1 = RingListener.open(InetAddress.getLoopbackAddress());
                RecordingProxy proxy = new RecordingProxy(address(listener0.address()))) {
            List<String> direct = List.of(listener0.address(), listener1.address());
            List<String> throughProxy = List.of(proxy.address(), listener1.address());
            // Each rank's own entry must be its listener's address; only rank 1 dials rank 0, through the proxy.
            CompletableFuture<Float> sum0 = CompletableFuture.supplyAsync(() -> sumOfRanks(listener0, new RingMember(SESSION, secret, 0, 2), direct));
            CompletableFuture<Float> sum1 = CompletableFuture.supplyAsync(() -> sumOfRanks(listener1, new RingMember(SESSION, secret, 1, 2), throughProxy));
            assertEquals(3f, sum0.get(20, TimeUnit.SECONDS), "the ring through the proxy works");
            assertEquals(3f, sum1.get(20, TimeUnit.SECONDS), "the ring through the proxy works");
            byte[] sent = proxy.clientBytes();
            return Arrays.copyOf(sent, RingHandshake.HELLO_BYTES + RingHandshake.PROOF_BYTES);
        }
    }

    private static float sumOfRanks(RingListener listener, RingMember member, List<String> addresses) {
        try (RingCollective ring = listener.join(member, addresses, SETTINGS)) {
            float[] buffer = {member.rank() + 1};
            ring.allReduceSum(buffer);
            return buffer[0];
        }
    }

    private static Throwable dialExpectingFailure(RingMember member, InetSocketAddress at) {
        try {
            SocketChannel ch = RingHandshake.connect(member, at, System.nanoTime() + SETTINGS.timeout().toNanos());
            ch.close();
            return new AssertionError(member + " was accepted at " + at);
        } catch (IOException e) {
            return e;
        }
    }

    private static void assertClosedWithoutAReply(Socket idle) throws IOException {
        idle.setSoTimeout(5000);
        try {
            assertEquals(-1, idle.getInputStream().read(), "an idle connection is closed, never accepted");
        } catch (SocketException e) {
            // A reset closes it as well: the acceptor had not read the connection's (empty) stream.
            assertTrue(e.getMessage().contains("reset"), e.toString());
        }
    }

    /**
     * Sends {@code bytes}, half-closes, and returns everything the peer sends until it closes. A peer that closes
     * with bytes of ours unread resets the connection; what it sent before is still returned.
     */
    private static byte[] sendRaw(InetSocketAddress at, byte[] bytes) {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        try (Socket s = new Socket()) {
            s.connect(at, 5000);
            s.setSoTimeout(15_000);
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    s.getOutputStream().write(bytes);
                    s.shutdownOutput();
                } catch (IOException e) {
                    // The peer closed after the bytes it needed: the rest is not for it.
                }
            });
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    reply.write(buf, 0, n);
                }
            } catch (SocketException e) {
                assertTrue(e.getMessage().contains("reset"), "only a reset may end the reply early: " + e);
            }
            writing.get(15, TimeUnit.SECONDS);
            return reply.toByteArray();
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | InterruptedException e) {
            throw new IllegalStateException("raw exchange with " + at + " failed: " + e, e);
        }
    }

    private static Socket connect(String hostPort) throws IOException {
        Socket s = new Socket();
        s.connect(address(hostPort), 5000);
        return s;
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** A one-connection TCP proxy that forwards both ways and records what the client sent. */
    private static final class RecordingProxy implements AutoCloseable {
        private final ServerSocket server;
        private final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();
        private final List<Socket> sockets = new ArrayList<>();

        RecordingProxy(InetSocketAddress target) throws IOException {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket();
                    upstream.connect(target, 5000);
                    synchronized (sockets) {
                        sockets.add(client);
                        sockets.add(upstream);
                    }
                    pump(client.getInputStream(), upstream.getOutputStream(), fromClient);
                    pump(upstream.getInputStream(), client.getOutputStream(), null);
                } catch (IOException e) {
                    // Closed by the test.
                }
            }, "recording-proxy");
            t.setDaemon(true);
            t.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        byte[] clientBytes() {
            synchronized (fromClient) {
                return fromClient.toByteArray();
            }
        }

        private static void pump(InputStream in, OutputStream out, ByteArrayOutputStream record) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        if (record != null) {
                            synchronized (record) {
                                record.write(buf, 0, n);
                            }
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // One side closed: the ring is done.
                }
            }, "recording-proxy-pump");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}

package org.recspark.trainer.distributed;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * How a rank and its successor prove to each other that both hold the ring's {@link RingSecret} and sit where they
 * claim, without sending the secret: a mutual HMAC-SHA256 challenge-response, as in SCRAM or Kafka's
 * SASL/SCRAM, over fixed-size messages.
 *
 * <ol>
 *   <li>Hello, connector to acceptor (84 bytes): magic, version, ring size, connector rank, acceptor rank (ints),
 *       SHA-256 of the session name, the connector's fresh 32-byte nonce.</li>
 *   <li>Challenge, acceptor to connector (40 bytes): magic, status CHALLENGE, the acceptor's fresh nonce.</li>
 *   <li>Proof, connector to acceptor (36 bytes): magic, HMAC(secret, "connector" transcript).</li>
 *   <li>Verdict, acceptor to connector (40 bytes): magic, ACCEPTED and HMAC(secret, "acceptor" transcript), or
 *       REFUSED and 32 zero bytes.</li>
 * </ol>
 *
 * <p>The transcript both MACs cover is the direction label, the session name, the ring size, both ranks and both
 * nonces. Fresh nonces on both sides defeat a replayed handshake, the direction label a proof reflected back at its
 * sender, and the session name a peer of an earlier stage attempt that holds the same secret. The acceptor proves
 * itself only after the connector has, so it is no MAC oracle for strangers. A refusal is the same 40 bytes whatever
 * the reason; the refusing side logs why. This authenticates the two ends when the ring forms; the data that
 * follows is neither encrypted nor authenticated per message.
 *
 * <p>Everything runs on blocking channels, whose socket adaptors honour read timeouts; the data phase switches to
 * non-blocking mode afterwards.
 */
final class RingHandshake {
    static final int MAGIC = 0x52535247;
    private static final int VERSION = 2;
    private static final int NONCE_BYTES = 32;
    private static final int MAC_BYTES = 32;
    private static final int SESSION_DIGEST_BYTES = 32;
    /** A challenge carries a nonce, a verdict a MAC or zeros: both 32 bytes, so every reply has one size. */
    private static final int REPLY_PAYLOAD_BYTES = 32;
    static final int HELLO_BYTES = 5 * Integer.BYTES + SESSION_DIGEST_BYTES + NONCE_BYTES;
    static final int REPLY_BYTES = 2 * Integer.BYTES + REPLY_PAYLOAD_BYTES;
    static final int PROOF_BYTES = Integer.BYTES + MAC_BYTES;
    static final int ACCEPTED = 0;
    private static final int REFUSED = 1;
    static final int CHALLENGE = 2;
    private static final byte[] CONNECTOR_LABEL = "recspark ring v2: connector proof".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ACCEPTOR_LABEL = "recspark ring v2: acceptor proof".getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();

    private RingHandshake() {}

    /** The successor refused this rank, or failed to prove the ring secret itself. */
    static final class Rejected extends IOException {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message);
        }
    }

    /**
     * What the acceptor concluded from a hello and proof.
     *
     * @param refusal why the peer is refused, for this rank's log only; null when it proved the secret, the session
     *     and the ring size, and claims to be this rank's predecessor dialling this rank
     * @param acceptorProof the MAC that proves this rank to the peer; null when refused
     */
    record Judgement(String refusal, byte[] acceptorProof) {
        static Judgement refused(String reason) {
            return new Judgement(reason, null);
        }
    }

    /** The generic refusal: the same bytes whatever the reason. */
    static byte[] refusalBytes() {
        return ByteBuffer.allocate(REPLY_BYTES).putInt(MAGIC).putInt(REFUSED).array();
    }

    /**
     * Connects to the successor, with TCP_NODELAY, and runs the connector's side of the handshake.
     *
     * @return the connection, once both sides have proved the secret and the successor accepted this rank
     * @throws Rejected when the successor refuses this rank or does not prove the secret
     */
    static SocketChannel connect(RingMember me, InetSocketAddress successor, long deadlineNanos) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.socket().setTcpNoDelay(true);
            ch.socket().connect(successor, remainingMillis(deadlineNanos));
            byte[] myNonce = nonce();
            ByteBuffer hello = ByteBuffer.allocate(HELLO_BYTES);
            hello.putInt(MAGIC).putInt(VERSION).putInt(me.size()).putInt(me.rank()).putInt(me.successor())
                    .put(sessionDigest(me.session())).put(myNonce).flip();
            writeFully(ch, hello);
            byte[] theirNonce = readReply(ch, CHALLENGE, deadlineNanos);
            byte[] proof = transcriptMac(me, CONNECTOR_LABEL, me.size(), me.rank(), me.successor(), myNonce, theirNonce);
            writeFully(ch, ByteBuffer.allocate(PROOF_BYTES).putInt(MAGIC).put(proof).flip());
            byte[] theirProof = readReply(ch, ACCEPTED, deadlineNanos);
            byte[] expected = transcriptMac(me, ACCEPTOR_LABEL, me.size(), me.rank(), me.successor(), myNonce, theirNonce);
            if (!MessageDigest.isEqual(expected, theirProof)) {
                throw new Rejected("the successor accepted this rank but did not prove the ring secret (not a member of this ring)");
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Reads a challenge or verdict: the 32 bytes it carries when its status is {@code wanted}. */
    private static byte[] readReply(SocketChannel ch, int wanted, long deadlineNanos) throws IOException {
        ByteBuffer reply = ByteBuffer.wrap(readFully(ch, REPLY_BYTES, deadlineNanos));
        int magic = reply.getInt();
        int status = reply.getInt();
        if (magic != MAGIC || (status != wanted && status != REFUSED)) {
            throw new IOException("the successor's reply is not a ring handshake message");
        }
        if (status == REFUSED) {
            throw new Rejected("refused this rank's handshake (the successor's log says why: another job or stage "
                    + "attempt, a wrong ring secret or position)");
        }
        byte[] payload = new byte[REPLY_PAYLOAD_BYTES];
        reply.get(payload);
        return payload;
    }

    /**
     * Runs the acceptor's side up to its verdict on a fresh connection: reads the hello, sends a challenge, reads
     * the proof and checks it. Garbage ends the exchange at the first message that is not the protocol's. The caller
     * sends the verdict ({@link #accept} or {@link #refuse}).
     */
    static Judgement judge(RingMember me, SocketChannel ch, long deadlineNanos) throws IOException {
        ByteBuffer hello = ByteBuffer.wrap(readFully(ch, HELLO_BYTES, deadlineNanos));
        int magic = hello.getInt();
        int version = hello.getInt();
        int size = hello.getInt();
        int senderRank = hello.getInt();
        int receiverRank = hello.getInt();
        byte[] peerSession = new byte[SESSION_DIGEST_BYTES];
        hello.get(peerSession);
        byte[] theirNonce = new byte[NONCE_BYTES];
        hello.get(theirNonce);
        if (magic != MAGIC) {
            return Judgement.refused(String.format("not a ring peer (magic 0x%08x)", magic));
        }
        if (version != VERSION) {
            return Judgement.refused("protocol version " + version + ", this rank speaks " + VERSION);
        }
        byte[] myNonce = nonce();
        writeFully(ch, ByteBuffer.allocate(REPLY_BYTES).putInt(MAGIC).putInt(CHALLENGE).put(myNonce).flip());
        ByteBuffer proof = ByteBuffer.wrap(readFully(ch, PROOF_BYTES, deadlineNanos));
        if (proof.getInt() != MAGIC) {
            return Judgement.refused("its proof is not a ring handshake message");
        }
        byte[] theirMac = new byte[MAC_BYTES];
        proof.get(theirMac);
        if (!MessageDigest.isEqual(peerSession, sessionDigest(me.session()))) {
            return Judgement.refused("it is in another session (a task of another job or stage attempt?)");
        }
        byte[] expected = transcriptMac(me, CONNECTOR_LABEL, size, senderRank, receiverRank, theirNonce, myNonce);
        if (!MessageDigest.isEqual(expected, theirMac)) {
            return Judgement.refused("it did not prove the ring secret (not a member of this job)");
        }
        if (size != me.size()) {
            return Judgement.refused("it holds the secret but its ring has " + size + " ranks, this one " + me.size());
        }
        if (senderRank != me.predecessor() || receiverRank != me.rank()) {
            return Judgement.refused("it holds the secret but is rank " + senderRank + " dialling rank " + receiverRank
                    + ", and rank " + me.rank() + " accepts only its predecessor, rank " + me.predecessor());
        }
        return new Judgement(null, transcriptMac(me, ACCEPTOR_LABEL, size, senderRank, receiverRank, theirNonce, myNonce));
    }

    /** Accepts a peer {@link #judge} cleared, proving this rank to it in turn. */
    static void accept(SocketChannel ch, Judgement judgement) throws IOException {
        if (judgement.acceptorProof() == null) {
            throw new IllegalArgumentException("cannot accept a refused peer: " + judgement.refusal());
        }
        writeFully(ch, ByteBuffer.allocate(REPLY_BYTES).putInt(MAGIC).putInt(ACCEPTED).put(judgement.acceptorProof()).flip());
    }

    /** Sends the generic refusal; the caller closes the connection. */
    static void refuse(SocketChannel ch) throws IOException {
        writeFully(ch, ByteBuffer.wrap(refusalBytes()));
    }

    private static byte[] transcriptMac(RingMember me, byte[] label, int size, int connectorRank, int acceptorRank,
            byte[] connectorNonce, byte[] acceptorNonce) {
        byte[] session = me.session().getBytes(StandardCharsets.UTF_8);
        ByteBuffer transcript = ByteBuffer.allocate(2 * Integer.BYTES + label.length + session.length + 3 * Integer.BYTES
                + connectorNonce.length + acceptorNonce.length);
        transcript.putInt(label.length).put(label).putInt(session.length).put(session)
                .putInt(size).putInt(connectorRank).putInt(acceptorRank).put(connectorNonce).put(acceptorNonce);
        return me.secret().mac(transcript.array());
    }

    private static byte[] sessionDigest(String session) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(session.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM, which every Java SE JVM must provide", e);
        }
    }

    private static byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    private static void writeFully(SocketChannel ch, ByteBuffer buf) throws IOException {
        // Handshake messages are far smaller than a fresh socket's send buffer, so this never blocks for long.
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private static byte[] readFully(SocketChannel ch, int n, long deadlineNanos) throws IOException {
        byte[] out = new byte[n];
        InputStream in = ch.socket().getInputStream();
        int done = 0;
        while (done < n) {
            ch.socket().setSoTimeout(remainingMillis(deadlineNanos));
            int k = in.read(out, done, n - done);
            if (k < 0) {
                throw new EOFException("connection closed after " + done + " of " + n + " handshake bytes");
            }
            done += k;
        }
        return out;
    }

    /** Milliseconds left until the deadline, at least 1; SocketTimeoutException when it has passed. */
    static int remainingMillis(long deadlineNanos) throws SocketTimeoutException {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("handshake deadline passed");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left)));
    }
}

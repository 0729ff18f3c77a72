package org.recspark.trainer.distributed;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The hello a rank sends its successor on connecting, and the verdict it gets back: the acceptor checks the
 * session token, the ring size and both ranks, so a ring only connects members of one session in their positions,
 * and a refused peer learns why.
 *
 * <p>Hello: magic, version, size, sender rank, receiver rank, token length (ints), token (UTF-8). Verdict: magic,
 * status, reason length (ints), reason (UTF-8). Both run on blocking channels, whose socket adaptors honour read
 * timeouts; the data phase switches to non-blocking mode afterwards.
 */
final class RingHandshake {
    private static final int MAGIC = 0x52535247;
    private static final int VERSION = 1;
    private static final int HELLO_FIXED_BYTES = 6 * Integer.BYTES;
    private static final int VERDICT_FIXED_BYTES = 3 * Integer.BYTES;
    private static final int ACCEPTED = 0;
    private static final int REFUSED = 1;
    private static final int MAX_REASON_BYTES = 4096;

    private RingHandshake() {}

    /** Connects to the successor, with TCP_NODELAY, and sends the hello. */
    static SocketChannel connect(RingMember me, InetSocketAddress successor, long deadlineNanos) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.socket().setTcpNoDelay(true);
            ch.socket().connect(successor, remainingMillis(deadlineNanos));
            byte[] token = me.sessionToken().getBytes(StandardCharsets.UTF_8);
            ByteBuffer hello = ByteBuffer.allocate(HELLO_FIXED_BYTES + token.length);
            hello.putInt(MAGIC).putInt(VERSION).putInt(me.size()).putInt(me.rank()).putInt(me.successor())
                    .putInt(token.length).put(token).flip();
            writeFully(ch, hello);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Reads the successor's verdict on the hello: null when accepted, else its reason for refusing. */
    static String readVerdict(SocketChannel ch, long deadlineNanos) throws IOException {
        ByteBuffer fixed = ByteBuffer.wrap(readFully(ch, VERDICT_FIXED_BYTES, deadlineNanos));
        int magic = fixed.getInt();
        int status = fixed.getInt();
        int reasonBytes = fixed.getInt();
        if (magic != MAGIC || (status != ACCEPTED && status != REFUSED) || reasonBytes < 0 || reasonBytes > MAX_REASON_BYTES) {
            throw new IOException("the successor's reply is not a ring handshake verdict");
        }
        String reason = new String(readFully(ch, reasonBytes, deadlineNanos), StandardCharsets.UTF_8);
        return status == ACCEPTED ? null : reason;
    }

    /**
     * Reads a hello from an accepted connection and judges it.
     *
     * @return null when it comes from {@code me}'s predecessor in the same session and ring size, else why not
     */
    static String judgeHello(RingMember me, SocketChannel ch, long deadlineNanos) throws IOException {
        ByteBuffer fixed = ByteBuffer.wrap(readFully(ch, HELLO_FIXED_BYTES, deadlineNanos));
        int magic = fixed.getInt();
        int version = fixed.getInt();
        int size = fixed.getInt();
        int senderRank = fixed.getInt();
        int receiverRank = fixed.getInt();
        int tokenBytes = fixed.getInt();
        if (magic != MAGIC) {
            return String.format("not a ring peer (magic 0x%08x)", magic);
        }
        if (version != VERSION) {
            return "protocol version " + version + ", this rank speaks " + VERSION;
        }
        if (tokenBytes < 0 || tokenBytes > RingMember.MAX_TOKEN_BYTES) {
            return "session token of " + tokenBytes + " bytes";
        }
        String token = new String(readFully(ch, tokenBytes, deadlineNanos), StandardCharsets.UTF_8);
        if (!token.equals(me.sessionToken())) {
            return "session token mismatch: the peer is in session '" + token + "', this rank in '"
                    + me.sessionToken() + "' (a task of another job or stage attempt?)";
        }
        if (size != me.size()) {
            return "ring size mismatch: the peer's ring has " + size + " ranks, this one " + me.size();
        }
        if (senderRank != me.predecessor() || receiverRank != me.rank()) {
            return "the peer is rank " + senderRank + " dialling rank " + receiverRank + ", but rank " + me.rank()
                    + " accepts only its predecessor, rank " + me.predecessor();
        }
        return null;
    }

    /** Tells the connecting peer it is accepted ({@code refusal} null) or why it is refused. */
    static void sendVerdict(SocketChannel ch, String refusal) throws IOException {
        byte[] reason = refusal == null ? new byte[0] : truncate(refusal.getBytes(StandardCharsets.UTF_8));
        ByteBuffer verdict = ByteBuffer.allocate(VERDICT_FIXED_BYTES + reason.length);
        verdict.putInt(MAGIC).putInt(refusal == null ? ACCEPTED : REFUSED).putInt(reason.length).put(reason).flip();
        writeFully(ch, verdict);
    }

    private static byte[] truncate(byte[] utf8) {
        if (utf8.length <= MAX_REASON_BYTES) {
            return utf8;
        }
        byte[] out = new byte[MAX_REASON_BYTES];
        System.arraycopy(utf8, 0, out, 0, MAX_REASON_BYTES);
        return out;
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

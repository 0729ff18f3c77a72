package org.recspark.trainer.distributed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The two connections of a ring member, to its successor (send only) and from its predecessor (receive only), and
 * the one transfer primitive collectives are built of: send a stream of bytes to the successor while receiving one
 * from the predecessor. Both directions run at once on non-blocking channels under one selector, so transfers
 * larger than the socket buffers cannot deadlock the ring and no thread is needed besides the caller's. For
 * transfers advanced between other work, {@link #sendAvailable} and {@link #receiveAvailable} move what the
 * sockets allow without waiting, one frame per direction at a time, and {@link #await} waits for either direction.
 *
 * <p>Not thread-safe, except {@link #close()}, which may come from any thread and makes a transfer in progress
 * fail promptly.
 */
final class RingLinks implements AutoCloseable {

    /** Produces the bytes a transfer sends, a piece at a time. */
    interface Outbound {
        /** Appends the next bytes, as many as fit in {@code buf} (which has at least 64 bytes free); none when done. */
        void fill(ByteBuffer buf);
    }

    /**
     * Names the collective and step of a transfer in failure messages. Asked only when a message needs it, so the
     * transfers of a training step build no strings.
     */
    interface Phase {
        String describe();
    }

    /** Consumes the bytes a transfer receives, a piece at a time. */
    interface Inbound {
        /** How many bytes this receiver needs next; 0 when it has everything. */
        int wanted();

        /**
         * Takes the next {@code min(wanted(), segment size)} bytes, from position to limit of {@code buf}.
         *
         * @throws IllegalStateException when the bytes are not what this rank expects (the transfer reports it with
         *     the rank, phase and peer)
         */
        void consume(ByteBuffer buf);
    }

    private final RingMember member;
    private final SocketChannel toSuccessor;
    private final SocketChannel fromPredecessor;
    private final String successor;
    private final String predecessor;
    private final long timeoutNanos;
    private final Selector selector;
    private final SelectionKey successorKey;
    private final SelectionKey predecessorKey;
    private final ByteBuffer outBuffer;
    private final ByteBuffer inBuffer;
    private long bytesMoved;

    /**
     * Takes ownership of both channels, switching them to non-blocking mode.
     *
     * @param successor how to name the successor in messages, e.g. "successor rank 2 at 10.0.0.3:41234"
     */
    RingLinks(RingMember member, SocketChannel toSuccessor, String successor, SocketChannel fromPredecessor,
            String predecessor, CollectiveSettings settings) throws IOException {
        this.member = member;
        this.toSuccessor = toSuccessor;
        this.fromPredecessor = fromPredecessor;
        this.successor = successor;
        this.predecessor = predecessor;
        this.timeoutNanos = settings.timeout().toNanos();
        this.outBuffer = ByteBuffer.allocateDirect(settings.segmentBytes()).order(ByteOrder.LITTLE_ENDIAN);
        this.inBuffer = ByteBuffer.allocateDirect(settings.segmentBytes()).order(ByteOrder.LITTLE_ENDIAN);
        this.selector = Selector.open();
        toSuccessor.configureBlocking(false);
        fromPredecessor.configureBlocking(false);
        this.successorKey = toSuccessor.register(selector, 0);
        this.predecessorKey = fromPredecessor.register(selector, 0);
        // Between frames both buffers are empty: nothing left to write, no segment being received.
        outBuffer.limit(0);
        inBuffer.limit(0);
    }

    /** How long a wait may go without moving a byte. */
    long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * Writes what the successor's socket accepts of {@code outbound} without waiting. The caller passes the same
     * outbound until this returns true, and no {@link #transfer} runs in between.
     *
     * @return whether outbound is sent completely
     * @throws CollectiveException on a closed peer, an I/O error or a closed group
     */
    boolean sendAvailable(Outbound outbound, Phase phase) {
        try {
            while (true) {
                if (!outBuffer.hasRemaining() && !refill(outbound)) {
                    return true;
                }
                send(phase);
                if (outBuffer.hasRemaining()) {
                    return false;
                }
            }
        } catch (ClosedSelectorException | CancelledKeyException e) {
            throw failure(phase, successor, "the group was closed", e);
        }
    }

    /**
     * Hands what has arrived from the predecessor to {@code inbound} without waiting. The caller passes the same
     * inbound until this returns true, and no {@link #transfer} runs in between.
     *
     * @return whether inbound has everything
     * @throws CollectiveException on a closed peer, an I/O error, unexpected bytes or a closed group
     */
    boolean receiveAvailable(Inbound inbound, Phase phase) {
        try {
            if (inBuffer.limit() == 0 && !prepareReceive(inbound)) {
                return true;
            }
            while (true) {
                receive(phase);
                if (inBuffer.hasRemaining()) {
                    return false;
                }
                inBuffer.flip();
                consume(inbound, phase);
                if (!prepareReceive(inbound)) {
                    return true;
                }
            }
        } catch (ClosedSelectorException | CancelledKeyException e) {
            throw failure(phase, predecessor, "the group was closed", e);
        }
    }

    /** Bytes sent and received since the links were made: a wait that does not change it makes no progress. */
    long bytesMoved() {
        return bytesMoved;
    }

    /**
     * Waits until the successor can take bytes ({@code sending}) or bytes arrived ({@code receiving}), or the
     * thread is interrupted; fails when the deadline has passed.
     */
    void await(boolean sending, boolean receiving, long deadline, Phase phase) {
        if (Thread.currentThread().isInterrupted()) {
            throw failure(phase, receiving ? predecessor : successor, "interrupted", null);
        }
        try {
            awaitReady(sending, receiving, deadline, phase);
        } catch (ClosedSelectorException | CancelledKeyException e) {
            throw failure(phase, predecessor, "the group was closed", e);
        }
    }

    /**
     * Sends everything {@code outbound} produces to the successor while handing everything received from the
     * predecessor to {@code inbound}, until both are done.
     *
     * @throws CollectiveException on timeout, a closed peer, an I/O error, unexpected bytes or interruption
     */
    void transfer(Outbound outbound, Inbound inbound, Phase phase) {
        try {
            boolean sending = refill(outbound);
            boolean receiving = prepareReceive(inbound);
            long deadline = System.nanoTime() + timeoutNanos;
            while (sending || receiving) {
                if (Thread.currentThread().isInterrupted()) {
                    throw failure(phase, receiving ? predecessor : successor, "interrupted", null);
                }
                boolean progressed = false;
                if (sending) {
                    progressed = send(phase) > 0;
                    if (!outBuffer.hasRemaining()) {
                        sending = refill(outbound);
                    }
                }
                if (receiving) {
                    progressed |= receive(phase) > 0;
                    if (!inBuffer.hasRemaining()) {
                        inBuffer.flip();
                        consume(inbound, phase);
                        receiving = prepareReceive(inbound);
                    }
                }
                if (progressed) {
                    deadline = System.nanoTime() + timeoutNanos;
                } else if (sending || receiving) {
                    awaitReady(sending, receiving, deadline, phase);
                }
            }
        } catch (ClosedSelectorException | CancelledKeyException e) {
            throw failure(phase, predecessor, "the group was closed", e);
        }
    }

    private boolean refill(Outbound outbound) {
        outBuffer.clear();
        outbound.fill(outBuffer);
        outBuffer.flip();
        return outBuffer.hasRemaining();
    }

    private boolean prepareReceive(Inbound inbound) {
        int wanted = inbound.wanted();
        inBuffer.clear();
        inBuffer.limit(Math.min(wanted, inBuffer.capacity()));
        // Nothing wanted leaves the limit at 0, which receiveAvailable reads as "between frames".
        return wanted > 0;
    }

    private void consume(Inbound inbound, Phase phase) {
        try {
            inbound.consume(inBuffer);
        } catch (IllegalStateException e) {
            throw failure(phase, predecessor, e.getMessage(), e);
        }
    }

    private int send(Phase phase) {
        try {
            int n = toSuccessor.write(outBuffer);
            bytesMoved += n;
            return n;
        } catch (IOException e) {
            throw ioFailure(phase, successor, "sending", e);
        }
    }

    private int receive(Phase phase) {
        int n;
        try {
            n = fromPredecessor.read(inBuffer);
        } catch (IOException e) {
            throw ioFailure(phase, predecessor, "receiving", e);
        }
        if (n < 0) {
            throw failure(phase, predecessor, "connection closed by the peer", null);
        }
        bytesMoved += n;
        return n;
    }

    private void awaitReady(boolean sending, boolean receiving, long deadline, Phase phase) {
        successorKey.interestOps(sending ? SelectionKey.OP_WRITE : 0);
        predecessorKey.interestOps(receiving ? SelectionKey.OP_READ : 0);
        long waitNanos = deadline - System.nanoTime();
        if (waitNanos <= 0) {
            String peer = receiving ? predecessor : successor;
            String what = receiving ? "without receiving a byte" : "without the peer taking a byte";
            throw failure(phase, peer, "timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms " + what, null);
        }
        try {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
        } catch (IOException e) {
            throw ioFailure(phase, receiving ? predecessor : successor, "waiting", e);
        }
        selector.selectedKeys().clear();
    }

    private CollectiveException ioFailure(Phase phase, String peer, String action, IOException e) {
        if (e instanceof ClosedByInterruptException) {
            return failure(phase, peer, "interrupted while " + action, e);
        }
        if (e instanceof AsynchronousCloseException || e instanceof ClosedChannelException) {
            return failure(phase, peer, "the group was closed while " + action, e);
        }
        return failure(phase, peer, "I/O error while " + action + ": " + e, e);
    }

    private CollectiveException failure(Phase phase, String peer, String problem, Throwable cause) {
        return CollectiveException.of(member, phase.describe(), peer, problem, cause);
    }

    /** Closes both connections; idempotent, callable from any thread. */
    @Override
    public void close() {
        closeQuietly(selector);
        closeQuietly(toSuccessor);
        closeQuietly(fromPredecessor);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Best effort: nothing is left to send, and the peers notice the closed connection either way.
        }
    }
}

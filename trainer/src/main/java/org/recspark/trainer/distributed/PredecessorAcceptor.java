package org.recspark.trainer.distributed;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections on a rank's listening socket until its predecessor's hello arrives, refusing every other
 * peer (another session, ring size or position) with the reason and carrying on. It runs on a thread of its own
 * for the length of the handshake so that the joining thread sees its successor's verdict meanwhile: waiting for
 * both in one thread would make every rank wait for a verdict nobody is free to send.
 */
final class PredecessorAcceptor {
    private static final Logger LOG = LoggerFactory.getLogger(PredecessorAcceptor.class);
    private static final long STOP_WAIT_MILLIS = 1000;
    private static final String PHASE = "joining the ring";

    private final RingMember member;
    private final ServerSocketChannel server;
    private final String predecessor;
    private final long deadlineNanos;
    private final CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
    private final AtomicReference<SocketChannel> inHandshake = new AtomicReference<>();
    private final Thread thread;
    private int refusals;
    private String lastRefusal;

    /** Starts accepting; {@code server} must stay open until {@link #await()} returns or {@link #stop()}. */
    PredecessorAcceptor(RingMember member, ServerSocketChannel server, String predecessor, long deadlineNanos) {
        this.member = member;
        this.server = server;
        this.predecessor = predecessor;
        this.deadlineNanos = deadlineNanos;
        this.thread = new Thread(this::run, "ring-accept-rank-" + member.rank());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            accepted.complete(acceptPredecessor());
        } catch (Throwable t) {
            accepted.completeExceptionally(t);
        }
    }

    private SocketChannel acceptPredecessor() {
        while (true) {
            SocketChannel ch;
            try {
                server.socket().setSoTimeout(RingHandshake.remainingMillis(deadlineNanos));
                ch = server.socket().accept().getChannel();
            } catch (SocketTimeoutException e) {
                throw CollectiveException.of(member, PHASE, predecessor, "timed out waiting for it to connect"
                        + (refusals == 0 ? "" : " (refused " + refusals + " other connection(s), last: " + lastRefusal + ")"), e);
            } catch (AsynchronousCloseException e) {
                throw CollectiveException.of(member, PHASE, predecessor, "stopped while waiting for it to connect", e);
            } catch (IOException e) {
                throw CollectiveException.of(member, PHASE, predecessor, "accepting failed: " + e, e);
            }
            inHandshake.set(ch);
            String refusal;
            try {
                ch.socket().setTcpNoDelay(true);
                refusal = RingHandshake.judgeHello(member, ch, deadlineNanos);
                RingHandshake.sendVerdict(ch, refusal);
            } catch (IOException e) {
                refusal = "unreadable hello: " + e;
            }
            if (refusal == null) {
                if (inHandshake.compareAndSet(ch, null)) {
                    return ch;
                }
                throw CollectiveException.of(member, PHASE, predecessor, "stopped during its handshake", null);
            }
            refusals++;
            lastRefusal = refusal + " from " + ch.socket().getRemoteSocketAddress();
            LOG.warn("{}: refused a connection: {}", member, lastRefusal);
            closeQuietly(ch);
            inHandshake.compareAndSet(ch, null);
        }
    }

    /**
     * Waits for the predecessor's connection until shortly after the deadline (the acceptor itself gives up at the
     * deadline, with the better message).
     *
     * @throws CollectiveException on timeout or interruption, after stopping the acceptor
     */
    SocketChannel await() {
        long waitNanos = deadlineNanos - System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
        try {
            return accepted.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CollectiveException c) {
                throw c;
            }
            throw CollectiveException.of(member, PHASE, predecessor, "accepting failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            stop();
            throw CollectiveException.of(member, PHASE, predecessor, "timed out waiting for it to connect", e);
        } catch (InterruptedException e) {
            stop();
            Thread.currentThread().interrupt();
            throw CollectiveException.of(member, PHASE, predecessor, "interrupted", e);
        }
    }

    /**
     * Closes whatever it accepted and waits briefly for the thread to end; the caller closes the server socket
     * first, which ends a pending accept.
     */
    void stop() {
        SocketChannel pending = inHandshake.getAndSet(null);
        if (pending != null) {
            closeQuietly(pending);
        }
        accepted.thenAccept(PredecessorAcceptor::closeQuietly);
        boolean interrupted = Thread.interrupted();
        try {
            thread.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Already failing or stopping: a close error adds nothing.
        }
    }
}

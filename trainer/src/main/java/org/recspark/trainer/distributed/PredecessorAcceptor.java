package org.recspark.trainer.distributed;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections on a rank's listening socket until its predecessor has proved itself ({@link RingHandshake}),
 * refusing every other peer with the generic refusal and logging why. It accepts on a thread of its own so that the
 * joining thread sees its successor's verdict meanwhile: waiting for both in one thread would make every rank wait
 * for a verdict nobody is free to send.
 *
 * <p>Each accepted connection's handshake runs on a thread of its own with its own short deadline, so a peer that
 * connects and stays silent, sends garbage or trickles bytes holds only its own thread and never the accept loop.
 * At most {@link #MAX_IN_FLIGHT} handshakes run at once; a connection beyond that closes the oldest unfinished one.
 * The first peer to prove itself as the predecessor wins; any later claim is refused. Refusals are logged through a
 * {@link RefusalLog}, so a flood of connections cannot flood the log.
 */
final class PredecessorAcceptor {
    private static final Logger LOG = LoggerFactory.getLogger(PredecessorAcceptor.class);
    /** A real predecessor answers within a few round trips; a stranger holds a handshake thread at most this long. */
    static final Duration PER_CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    static final int MAX_IN_FLIGHT = 16;
    private static final long STOP_WAIT_MILLIS = 1000;
    private static final String PHASE = "joining the ring";

    private final RingMember member;
    private final ServerSocketChannel server;
    private final String predecessor;
    private final long deadlineNanos;
    private final CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
    /** Connections whose handshake is under way, oldest first; guarded by itself. */
    private final Deque<SocketChannel> inFlight = new ArrayDeque<>();
    private final AtomicBoolean claimed = new AtomicBoolean();
    private final RefusalLog refusals = new RefusalLog();
    private final Thread thread;
    private volatile String lastRefusal;
    private volatile boolean stopped;

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
            acceptUntilDone();
        } catch (Throwable t) {
            accepted.completeExceptionally(t);
        }
    }

    private void acceptUntilDone() {
        while (!accepted.isDone()) {
            SocketChannel ch;
            try {
                server.socket().setSoTimeout(RingHandshake.remainingMillis(deadlineNanos));
                ch = server.socket().accept().getChannel();
            } catch (SocketTimeoutException e) {
                int refused = refusals.total();
                throw CollectiveException.of(member, PHASE, predecessor, "timed out waiting for it to connect"
                        + (refused == 0 ? "" : " (refused " + refused + " other connection(s), last: " + lastRefusal + ")"), e);
            } catch (ClosedChannelException e) {
                if (accepted.isDone()) {
                    return;
                }
                throw CollectiveException.of(member, PHASE, predecessor, "stopped while waiting for it to connect", e);
            } catch (IOException e) {
                throw CollectiveException.of(member, PHASE, predecessor, "accepting failed: " + e, e);
            }
            admit(ch);
        }
    }

    private void admit(SocketChannel ch) {
        SocketChannel oldest = null;
        synchronized (inFlight) {
            if (stopped) {
                closeQuietly(ch);
                return;
            }
            if (inFlight.size() >= MAX_IN_FLIGHT) {
                oldest = inFlight.pollFirst();
            }
            inFlight.addLast(ch);
        }
        if (oldest != null) {
            refused(oldest, "closed unfinished to make room: " + MAX_IN_FLIGHT + " handshakes were in flight");
            closeQuietly(oldest);
        }
        Thread handshake = new Thread(() -> handshake(ch), "ring-handshake-rank-" + member.rank());
        handshake.setDaemon(true);
        handshake.start();
    }

    private void handshake(SocketChannel ch) {
        long deadline = Math.min(deadlineNanos, System.nanoTime() + PER_CONNECTION_TIMEOUT.toNanos());
        String refusal;
        try {
            ch.socket().setTcpNoDelay(true);
            RingHandshake.Judgement judgement = RingHandshake.judge(member, ch, deadline);
            refusal = judgement.refusal();
            if (refusal == null) {
                if (!leaveInFlight(ch)) {
                    return;
                }
                if (claimed.compareAndSet(false, true)) {
                    acceptClaim(ch, judgement);
                    return;
                }
                refusal = "it holds the secret, but rank " + member.predecessor() + " is already connected";
                finish(ch, refusal);
                return;
            }
        } catch (SocketTimeoutException e) {
            refusal = "no complete handshake in time (at most " + PER_CONNECTION_TIMEOUT.toMillis() + " ms per connection)";
        } catch (IOException e) {
            refusal = "handshake failed: " + e;
        }
        if (leaveInFlight(ch)) {
            finish(ch, refusal);
        }
    }

    private void acceptClaim(SocketChannel ch, RingHandshake.Judgement judgement) {
        try {
            RingHandshake.accept(ch, judgement);
        } catch (IOException e) {
            claimed.set(false);
            refused(ch, "it proved itself but the connection failed: " + e);
            closeQuietly(ch);
            return;
        }
        if (!accepted.complete(ch)) {
            closeQuietly(ch);
        }
    }

    /** Takes {@code ch} off the in-flight list; false when it was evicted or the acceptor stopped (it is closed). */
    private boolean leaveInFlight(SocketChannel ch) {
        synchronized (inFlight) {
            return inFlight.remove(ch);
        }
    }

    private void finish(SocketChannel ch, String refusal) {
        try {
            RingHandshake.refuse(ch);
        } catch (IOException e) {
            // The peer has gone; it needs no verdict.
        }
        refused(ch, refusal);
        closeQuietly(ch);
    }

    private void refused(SocketChannel ch, String refusal) {
        Object from = ch.socket().getRemoteSocketAddress();
        lastRefusal = refusal + " from " + from;
        refusals.record("refused a connection from " + from + ": " + refusal, System.nanoTime())
                .ifPresent(line -> LOG.warn("{}: {}", member, line));
    }

    /**
     * Waits for the predecessor's connection until shortly after the deadline (the acceptor itself gives up at the
     * deadline, with the better message). Once it has come, closes the connections still in their handshake.
     *
     * @throws CollectiveException on timeout or interruption, after stopping the acceptor
     */
    SocketChannel await() {
        long waitNanos = deadlineNanos - System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
        try {
            SocketChannel ch = accepted.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
            closeUnfinished();
            return ch;
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
     * Closes every connection it holds and waits briefly for the accepting thread to end; the caller closes the
     * server socket first, which ends a pending accept. Handshake threads end as their connections close.
     */
    void stop() {
        closeUnfinished();
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

    /** Closes the connections whose handshake is under way and any that arrive later. */
    private void closeUnfinished() {
        List<SocketChannel> unfinished;
        synchronized (inFlight) {
            stopped = true;
            unfinished = new ArrayList<>(inFlight);
            inFlight.clear();
        }
        unfinished.forEach(PredecessorAcceptor::closeQuietly);
        refusals.flush(System.nanoTime()).ifPresent(line -> LOG.warn("{}: {}", member, line));
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Already failing or stopping: a close error adds nothing.
        }
    }
}

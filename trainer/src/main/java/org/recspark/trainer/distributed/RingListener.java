package org.recspark.trainer.distributed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first half of joining a ring: a socket listening on an ephemeral port, opened before its address is
 * published and kept open until the ring has formed, so no other process can take the port in between.
 *
 * <pre>{@code
 * try (RingListener listener = RingListener.open(bindAddress)) {
 *     List<String> addresses = allGather(listener.address()); // in Spark: BarrierTaskContext.allGather
 *     try (RingCollective ring = listener.join(new RingMember(session, secret, rank, size), addresses, settings)) {
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class RingListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RingListener.class);
    private static final String PHASE = "joining the ring";

    private final ServerSocketChannel server;
    private final String address;
    private boolean joined;

    private RingListener(ServerSocketChannel server, String address) {
        this.server = server;
        this.address = address;
    }

    /**
     * Listens on an ephemeral port of {@code bindAddress}.
     *
     * @param bindAddress a concrete address the other ranks can reach (a wildcard address cannot be published)
     * @throws UncheckedIOException when the socket cannot be opened
     */
    public static RingListener open(InetAddress bindAddress) {
        if (bindAddress.isAnyLocalAddress()) {
            throw new IllegalArgumentException("bindAddress must be an address other ranks can reach, got the wildcard "
                    + bindAddress.getHostAddress());
        }
        ServerSocketChannel server = null;
        try {
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(bindAddress, 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            String host = bindAddress instanceof Inet6Address ? "[" + bindAddress.getHostAddress() + "]" : bindAddress.getHostAddress();
            return new RingListener(server, host + ":" + port);
        } catch (IOException e) {
            closeQuietly(server);
            throw new UncheckedIOException("cannot listen on " + bindAddress.getHostAddress(), e);
        }
    }

    /** Where the other ranks reach this one, as "host:port" ("[v6 address]:port" for IPv6). */
    public String address() {
        return address;
    }

    /**
     * Forms the ring: connects to the successor, {@code addresses[(rank + 1) % size]}, and accepts the
     * predecessor, each side proving the ring secret to the other and checking its session, ring size and rank
     * ({@link RingHandshake}); connections from anyone else are refused while waiting, each handshake with its own
     * short deadline ({@link PredecessorAcceptor}). Blocks until both connections are up, at most the settings'
     * timeout. Closes the listening socket; callable once.
     *
     * @param addresses every rank's {@link #address()}, in rank order, the same list on every rank
     * @throws CollectiveException when the ring cannot be formed in time, a peer refuses this rank, or on
     *     interruption
     */
    public RingCollective join(RingMember member, List<String> addresses, CollectiveSettings settings) {
        if (joined) {
            throw new IllegalStateException("join was already called on the listener at " + address);
        }
        if (addresses.size() != member.size()) {
            throw new IllegalArgumentException("addresses must have one entry per rank (" + member.size() + "), got "
                    + addresses.size() + ": " + addresses);
        }
        if (!address.equals(addresses.get(member.rank()))) {
            throw new IllegalArgumentException("addresses[" + member.rank() + "] must be this listener's address "
                    + address + ", got " + addresses.get(member.rank()));
        }
        InetSocketAddress successorAddress = parse(addresses.get(member.successor()));
        joined = true;
        if (member.size() == 1) {
            close();
            return new RingCollective(member, settings, null);
        }
        String successor = "successor rank " + member.successor() + " at " + addresses.get(member.successor());
        String predecessor = "predecessor rank " + member.predecessor() + " at " + addresses.get(member.predecessor());
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        PredecessorAcceptor acceptor = new PredecessorAcceptor(member, server, predecessor, deadline);
        SocketChannel toSuccessor = null;
        SocketChannel fromPredecessor = null;
        try {
            toSuccessor = connectToSuccessor(member, successorAddress, successor, deadline);
            fromPredecessor = acceptor.await();
            close();
            RingLinks links = new RingLinks(member, toSuccessor, successor, fromPredecessor, predecessor, settings);
            LOG.info("{} joined the ring: {}, {}, {}", member, successor, predecessor, settings);
            return new RingCollective(member, settings, links);
        } catch (IOException e) {
            closeAll(acceptor, toSuccessor, fromPredecessor);
            throw CollectiveException.of(member, PHASE, predecessor, "cannot set up the connections: " + e, e);
        } catch (RuntimeException e) {
            closeAll(acceptor, toSuccessor, fromPredecessor);
            throw e;
        }
    }

    private static SocketChannel connectToSuccessor(RingMember member, InetSocketAddress address, String successor,
            long deadline) {
        // connect closes its channel on every failure
        try {
            return RingHandshake.connect(member, address, deadline);
        } catch (RingHandshake.Rejected e) {
            throw CollectiveException.of(member, PHASE, successor, e.getMessage(), e);
        } catch (ClosedByInterruptException e) {
            throw CollectiveException.of(member, PHASE, successor, "interrupted", e);
        } catch (IOException e) {
            throw CollectiveException.of(member, PHASE, successor, "handshake failed (a peer that stops listening "
                    + "has failed itself): " + e, e);
        }
    }

    private void closeAll(PredecessorAcceptor acceptor, SocketChannel toSuccessor, SocketChannel fromPredecessor) {
        close();
        acceptor.stop();
        closeQuietly(toSuccessor);
        closeQuietly(fromPredecessor);
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("address must be host:port, got '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address must be host:port, got '" + hostPort + "'", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in [1, 65535], got " + port + " in '" + hostPort + "'");
        }
        return new InetSocketAddress(host, port);
    }

    /** Stops listening; idempotent. */
    @Override
    public void close() {
        closeQuietly(server);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // Tearing down: the socket is unusable either way.
        }
    }
}

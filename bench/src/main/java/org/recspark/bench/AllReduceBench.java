package org.recspark.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.recspark.trainer.distributed.CollectiveSettings;
import org.recspark.trainer.distributed.RingCollective;
import org.recspark.trainer.distributed.RingListener;
import org.recspark.trainer.distributed.RingMember;
import org.recspark.trainer.distributed.RingSecret;

/**
 * Benchmark of {@link RingCollective#allReduceSum} on loopback, ranks as threads of this process, next to a plain
 * one-way socket copy of the same bytes between two threads (through SocketChannels and direct buffers, and
 * through socket streams and byte arrays). Reports medians over the repeats, and per all-reduce the algorithm
 * bandwidth (bytes / time) and the bus bandwidth (2 (n - 1) / n x bytes / time, the bytes each link carries).
 *
 * <pre>
 * mvn -B -q -pl bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar org.recspark.bench.AllReduceBench [--ranks 2] [--repeats 21] [--sizes 1K,4K,16K,64K,1M,16M] \
 *     [--segment 256K]
 * </pre>
 */
public final class AllReduceBench {
    /** Warm-up moves this many bytes (at least 16 and at most 1000 runs), so that small sizes run compiled code. */
    private static final long WARMUP_BYTES = 256L << 20;

    /** One buffer size's medians, in nanoseconds. */
    record Row(int bytes, String defaultPath, long defaultNanos, long ringNanos, long gatherNanos,
            long channelCopyNanos, long streamCopyNanos) {}

    private AllReduceBench() {}

    public static void main(String[] args) throws Exception {
        int ranks = 2;
        int repeats = 21;
        CollectiveSettings settings = CollectiveSettings.defaults();
        int[] sizes = {1 << 10, 4 << 10, 16 << 10, 64 << 10, 1 << 20, 16 << 20};
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--ranks" -> ranks = Integer.parseInt(value);
                case "--repeats" -> repeats = Integer.parseInt(value);
                case "--sizes" -> sizes = Arrays.stream(value.split(",")).mapToInt(AllReduceBench::parseSize).toArray();
                case "--segment" -> settings = settings.withSegmentBytes(parseSize(value));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --ranks N --repeats N --sizes 64K,1M,... --segment 256K");
            }
        }
        System.out.printf("all-reduce of float[] on loopback, %d ranks as threads, %d cores, %d-byte segments, "
                + "median of %d runs after warming up with %d MiB%n", ranks, Runtime.getRuntime().availableProcessors(),
                settings.segmentBytes(), repeats, WARMUP_BYTES >> 20);
        System.out.printf("%9s %7s %10s %8s %8s %10s %10s %12s %12s%n", "bytes", "path", "time ms", "algbw", "busbw",
                "ring ms", "gather ms", "copy ch.", "copy str.");
        for (int bytes : sizes) {
            Row row = measure(ranks, bytes, repeats, settings);
            double busFactor = 2.0 * (ranks - 1) / ranks;
            System.out.printf("%9d %7s %10.3f %8s %8s %10.3f %10.3f %12s %12s%n", bytes, row.defaultPath(),
                    row.defaultNanos() / 1e6, gbps(bytes, row.defaultNanos()), gbps(bytes * busFactor, row.defaultNanos()),
                    row.ringNanos() / 1e6, row.gatherNanos() / 1e6, gbps(bytes, row.channelCopyNanos()),
                    gbps(bytes, row.streamCopyNanos()));
        }
        System.out.println("bandwidths in GB/s (1e9 bytes/s); copy: one-way socket copy of the same bytes, "
                + "SocketChannel + direct buffer (ch.) and socket streams + byte[] (str.)");
    }

    /** The same count for every rank and both copy threads, since a collective needs every rank to call it. */
    private static int warmupRuns(int bytes) {
        return (int) Math.max(16, Math.min(1000, WARMUP_BYTES / Math.max(bytes, 1)));
    }

    private static String gbps(double bytes, long nanos) {
        return String.format("%.2f", bytes / nanos);
    }

    private static int parseSize(String s) {
        String t = s.trim().toUpperCase();
        int unit = t.endsWith("K") ? 1 << 10 : t.endsWith("M") ? 1 << 20 : 1;
        return Integer.parseInt(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
    }

    /** Medians for one buffer size: the all-reduce by each path, and both plain copies. */
    static Row measure(int ranks, int bytes, int repeats, CollectiveSettings settings) throws Exception {
        long ring = allReduceMedian(ranks, bytes, repeats, settings.withSmallMessageBytes(0));
        long gather = allReduceMedian(ranks, bytes, repeats, settings.withSmallMessageBytes(Integer.MAX_VALUE));
        boolean small = bytes < settings.smallMessageBytes();
        return new Row(bytes, small ? "gather" : "ring", small ? gather : ring, ring, gather,
                channelCopyMedian(bytes, repeats), streamCopyMedian(bytes, repeats));
    }

    private static long allReduceMedian(int ranks, int bytes, int repeats, CollectiveSettings settings) throws Exception {
        int warmup = warmupRuns(bytes);
        List<RingListener> listeners = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(ranks);
        try {
            List<String> addresses = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                listeners.add(RingListener.open(InetAddress.getLoopbackAddress()));
                addresses.add(listeners.get(r).address());
            }
            List<Future<long[]>> futures = new ArrayList<>();
            RingSecret secret = RingSecret.generate();
            for (int r = 0; r < ranks; r++) {
                RingListener listener = listeners.get(r);
                RingMember member = new RingMember("bench", secret, r, ranks);
                futures.add(pool.submit(() -> {
                    try (RingCollective ring = listener.join(member, addresses, settings)) {
                        float[] buffer = new float[bytes / Float.BYTES];
                        Arrays.fill(buffer, 1f / (member.rank() + 1));
                        long[] nanos = new long[repeats];
                        for (int i = 0; i < warmup + repeats; i++) {
                            long t0 = System.nanoTime();
                            ring.allReduceSum(buffer);
                            if (i >= warmup) {
                                nanos[i - warmup] = System.nanoTime() - t0;
                            }
                        }
                        return nanos;
                    }
                }));
            }
            long[] rank0 = null;
            for (Future<long[]> f : futures) {
                long[] nanos = f.get(10, TimeUnit.MINUTES);
                rank0 = rank0 == null ? nanos : rank0;
            }
            return median(rank0);
        } finally {
            listeners.forEach(RingListener::close);
            pool.shutdownNow();
        }
    }

    /** Sender and receiver threads over SocketChannels; each repeat ends with a one-byte acknowledgement. */
    private static long channelCopyMedian(int bytes, int repeats) throws Exception {
        int warmup = warmupRuns(bytes);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return copyMedian(() -> {
                try (SocketChannel ch = server.accept()) {
                    ch.socket().setTcpNoDelay(true);
                    ByteBuffer in = ByteBuffer.allocateDirect(Math.max(bytes, 1));
                    ByteBuffer ack = ByteBuffer.allocateDirect(1);
                    for (int i = 0; i < warmup + repeats; i++) {
                        in.clear().limit(bytes);
                        while (in.hasRemaining()) {
                            if (ch.read(in) < 0) {
                                throw new IOException("sender closed");
                            }
                        }
                        ack.clear();
                        ch.write(ack);
                    }
                }
                return null;
            }, () -> {
                try (SocketChannel ch = SocketChannel.open(server.getLocalAddress())) {
                    ch.socket().setTcpNoDelay(true);
                    ByteBuffer out = ByteBuffer.allocateDirect(Math.max(bytes, 1));
                    ByteBuffer ack = ByteBuffer.allocateDirect(1);
                    long[] nanos = new long[repeats];
                    for (int i = 0; i < warmup + repeats; i++) {
                        long t0 = System.nanoTime();
                        out.clear().limit(bytes);
                        while (out.hasRemaining()) {
                            ch.write(out);
                        }
                        ack.clear();
                        while (ack.hasRemaining() && ch.read(ack) >= 0) {
                            // until the receiver has taken every byte
                        }
                        if (i >= warmup) {
                            nanos[i - warmup] = System.nanoTime() - t0;
                        }
                    }
                    return nanos;
                }
            });
        }
    }

    /** The same with socket streams and byte arrays. */
    private static long streamCopyMedian(int bytes, int repeats) throws Exception {
        int warmup = warmupRuns(bytes);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return copyMedian(() -> {
                try (Socket s = server.accept()) {
                    s.setTcpNoDelay(true);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[bytes];
                    for (int i = 0; i < warmup + repeats; i++) {
                        if (in.readNBytes(buf, 0, bytes) < bytes) {
                            throw new IOException("sender closed");
                        }
                        out.write(0);
                    }
                }
                return null;
            }, () -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                    s.setTcpNoDelay(true);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    byte[] buf = new byte[bytes];
                    long[] nanos = new long[repeats];
                    for (int i = 0; i < warmup + repeats; i++) {
                        long t0 = System.nanoTime();
                        out.write(buf);
                        if (in.read() < 0) {
                            throw new IOException("receiver closed");
                        }
                        if (i >= warmup) {
                            nanos[i - warmup] = System.nanoTime() - t0;
                        }
                    }
                    return nanos;
                }
            });
        }
    }

    private static long copyMedian(Callable<Void> receiver, Callable<long[]> sender) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Void> received = pool.submit(receiver);
            long[] nanos = pool.submit(sender).get(10, TimeUnit.MINUTES);
            received.get(10, TimeUnit.MINUTES);
            return median(nanos);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}

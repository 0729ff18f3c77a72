package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collectives among the ranks of a ring formed by {@link RingListener#join}: dense sum all-reduce, sparse row
 * exchange and small agreements, over TCP between each rank and its ring neighbours.
 *
 * <p>Every rank must call the same collectives in the same order with matching sizes (buffer length, table count
 * and dims). Each transfer carries the collective's sequence number, operation and size, so a rank that diverges
 * (say, one more step in an epoch) makes the ranks fail with a message saying so rather than misread data.
 *
 * <p>Results are identical, bit for bit, on every rank, and depend only on the inputs by rank and the ring size:
 * each sum is computed in an order fixed by the algorithm (documented per method), never by timing.
 *
 * <p>Failures throw {@link CollectiveException} naming the rank, the phase and the peer, and close the group: a
 * failed collective leaves the streams mid-message, and closing makes the neighbours fail at once instead of at
 * their timeout, so a failure spreads around the ring in about one hop per rank. Every wait is bounded by the
 * settings' timeout and ends on interruption.
 *
 * <p>Not thread-safe: one thread calls collectives at a time. {@link #close()} may come from any thread and makes
 * a collective in progress fail promptly.
 */
public final class RingCollective implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RingCollective.class);

    private final RingMember member;
    private final CollectiveSettings settings;
    private final RingLinks links;
    private final float[] scratch;
    /** allGatherChunks' staging arrays, kept across calls (it runs every training step). */
    private float[] stagingOut = new float[0];
    private float[] stagingIn = new float[0];
    /** Reduce-scatters started without waiting; null for a ring of one, where they have nothing to send. */
    private final StartedReduceScatters started;
    /** Why the group was closed; null while open. */
    private final AtomicReference<String> closedBecause = new AtomicReference<>();
    private int sequence;

    /** @param links null for a ring of one */
    RingCollective(RingMember member, CollectiveSettings settings, RingLinks links) {
        this.member = member;
        this.settings = settings;
        this.links = links;
        this.scratch = new float[settings.segmentBytes() / Float.BYTES];
        this.started = links == null ? null : new StartedReduceScatters(member, links, scratch);
    }

    public RingMember member() {
        return member;
    }

    /**
     * Replaces {@code buffer} on every rank with the element-wise sum of all ranks' buffers, which must have the
     * same length. Each element's sum has one fixed order:
     *
     * <ul>
     *   <li>Below {@link CollectiveSettings#smallMessageBytes()} (8 KiB by default) the ranks gather each other's
     *       whole buffers in {@code size - 1} steps and every rank sums them in rank order,
     *       {@code ((x_0 + x_1) + x_2) + ...}, from the same bits.
     *   <li>From there on, the ring: reduce-scatter then all-gather, {@code 2 (size - 1)} steps moving
     *       {@code 2 (size - 1) / size} of the buffer through each link. The buffer is cut into {@code size}
     *       contiguous chunks, the first {@code length % size} of them one element longer; chunk {@code c} is
     *       summed along the ring starting at rank {@code c}, {@code ((x_c + x_(c+1)) + ...) + x_(c-1)} (ranks
     *       modulo size), by its owner, rank {@code c - 1}, and then only copied. Chunk 0 is thus the rank-order
     *       sum, and with two ranks every element is (float addition commutes).
     * </ul>
     *
     * The path depends on the length alone, so it is the same on every rank and every step of a training run.
     */
    public void allReduceSum(float[] buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException("buffer must not be null");
        }
        run(FrameHeader.Op.ALL_REDUCE_SUM, seq -> {
            if ((long) buffer.length * Float.BYTES < settings.smallMessageBytes()) {
                gatherAndSum(buffer, seq);
            } else {
                ringAllReduce(buffer, seq);
            }
            return null;
        });
    }

    /** Every rank's value, indexed by rank. */
    public long[] allGatherLongs(long value) {
        byte[][] byRank = run(FrameHeader.Op.ALL_GATHER_LONGS, seq -> allGatherBytes(FrameHeader.Op.ALL_GATHER_LONGS,
                seq, 1, ByteBuffer.allocate(Long.BYTES).putLong(value).array(), Long.BYTES));
        long[] out = new long[byRank.length];
        for (int r = 0; r < byRank.length; r++) {
            out[r] = ByteBuffer.wrap(byRank[r]).getLong();
        }
        return out;
    }

    /** The smallest value any rank passed, e.g. the number of steps in an epoch every rank can take. */
    public long minAcrossRanks(long value) {
        return Arrays.stream(allGatherLongs(value)).min().orElseThrow();
    }

    /** The largest value any rank passed. */
    public long maxAcrossRanks(long value) {
        return Arrays.stream(allGatherLongs(value)).max().orElseThrow();
    }

    private interface Body<T> {
        T run(int sequence);
    }

    /**
     * Runs one collective under the next sequence number, after completing the started ones (their frames come
     * first on the wire); closes the group when it fails.
     */
    private <T> T run(FrameHeader.Op op, Body<T> body) {
        completeStarted();
        requireOpen(op);
        int seq = sequence++;
        try {
            return body.run(seq);
        } catch (RuntimeException e) {
            closeBecause("failed in " + op + " #" + seq + ": " + e.getMessage());
            throw e;
        }
    }

    private void requireOpen(FrameHeader.Op op) {
        String closedReason = closedBecause.get();
        if (closedReason != null) {
            throw new CollectiveException(member + ": " + op + " on a closed group (" + closedReason + ")", null);
        }
    }

    /**
     * Starts {@link #reduceScatterSum} on {@code buffer[offset, offset + length)} and returns without waiting for
     * the peers: it sends what the sockets take now, and {@link #advanceStarted} and {@link #completeStarted} move
     * the rest, from this thread, with no thread of its own. The sums are the blocking reduce-scatter's, to the bit.
     * Started reduce-scatters complete in start order and before any other collective of this group; the range
     * must not change until {@link #completeStarted} returns (or another collective has run).
     */
    public void startReduceScatterSum(float[] buffer, int offset, int length) {
        checkRange(buffer, offset, length);
        requireOpen(FrameHeader.Op.ALL_REDUCE_SUM);
        int seq = sequence++;
        if (started != null) {
            started.add(buffer, offset, length, seq);
            advanceStarted();
        }
    }

    /**
     * Starts another collective of ring steps under the next sequence number, behind the started reduce-scatters
     * (its frames leave after theirs), advanced and completed with them; nothing to do in a ring of one.
     */
    void startSteps(IntFunction<StartedReduceScatters.Steps> atSequence) {
        requireOpen(FrameHeader.Op.ROWS_TO_OWNERS);
        int seq = sequence++;
        if (started != null) {
            started.add(atSequence.apply(seq));
            advanceStarted();
        }
    }

    /**
     * Moves what the sockets allow of the started reduce-scatters without waiting: sends what the successor's
     * socket accepts and adds what has arrived. Cheap when nothing is started.
     *
     * @throws CollectiveException when a peer failed or the group is closed (the group is then closed)
     */
    public void advanceStarted() {
        if (started != null && !started.isEmpty()) {
            progress(started::advance);
        }
    }

    /**
     * Waits until every started reduce-scatter is complete.
     *
     * @throws CollectiveException as a blocking collective does (a failed or hung peer, interruption)
     */
    public void completeStarted() {
        if (started != null && !started.isEmpty()) {
            progress(started::complete);
        }
    }

    private void progress(Runnable step) {
        requireOpen(FrameHeader.Op.ALL_REDUCE_SUM);
        try {
            step.run();
        } catch (RuntimeException e) {
            closeBecause("failed in a started reduce-scatter: " + e.getMessage());
            throw e;
        }
    }

    private void ringAllReduce(float[] buffer, int seq) {
        reduceScatterPhase(buffer, 0, buffer.length, seq);
        allGatherPhase(buffer, 0, buffer.length, seq);
    }

    /**
     * The first half of the ring all-reduce on {@code buffer[offset, offset + length)}: afterwards this rank holds
     * the sum over all ranks of its {@link #ownedChunk() owned chunk} of that range (cut as {@link ChunkLayout}
     * says, summed in the order {@link #allReduceSum} documents), and partial sums elsewhere. Used, with
     * {@link #allGatherChunks}, to update each chunk of the parameters on one rank only (ZeRO-1).
     */
    public void reduceScatterSum(float[] buffer, int offset, int length) {
        checkRange(buffer, offset, length);
        run(FrameHeader.Op.ALL_REDUCE_SUM, seq -> {
            reduceScatterPhase(buffer, offset, length, seq);
            return null;
        });
    }

    /**
     * The second half of the ring all-reduce for several ranges of {@code buffer} at once: every rank's
     * {@link #ownedChunk() owned chunk} of each range is copied to every other rank, so all ranks end with the same
     * bits. Each ring step carries this step's chunk of every range in one frame, so the all-gather costs
     * {@code size - 1} transfers whatever the number of ranges (a step's buckets), instead of that many per range. The chunks
     * travel through a staging array (a copy of the owned chunks out, and of the received ones in), which on a
     * step's few hundred KiB costs less than one transfer's round trip.
     *
     * <p>It also gathers every rank's byte payload (a step's sparse rows), when given: each ring step's transfer
     * carries, behind the chunks of a rank, that rank's payload in a second frame, so the payloads cost no round trip
     * of their own. Afterwards {@code payloads} holds every rank's.
     *
     * @param offsets the ranges' starts in {@code buffer}
     * @param lengths the ranges' lengths, as many as offsets
     * @param payloads this rank's payload set (its item count checked equal on every rank); null for none
     */
    void allGatherChunks(float[] buffer, int[] offsets, int[] lengths, GatheredBytes payloads) {
        if (offsets.length != lengths.length) {
            throw new IllegalArgumentException(offsets.length + " range offsets for " + lengths.length + " lengths");
        }
        long total = 0;
        for (int i = 0; i < offsets.length; i++) {
            checkRange(buffer, offsets[i], lengths[i]);
            total += lengths[i];
        }
        long argument = total;
        run(FrameHeader.Op.ALL_REDUCE_SUM, seq -> {
            int size = member.size();
            int rank = member.rank();
            ChunkLayout[] chunks = new ChunkLayout[offsets.length];
            for (int i = 0; i < chunks.length; i++) {
                chunks[i] = new ChunkLayout(lengths[i], size);
            }
            for (int s = 0; s < size - 1; s++) {
                // The chunks rank r - s owns, and then its payload, go on; rank r - s - 1's come in.
                int sendChunk = Math.floorMod(rank + 1 - s, size);
                int receiveChunk = Math.floorMod(rank - s, size);
                int outLength = stagedLength(chunks, sendChunk);
                int inLength = stagedLength(chunks, receiveChunk);
                if (stagingOut.length < outLength) {
                    stagingOut = new float[outLength];
                }
                if (stagingIn.length < inLength) {
                    stagingIn = new float[inLength];
                }
                float[] out = stagingOut;
                float[] in = stagingIn;
                int at = 0;
                for (int i = 0; i < chunks.length; i++) {
                    int n = chunks[i].length(sendChunk);
                    System.arraycopy(buffer, offsets[i] + chunks[i].offset(sendChunk), out, at, n);
                    at += n;
                }
                FrameHeader.Op op = FrameHeader.Op.ALL_REDUCE_SUM;
                RingLinks.Outbound sender = new FloatSender(new FrameHeader(op, seq, argument, (long) outLength * Float.BYTES), out, 0, outLength);
                RingLinks.Inbound receiver = new FloatReceiver(new FrameHeader(op, seq, argument, (long) inLength * Float.BYTES), in, 0, inLength,
                        FloatReceiver.Mode.COPY, scratch);
                if (payloads != null) {
                    int from = Math.floorMod(rank - s, size);
                    int to = Math.floorMod(rank - s - 1, size);
                    FrameHeader.Op rows = FrameHeader.Op.SPARSE_ROWS;
                    sender = FrameSequence.outbound(sender, new ByteFrameSender(
                            new FrameHeader(rows, seq, payloads.itemCount(), payloads.length(from)), payloads.bytes(from), payloads.length(from)));
                    receiver = FrameSequence.inbound(receiver, new ByteFrameReceiver(
                            new FrameHeader(rows, seq, payloads.itemCount(), FrameHeader.ANY_PAYLOAD), length -> payloads.receiving(to, length)));
                }
                int step = s + 1;
                links.transfer(sender, receiver, () -> op + " #" + seq + " all-gather of " + chunks.length + " ranges"
                        + (payloads == null ? "" : " and payloads") + ", step " + step + "/" + (size - 1));
                at = 0;
                for (int i = 0; i < chunks.length; i++) {
                    int n = chunks[i].length(receiveChunk);
                    System.arraycopy(in, at, buffer, offsets[i] + chunks[i].offset(receiveChunk), n);
                    at += n;
                }
            }
            return null;
        });
    }

    private static int stagedLength(ChunkLayout[] chunks, int chunk) {
        int n = 0;
        for (ChunkLayout c : chunks) {
            n += c.length(chunk);
        }
        return n;
    }

    /** The chunk of a range this rank holds whole after {@link #reduceScatterSum}: rank r owns chunk r + 1. */
    public int ownedChunk() {
        return chunkOwnedBy(member.rank());
    }

    /** The chunk of every range that {@code rank} holds summed after a reduce-scatter and sends in an all-gather. */
    public int chunkOwnedBy(int rank) {
        return Math.floorMod(rank + 1, member.size());
    }

    private static void checkRange(float[] buffer, int offset, int length) {
        if (buffer == null || offset < 0 || length < 0 || offset + length > buffer.length) {
            throw new IllegalArgumentException("range [" + offset + ", " + offset + " + " + length + ") outside a buffer of "
                    + (buffer == null ? "null" : buffer.length));
        }
    }

    /**
     * The reduce-scatter as a started one completed at once: one ring schedule, so the blocking and the started
     * reduce-scatters send the same frames and leave the same bits. Called by {@link #run}, after the started ones
     * completed, so it waits for this one alone; nothing to do in a ring of one. When it fails, run closes the group
     * as for any blocking collective, and the reduce-scatter is forgotten, so the next call fails as on any closed
     * group.
     */
    private void reduceScatterPhase(float[] buffer, int offset, int length, int seq) {
        if (started != null) {
            started.add(buffer, offset, length, seq);
            try {
                started.complete();
            } catch (RuntimeException e) {
                started.forget();
                throw e;
            }
        }
    }

    private void allGatherPhase(float[] buffer, int offset, int length, int seq) {
        int size = member.size();
        int rank = member.rank();
        ChunkLayout chunks = new ChunkLayout(length, size);
        // The owners' sums travel on around the ring and are only copied.
        for (int s = 0; s < size - 1; s++) {
            int sendChunk = Math.floorMod(rank + 1 - s, size);
            int receiveChunk = Math.floorMod(rank - s, size);
            int step = s + 1;
            FrameHeader.Op op = FrameHeader.Op.ALL_REDUCE_SUM;
            links.transfer(
                    new FloatSender(new FrameHeader(op, seq, length, (long) chunks.length(sendChunk) * Float.BYTES),
                            buffer, offset + chunks.offset(sendChunk), chunks.length(sendChunk)),
                    new FloatReceiver(new FrameHeader(op, seq, length, (long) chunks.length(receiveChunk) * Float.BYTES),
                            buffer, offset + chunks.offset(receiveChunk), chunks.length(receiveChunk), FloatReceiver.Mode.COPY,
                            scratch),
                    () -> op + " #" + seq + " all-gather step " + step + "/" + (size - 1));
        }
    }

    private void gatherAndSum(float[] buffer, int seq) {
        int size = member.size();
        int rank = member.rank();
        FrameHeader header = new FrameHeader(FrameHeader.Op.ALL_REDUCE_SUM, seq, buffer.length, (long) buffer.length * Float.BYTES);
        float[][] byRank = new float[size][];
        byRank[rank] = buffer;
        // At step s rank r passes on rank r - s's buffer, received the step before, and receives rank r - s - 1's.
        for (int s = 0; s < size - 1; s++) {
            int step = s + 1;
            float[] send = byRank[Math.floorMod(rank - s, size)];
            float[] receive = new float[buffer.length];
            byRank[Math.floorMod(rank - s - 1, size)] = receive;
            links.transfer(new FloatSender(header, send, 0, send.length),
                    new FloatReceiver(header, receive, 0, receive.length, FloatReceiver.Mode.COPY, scratch),
                    () -> header.op() + " #" + seq + " gather step " + step + "/" + (size - 1));
        }
        // Into a copy, since buffer is one of the addends; rank by rank, which vectorises and keeps each
        // element's order ((x0 + x1) + x2) + ...
        float[] sum = byRank[0].clone();
        for (int r = 1; r < size; r++) {
            float[] addend = byRank[r];
            for (int i = 0; i < sum.length; i++) {
                sum[i] += addend[i];
            }
        }
        System.arraycopy(sum, 0, buffer, 0, buffer.length);
    }

    /** Every rank's payload, indexed by rank, gathered in {@code size - 1} steps around the ring. */
    private byte[][] allGatherBytes(FrameHeader.Op op, int seq, long argument, byte[] mine, long expectedPayloadBytes) {
        int size = member.size();
        int rank = member.rank();
        byte[][] byRank = new byte[size][];
        byRank[rank] = mine;
        for (int s = 0; s < size - 1; s++) {
            int step = s + 1;
            byte[] send = byRank[Math.floorMod(rank - s, size)];
            ByteFrameReceiver receiver = new ByteFrameReceiver(new FrameHeader(op, seq, argument, expectedPayloadBytes));
            links.transfer(new ByteFrameSender(new FrameHeader(op, seq, argument, send.length), send), receiver,
                    () -> op + " #" + seq + " gather step " + step + "/" + (size - 1));
            byRank[Math.floorMod(rank - s - 1, size)] = receiver.payload();
        }
        return byRank;
    }

    /** Closes the connections; idempotent, callable from any thread. */
    @Override
    public void close() {
        closeBecause("closed by the caller");
    }

    private void closeBecause(String reason) {
        if (closedBecause.compareAndSet(null, reason)) {
            if (links != null) {
                links.close();
            }
            LOG.debug("{}: group closed after {} collectives: {}", member, sequence, reason);
        }
    }
}

package org.recspark.trainer.distributed;

import java.util.ArrayList;
import java.util.List;

/**
 * Ring reduce-scatters that have been started and are advanced by their caller's thread between other work, as MPI
 * progresses non-blocking collectives from the caller's own calls: each {@link #advance} writes what the successor's
 * socket accepts and adds what has arrived from the predecessor, and returns at once; {@link #complete} waits for
 * the rest. The data then moves through the kernel's socket buffers while the caller computes, with no thread of
 * its own competing for a core.
 *
 * <p>Frames leave, and are expected, in one order on every rank: reduce-scatter by reduce-scatter in start order,
 * and step by step within one. A step's frame leaves only once the previous step's frame has arrived, since it
 * carries the chunk that frame was added to. Sending and receiving otherwise advance independently, so a rank sends
 * its chunk of a range while its predecessor's has not arrived yet. Each step moves and adds the same chunks, in
 * the same order, as {@link RingCollective#reduceScatterSum}, so the sums are the same bits.
 *
 * <p>Not thread-safe; the owner closes the group when a call fails.
 */
final class StartedReduceScatters {
    private static final FrameHeader.Op OP = FrameHeader.Op.ALL_REDUCE_SUM;

    private final RingMember member;
    private final RingLinks links;
    private final float[] scratch;
    private final List<ReduceScatter> started = new ArrayList<>();
    /** The first reduce-scatter with a step left to send, and the first with a step left to receive. */
    private int sendingAt;
    private int receivingAt;

    /** One range's reduce-scatter: how many of its steps have been sent and received, and the frames in progress. */
    private final class ReduceScatter {
        final float[] buffer;
        final int offset;
        final ChunkLayout chunks;
        final int sequence;
        int sent;
        int received;
        FloatSender sender;
        FloatReceiver receiver;

        ReduceScatter(float[] buffer, int offset, int length, int sequence) {
            this.buffer = buffer;
            this.offset = offset;
            this.chunks = new ChunkLayout(length, member.size());
            this.sequence = sequence;
        }

        /** At step s rank r passes on chunk r - s, summed by ranks r - s .. r (as the blocking reduce-scatter). */
        FloatSender sender() {
            int chunk = Math.floorMod(member.rank() - sent, member.size());
            return new FloatSender(header(chunk), buffer, offset + chunks.offset(chunk), chunks.length(chunk));
        }

        /** ... and adds its own values to chunk r - s - 1, received from the predecessor. */
        FloatReceiver receiver() {
            int chunk = Math.floorMod(member.rank() - received - 1, member.size());
            return new FloatReceiver(header(chunk), buffer, offset + chunks.offset(chunk), chunks.length(chunk),
                    FloatReceiver.Mode.ADD, scratch);
        }

        private FrameHeader header(int chunk) {
            return new FrameHeader(OP, sequence, chunks.length(), (long) chunks.length(chunk) * Float.BYTES);
        }

        String phase(int step) {
            return OP + " #" + sequence + " reduce-scatter step " + (step + 1) + "/" + steps();
        }
    }

    /** @param scratch a segment's floats, for adding received floats */
    StartedReduceScatters(RingMember member, RingLinks links, float[] scratch) {
        this.member = member;
        this.links = links;
        this.scratch = scratch;
    }

    private int steps() {
        return member.size() - 1;
    }

    boolean isEmpty() {
        return started.isEmpty();
    }

    /** Adds a reduce-scatter of {@code buffer[offset, offset + length)} under the collective's sequence number. */
    void add(float[] buffer, int offset, int length, int sequence) {
        started.add(new ReduceScatter(buffer, offset, length, sequence));
    }

    /**
     * Moves what the sockets allow without waiting.
     *
     * @return whether every started reduce-scatter is complete (they are then forgotten)
     */
    boolean advance() {
        do {
            sendReady();
        } while (receiveArrived());
        if (sendingAt == started.size() && receivingAt == started.size()) {
            started.clear();
            sendingAt = 0;
            receivingAt = 0;
            return true;
        }
        return false;
    }

    /** Sends frames in order until one waits for the socket or for its previous step's frame. */
    private void sendReady() {
        while (sendingAt < started.size()) {
            ReduceScatter r = started.get(sendingAt);
            if (r.sent == steps()) {
                sendingAt++;
            } else if (r.received < r.sent) {
                return;
            } else {
                if (r.sender == null) {
                    r.sender = r.sender();
                }
                if (!links.sendAvailable(r.sender, r.phase(r.sent))) {
                    return;
                }
                r.sender = null;
                r.sent++;
            }
        }
    }

    /** Receives frames in order until one has not fully arrived; true when any step completed. */
    private boolean receiveArrived() {
        boolean completed = false;
        while (receivingAt < started.size()) {
            ReduceScatter r = started.get(receivingAt);
            if (r.received == steps()) {
                receivingAt++;
                continue;
            }
            if (r.receiver == null) {
                r.receiver = r.receiver();
            }
            if (!links.receiveAvailable(r.receiver, r.phase(r.received))) {
                return completed;
            }
            r.receiver = null;
            r.received++;
            completed = true;
        }
        return completed;
    }

    /**
     * Advances until every started reduce-scatter is complete, waiting on the sockets in between.
     *
     * @throws CollectiveException when no byte moves for the timeout, on interruption, or as {@link #advance}
     */
    void complete() {
        long moved = links.bytesMoved();
        long deadline = System.nanoTime() + links.timeoutNanos();
        while (!advance()) {
            if (links.bytesMoved() != moved) {
                moved = links.bytesMoved();
                deadline = System.nanoTime() + links.timeoutNanos();
                continue;
            }
            boolean receiving = receivingAt < started.size();
            ReduceScatter sending = sendingAt < started.size() ? started.get(sendingAt) : null;
            boolean sendBlocked = sending != null && sending.received >= sending.sent;
            String phase = receiving ? started.get(receivingAt).phase(started.get(receivingAt).received) : sending.phase(sending.sent);
            links.await(sendBlocked, receiving, deadline, phase);
        }
    }
}

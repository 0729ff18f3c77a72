package org.recspark.trainer.distributed;

import java.util.ArrayList;
import java.util.List;

/**
 * Ring reduce-scatters (of dense ranges, and of sparse rows to their owners) that have been started and are advanced by their caller's thread between other work, as MPI
 * progresses non-blocking collectives from the caller's own calls: each {@link #advance} writes what the successor's
 * socket accepts and adds what has arrived from the predecessor, and returns at once; {@link #complete} waits for
 * the rest. The data then moves through the kernel's socket buffers while the caller computes, with no thread of
 * its own competing for a core.
 *
 * <p>Frames leave, and are expected, in one order on every rank: reduce-scatter by reduce-scatter in start order,
 * and step by step within one. A step's frame leaves only once the previous step's frame has arrived, since it
 * carries the chunk that frame was added to. Sending and receiving otherwise advance independently, so a rank sends
 * its chunk of a range while its predecessor's has not arrived yet. The blocking
 * {@link RingCollective#reduceScatterSum} is one of these, started and completed at once, so a reduce-scatter has one
 * ring schedule and the same bits however it was run.
 *
 * <p>Not thread-safe; the owner closes the group when a call fails.
 */
final class StartedReduceScatters {
    private static final FrameHeader.Op OP = FrameHeader.Op.ALL_REDUCE_SUM;

    private final RingMember member;
    private final RingLinks links;
    private final float[] scratch;
    private final List<Progress> started = new ArrayList<>();
    /** The first reduce-scatter with a step left to send, and the first with a step left to receive. */
    private int sendingAt;
    private int receivingAt;

    /**
     * A started collective of {@code steps()} ring steps whose step {@code s} sends a frame built from what step
     * {@code s - 1} received: a range's reduce-scatter, or the routing of sparse rows to their owners.
     */
    interface Steps {
        int steps();

        /** The frame step {@code step} sends; asked for once the previous step's frame has arrived. */
        RingLinks.Outbound sender(int step);

        /** The receiver of step {@code step}'s frame from the predecessor. */
        RingLinks.Inbound receiver(int step);

        /** The step's name in failure messages, asked for only when one fails. */
        String phase(int step);
    }

    /**
     * A started collective: how many of its steps have been sent and received, the frames in progress, and the names
     * of the steps being sent and received, for failure messages.
     */
    private static final class Progress {
        final Steps steps;
        final RingLinks.Phase sending;
        final RingLinks.Phase receiving;
        int sent;
        int received;
        RingLinks.Outbound sender;
        RingLinks.Inbound receiver;

        Progress(Steps steps) {
            this.steps = steps;
            this.sending = () -> steps.phase(sent);
            this.receiving = () -> steps.phase(received);
        }
    }

    /** One range's reduce-scatter. */
    private final class ReduceScatter implements Steps {
        final float[] buffer;
        final int offset;
        final ChunkLayout chunks;
        final int sequence;

        ReduceScatter(float[] buffer, int offset, int length, int sequence) {
            this.buffer = buffer;
            this.offset = offset;
            this.chunks = new ChunkLayout(length, member.size());
            this.sequence = sequence;
        }

        @Override
        public int steps() {
            return member.size() - 1;
        }

        /** At step s rank r passes on chunk r - s, which ranks r - s .. r have summed so far, ... */
        @Override
        public RingLinks.Outbound sender(int step) {
            int chunk = Math.floorMod(member.rank() - step, member.size());
            return new FloatSender(header(chunk), buffer, offset + chunks.offset(chunk), chunks.length(chunk));
        }

        /**
         * ... and adds its own values to chunk r - s - 1, received from the predecessor, so chunk c ends up at rank
         * c - 1 holding the sum over the ring from c.
         */
        @Override
        public RingLinks.Inbound receiver(int step) {
            int chunk = Math.floorMod(member.rank() - step - 1, member.size());
            return new FloatReceiver(header(chunk), buffer, offset + chunks.offset(chunk), chunks.length(chunk),
                    FloatReceiver.Mode.ADD, scratch);
        }

        private FrameHeader header(int chunk) {
            return new FrameHeader(OP, sequence, chunks.length(), (long) chunks.length(chunk) * Float.BYTES);
        }

        @Override
        public String phase(int step) {
            return OP + " #" + sequence + " reduce-scatter step " + (step + 1) + "/" + steps();
        }
    }

    /** @param scratch a segment's floats, for adding received floats */
    StartedReduceScatters(RingMember member, RingLinks links, float[] scratch) {
        this.member = member;
        this.links = links;
        this.scratch = scratch;
    }

    boolean isEmpty() {
        return started.isEmpty();
    }

    /** Adds a reduce-scatter of {@code buffer[offset, offset + length)} under the collective's sequence number. */
    void add(float[] buffer, int offset, int length, int sequence) {
        add(new ReduceScatter(buffer, offset, length, sequence));
    }

    /** Adds another started collective, whose frames follow those of the ones added before it. */
    void add(Steps collective) {
        started.add(new Progress(collective));
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
            forget();
            return true;
        }
        return false;
    }

    /** Drops every started collective, complete or not: after a failure, which closed the group. */
    void forget() {
        started.clear();
        sendingAt = 0;
        receivingAt = 0;
    }

    /** Sends frames in order until one waits for the socket or for its previous step's frame. */
    private void sendReady() {
        while (sendingAt < started.size()) {
            Progress r = started.get(sendingAt);
            if (r.sent == r.steps.steps()) {
                sendingAt++;
            } else if (r.received < r.sent) {
                return;
            } else {
                if (r.sender == null) {
                    r.sender = r.steps.sender(r.sent);
                }
                if (!links.sendAvailable(r.sender, r.sending)) {
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
            Progress r = started.get(receivingAt);
            if (r.received == r.steps.steps()) {
                receivingAt++;
                continue;
            }
            if (r.receiver == null) {
                r.receiver = r.steps.receiver(r.received);
            }
            if (!links.receiveAvailable(r.receiver, r.receiving)) {
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
            Progress sending = sendingAt < started.size() ? started.get(sendingAt) : null;
            boolean sendBlocked = sending != null && sending.received >= sending.sent;
            links.await(sendBlocked, receiving, deadline, receiving ? started.get(receivingAt).receiving : sending.sending);
        }
    }
}

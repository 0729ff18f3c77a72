package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;
import java.util.function.IntFunction;

/** Receives a header, checks it against the expected one, then receives as many payload bytes as it announces. */
final class ByteFrameReceiver implements RingLinks.Inbound {
    private static final int MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 16;

    private final FrameHeader expected;
    private final IntFunction<byte[]> bufferFor;
    private byte[] payload;
    private int length;
    private int next;

    /** @param expected with {@link FrameHeader#ANY_PAYLOAD} for a variable-size payload */
    ByteFrameReceiver(FrameHeader expected) {
        this(expected, byte[]::new);
    }

    /**
     * Receives into an array {@code bufferFor} hands out for the announced length (at least that long), so a caller
     * can keep its arrays across steps.
     */
    ByteFrameReceiver(FrameHeader expected, IntFunction<byte[]> bufferFor) {
        this.expected = expected;
        this.bufferFor = bufferFor;
    }

    @Override
    public int wanted() {
        return payload == null ? FrameHeader.BYTES : length - next;
    }

    @Override
    public void consume(ByteBuffer buf) {
        if (payload == null) {
            FrameHeader received = FrameHeader.readFrom(buf);
            expected.checkReceived(received);
            if (received.payloadBytes() > MAX_PAYLOAD_BYTES) {
                throw new IllegalStateException("predecessor announced " + received.payloadBytes()
                        + " payload bytes, more than the " + MAX_PAYLOAD_BYTES + " a frame can hold");
            }
            length = (int) received.payloadBytes();
            payload = bufferFor.apply(length);
            return;
        }
        int n = buf.remaining();
        buf.get(payload, next, n);
        next += n;
    }

    /** The array holding the payload in its first {@link #length()} bytes, once {@link #wanted()} is 0. */
    byte[] payload() {
        return payload;
    }

    /** The payload's length in bytes, once the header is in. */
    int length() {
        return length;
    }
}

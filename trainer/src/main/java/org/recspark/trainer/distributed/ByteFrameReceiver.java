package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;

/** Receives a header, checks it against the expected one, then receives as many payload bytes as it announces. */
final class ByteFrameReceiver implements RingLinks.Inbound {
    private static final int MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 16;

    private final FrameHeader expected;
    private byte[] payload;
    private int next;

    /** @param expected with {@link FrameHeader#ANY_PAYLOAD} for a variable-size payload */
    ByteFrameReceiver(FrameHeader expected) {
        this.expected = expected;
    }

    @Override
    public int wanted() {
        return payload == null ? FrameHeader.BYTES : payload.length - next;
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
            payload = new byte[(int) received.payloadBytes()];
            return;
        }
        int n = buf.remaining();
        buf.get(payload, next, n);
        next += n;
    }

    /** The payload, once {@link #wanted()} is 0. */
    byte[] payload() {
        return payload;
    }
}

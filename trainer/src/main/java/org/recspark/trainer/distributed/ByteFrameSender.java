package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;

/** Sends a header and then the first bytes of a byte array. */
final class ByteFrameSender implements RingLinks.Outbound {
    private final FrameHeader header;
    private final byte[] payload;
    private final int end;
    private int next;
    private boolean headerSent;

    ByteFrameSender(FrameHeader header, byte[] payload) {
        this(header, payload, payload.length);
    }

    /** Sends {@code payload[0, length)}: an array kept across steps is usually longer than this step's bytes. */
    ByteFrameSender(FrameHeader header, byte[] payload, int length) {
        this(header, payload, 0, length);
    }

    /** Sends {@code payload[offset, offset + length)}: the part of a payload still to be forwarded. */
    ByteFrameSender(FrameHeader header, byte[] payload, int offset, int length) {
        this.header = header;
        this.payload = payload;
        this.next = offset;
        this.end = offset + length;
    }

    @Override
    public void fill(ByteBuffer buf) {
        if (!headerSent) {
            header.writeTo(buf);
            headerSent = true;
        }
        int n = Math.min(end - next, buf.remaining());
        buf.put(payload, next, n);
        next += n;
    }
}

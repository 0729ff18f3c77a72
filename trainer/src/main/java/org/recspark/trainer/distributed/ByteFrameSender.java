package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;

/** Sends a header and then a byte array. */
final class ByteFrameSender implements RingLinks.Outbound {
    private final FrameHeader header;
    private final byte[] payload;
    private int next;
    private boolean headerSent;

    ByteFrameSender(FrameHeader header, byte[] payload) {
        this.header = header;
        this.payload = payload;
    }

    @Override
    public void fill(ByteBuffer buf) {
        if (!headerSent) {
            header.writeTo(buf);
            headerSent = true;
        }
        int n = Math.min(payload.length - next, buf.remaining());
        buf.put(payload, next, n);
        next += n;
    }
}

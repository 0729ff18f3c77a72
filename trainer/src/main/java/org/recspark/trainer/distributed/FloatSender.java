package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;

/** Sends a header and then a range of a float array, in the wire's little-endian order. */
final class FloatSender implements RingLinks.Outbound {
    private final FrameHeader header;
    private final float[] source;
    private final int end;
    private int next;
    private boolean headerSent;

    FloatSender(FrameHeader header, float[] source, int offset, int length) {
        this.header = header;
        this.source = source;
        this.next = offset;
        this.end = offset + length;
    }

    @Override
    public void fill(ByteBuffer buf) {
        if (!headerSent) {
            header.writeTo(buf);
            headerSent = true;
        }
        int n = Math.min(end - next, buf.remaining() / Float.BYTES);
        if (n > 0) {
            buf.asFloatBuffer().put(source, next, n);
            buf.position(buf.position() + n * Float.BYTES);
            next += n;
        }
    }
}

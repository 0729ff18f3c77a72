package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;

/**
 * Receives a header, checks it against the expected one, then receives floats into a range of an array, either
 * overwriting it or adding to it as {@code received + own}.
 */
final class FloatReceiver implements RingLinks.Inbound {

    /** What happens to the received floats. */
    enum Mode {
        COPY,
        ADD
    }

    private final FrameHeader expected;
    private final float[] target;
    private final int end;
    private final Mode mode;
    private final float[] scratch;
    private int next;
    private boolean headerReceived;

    /** @param scratch a buffer of at least a segment's floats, used by {@link Mode#ADD} */
    FloatReceiver(FrameHeader expected, float[] target, int offset, int length, Mode mode, float[] scratch) {
        this.expected = expected;
        this.target = target;
        this.next = offset;
        this.end = offset + length;
        this.mode = mode;
        this.scratch = scratch;
    }

    @Override
    public int wanted() {
        if (!headerReceived) {
            return FrameHeader.BYTES;
        }
        return Math.min(end - next, Integer.MAX_VALUE / Float.BYTES) * Float.BYTES;
    }

    @Override
    public void consume(ByteBuffer buf) {
        if (!headerReceived) {
            expected.checkReceived(FrameHeader.readFrom(buf));
            headerReceived = true;
            return;
        }
        int n = buf.remaining() / Float.BYTES;
        if (mode == Mode.COPY) {
            buf.asFloatBuffer().get(target, next, n);
        } else {
            buf.asFloatBuffer().get(scratch, 0, n);
            for (int i = 0; i < n; i++) {
                target[next + i] = scratch[i] + target[next + i];
            }
        }
        next += n;
    }
}

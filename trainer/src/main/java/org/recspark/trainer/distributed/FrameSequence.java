package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;

/**
 * Several frames sent, and received, one after the other in one {@link RingLinks#transfer}: a collective step that
 * carries two payloads (the weights' chunks and the sparse rows) costs one round of the ring instead of two.
 */
final class FrameSequence {
    /** The room {@link RingLinks.Outbound#fill} is promised, enough for a frame header. */
    private static final int MIN_FREE_BYTES = 64;

    private FrameSequence() {}

    /** Sends the frames in order, packing the start of one behind the end of the previous one. */
    static RingLinks.Outbound outbound(RingLinks.Outbound... frames) {
        return new RingLinks.Outbound() {
            private int current;

            @Override
            public void fill(ByteBuffer buf) {
                // A frame that adds nothing with room to spare is done (the Outbound contract).
                while (current < frames.length && buf.remaining() >= MIN_FREE_BYTES) {
                    int before = buf.position();
                    frames[current].fill(buf);
                    if (buf.position() == before) {
                        current++;
                    }
                }
            }
        };
    }

    /** Receives the frames in order; each one sees only its own bytes. */
    static RingLinks.Inbound inbound(RingLinks.Inbound... frames) {
        return new RingLinks.Inbound() {
            private int current;

            @Override
            public int wanted() {
                while (current < frames.length) {
                    int wanted = frames[current].wanted();
                    if (wanted > 0) {
                        return wanted;
                    }
                    current++;
                }
                return 0;
            }

            @Override
            public void consume(ByteBuffer buf) {
                frames[current].consume(buf);
            }
        };
    }
}

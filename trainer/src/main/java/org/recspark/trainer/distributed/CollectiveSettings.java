package org.recspark.trainer.distributed;

import java.time.Duration;

/**
 * Runtime settings of a {@link RingCollective}, apart from any hyper-parameter. Immutable.
 *
 * @param timeout how long joining may take, and how long a collective may go without moving a byte before it
 *     fails (an idle timeout: a large transfer that keeps progressing never times out)
 * @param smallMessageBytes dense all-reduces of fewer bytes than this gather whole buffers in {@code size - 1}
 *     steps instead of running the {@code 2 (size - 1)}-step ring (see {@link RingCollective#allReduceSum})
 * @param segmentBytes the piece size transfers are cut into: the size of each of the two direct buffers a group
 *     holds, and how far sending runs ahead of receiving within a ring step; a multiple of 8, at least 64
 */
public record CollectiveSettings(Duration timeout, int smallMessageBytes, int segmentBytes) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Below 8 KiB gathering whole buffers costs less than the ring's {@code size - 1} extra steps, each of which
     * costs a round of wake-ups (tens of microseconds); on loopback with 2 and 4 ranks gathering is faster up to
     * 4-8 KiB and slower from 16-32 KiB (bench's AllReduceBench, its ring and gather columns).
     */
    public static final int DEFAULT_SMALL_MESSAGE_BYTES = 8 * 1024;
    public static final int DEFAULT_SEGMENT_BYTES = 256 * 1024;

    public CollectiveSettings {
        if (timeout == null || timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("timeout must be between 1 ms and " + Integer.MAX_VALUE + " ms, got " + timeout);
        }
        if (smallMessageBytes < 0) {
            throw new IllegalArgumentException("smallMessageBytes must be >= 0, got " + smallMessageBytes);
        }
        if (segmentBytes < 64 || segmentBytes % 8 != 0) {
            throw new IllegalArgumentException("segmentBytes must be a multiple of 8 and >= 64, got " + segmentBytes);
        }
    }

    public static CollectiveSettings defaults() {
        return new CollectiveSettings(DEFAULT_TIMEOUT, DEFAULT_SMALL_MESSAGE_BYTES, DEFAULT_SEGMENT_BYTES);
    }

    public CollectiveSettings withTimeout(Duration newTimeout) {
        return new CollectiveSettings(newTimeout, smallMessageBytes, segmentBytes);
    }

    public CollectiveSettings withSmallMessageBytes(int newSmallMessageBytes) {
        return new CollectiveSettings(timeout, newSmallMessageBytes, segmentBytes);
    }

    public CollectiveSettings withSegmentBytes(int newSegmentBytes) {
        return new CollectiveSettings(timeout, smallMessageBytes, newSegmentBytes);
    }
}

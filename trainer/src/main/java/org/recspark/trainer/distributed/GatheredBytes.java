package org.recspark.trainer.distributed;

import java.util.Arrays;

/**
 * One byte payload per rank for an all-gather that carries them ({@link RingCollective#allGatherChunks(float[],
 * int[], int[], GatheredBytes)}), in arrays kept across steps: this rank writes its own payload in, the gather fills
 * in the others'. An array only grows, so a training run allocates while its payloads grow, then never.
 */
final class GatheredBytes {
    private final byte[][] bytes;
    private final int[] lengths;
    private final int rank;
    private long itemCount;

    GatheredBytes(int size, int rank) {
        this.bytes = new byte[size][0];
        this.lengths = new int[size];
        this.rank = rank;
    }

    int size() {
        return bytes.length;
    }

    int rank() {
        return rank;
    }

    /**
     * This rank's array, with room for at least {@code length} bytes, which become its payload; its contents are
     * kept when it grows.
     *
     * @param items what the payload holds (e.g. tables), which every rank must pass the same
     */
    byte[] own(int length, long items) {
        this.itemCount = items;
        return receiving(rank, length);
    }

    /** The array a payload of {@code length} bytes from {@code fromRank} is received into (grown when short). */
    byte[] receiving(int fromRank, int length) {
        if (bytes[fromRank].length < length) {
            bytes[fromRank] = Arrays.copyOf(bytes[fromRank], Math.max(length, bytes[fromRank].length + bytes[fromRank].length / 2));
        }
        lengths[fromRank] = length;
        return bytes[fromRank];
    }

    /** The array holding a rank's payload in its first {@link #length} bytes. */
    byte[] bytes(int ofRank) {
        return bytes[ofRank];
    }

    int length(int ofRank) {
        return lengths[ofRank];
    }

    /** The item count this rank passed with its payload. */
    long itemCount() {
        return itemCount;
    }
}

package org.recspark.trainer.distributed;

/**
 * How the ring cuts a buffer into one contiguous chunk per rank: the first {@code length % size} chunks are one
 * element longer than the others, and chunks are empty when the buffer is shorter than the ring.
 */
record ChunkLayout(int length, int size) {

    int offset(int chunk) {
        return chunk * (length / size) + Math.min(chunk, length % size);
    }

    int length(int chunk) {
        return length / size + (chunk < length % size ? 1 : 0);
    }
}

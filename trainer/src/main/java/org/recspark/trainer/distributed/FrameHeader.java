package org.recspark.trainer.distributed;

import java.nio.ByteBuffer;

/**
 * The 24 bytes in front of every step of a collective: the operation, its sequence number in the group, its size
 * argument and the payload length. Ranks that call different collectives, or pass buffers of different lengths,
 * then fail with a message saying so instead of misreading each other's bytes.
 *
 * @param argument the collective's size: the buffer length of a dense all-reduce, the table count of a sparse one
 * @param payloadBytes bytes after the header, or {@link #ANY_PAYLOAD} in an expectation of a variable-size frame
 */
record FrameHeader(Op op, int sequence, long argument, long payloadBytes) {
    static final int BYTES = 24;
    static final long ANY_PAYLOAD = -1;

    /** The collectives, by the name callers know them under and the name of their size argument. */
    enum Op {
        ALL_REDUCE_SUM("allReduceSum", "buffer length"),
        ALL_GATHER_LONGS("allGatherLongs", "value count"),
        SPARSE_ROWS("allGatherChunks's sparse rows", "table count"),
        ROWS_TO_OWNERS("the sparse rows' routing to their owners", "table count");

        private final String apiName;
        private final String argumentName;

        Op(String apiName, String argumentName) {
            this.apiName = apiName;
            this.argumentName = argumentName;
        }

        @Override
        public String toString() {
            return apiName;
        }
    }

    void writeTo(ByteBuffer buf) {
        buf.putInt(op.ordinal()).putInt(sequence).putLong(argument).putLong(payloadBytes);
    }

    /** Reads a header the predecessor sent; IllegalStateException when it is not one. */
    static FrameHeader readFrom(ByteBuffer buf) {
        int code = buf.getInt();
        Op[] ops = Op.values();
        if (code < 0 || code >= ops.length) {
            throw new IllegalStateException("received an unknown operation code " + code + ": not a frame of this protocol");
        }
        return new FrameHeader(ops[code], buf.getInt(), buf.getLong(), buf.getLong());
    }

    /**
     * Checks a header received from the predecessor against this expectation.
     *
     * @throws IllegalStateException naming the difference
     */
    void checkReceived(FrameHeader received) {
        if (received.op != op || received.sequence != sequence) {
            throw new IllegalStateException("predecessor sent a frame of " + received.op + " #" + received.sequence
                    + " while this rank is in " + op + " #" + sequence
                    + ": every rank must call the same collectives in the same order");
        }
        if (received.argument != argument) {
            throw new IllegalStateException("predecessor's " + op.argumentName + " is " + received.argument
                    + ", this rank's is " + argument + ": every rank must pass the same " + op.argumentName);
        }
        if (payloadBytes != ANY_PAYLOAD ? received.payloadBytes != payloadBytes : received.payloadBytes < 0) {
            throw new IllegalStateException("predecessor announced " + received.payloadBytes + " payload bytes, expected "
                    + (payloadBytes == ANY_PAYLOAD ? "a non-negative count" : payloadBytes));
        }
    }
}

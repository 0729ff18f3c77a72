package org.recspark.trainer.distributed;

import java.nio.charset.StandardCharsets;

/**
 * Who a process is in a ring: the session token all members share, its rank and the ring size. In Spark the token
 * is the job id and stage attempt number, so the tasks of a retried stage never connect to those of an earlier
 * attempt.
 */
public record RingMember(String sessionToken, int rank, int size) {
    static final int MAX_TOKEN_BYTES = 1024;

    public RingMember {
        if (sessionToken == null || sessionToken.isEmpty()) {
            throw new IllegalArgumentException("sessionToken must be non-empty, got " + (sessionToken == null ? "null" : "''"));
        }
        int tokenBytes = sessionToken.getBytes(StandardCharsets.UTF_8).length;
        if (tokenBytes > MAX_TOKEN_BYTES) {
            throw new IllegalArgumentException("sessionToken must be at most " + MAX_TOKEN_BYTES + " UTF-8 bytes, got " + tokenBytes);
        }
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, got " + size);
        }
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank must be in [0, " + size + "), got " + rank);
        }
    }

    /** The rank this one sends to. */
    int successor() {
        return (rank + 1) % size;
    }

    /** The rank this one receives from. */
    int predecessor() {
        return (rank + size - 1) % size;
    }

    @Override
    public String toString() {
        return "rank " + rank + " of " + size + " in session '" + sessionToken + "'";
    }
}

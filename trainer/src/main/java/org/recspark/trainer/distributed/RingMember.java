package org.recspark.trainer.distributed;

import java.nio.charset.StandardCharsets;

/**
 * Who a process is in a ring: the session all members share, the secret that proves membership, its rank and the
 * ring size. The session is a public name (in Spark the stage and its attempt number) that every handshake MAC
 * covers, so the tasks of a retried stage never connect to those of an earlier attempt even though both hold the
 * job's secret; the secret is what keeps anyone else out.
 */
public record RingMember(String session, RingSecret secret, int rank, int size) {
    static final int MAX_SESSION_BYTES = 1024;

    public RingMember {
        if (session == null || session.isEmpty()) {
            throw new IllegalArgumentException("session must be non-empty, got " + (session == null ? "null" : "''"));
        }
        int sessionBytes = session.getBytes(StandardCharsets.UTF_8).length;
        if (sessionBytes > MAX_SESSION_BYTES) {
            throw new IllegalArgumentException("session must be at most " + MAX_SESSION_BYTES + " UTF-8 bytes, got " + sessionBytes);
        }
        if (secret == null) {
            throw new IllegalArgumentException("secret must be given (RingSecret.generate() on the driver), got null");
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
        return "rank " + rank + " of " + size + " in session '" + session + "'";
    }
}

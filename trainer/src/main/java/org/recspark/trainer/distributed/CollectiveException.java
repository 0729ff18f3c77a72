package org.recspark.trainer.distributed;

/**
 * A collective or the forming of a ring failed: a timeout, a peer that closed, a refused handshake, ranks that
 * called different collectives or passed different sizes, an I/O error or an interruption. The message names this
 * rank, the phase and the peer. The group it came from is closed by then.
 */
public final class CollectiveException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }

    static CollectiveException of(RingMember member, String phase, String peer, String problem, Throwable cause) {
        return new CollectiveException(member + ", " + phase + ", peer " + peer + ": " + problem, cause);
    }
}

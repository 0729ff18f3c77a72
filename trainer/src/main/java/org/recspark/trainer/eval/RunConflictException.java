package org.recspark.trainer.eval;

/** A run directory holds a run the requested run must not continue or mix with; the message says what to do. */
public final class RunConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RunConflictException(String message) {
        super(message);
    }
}

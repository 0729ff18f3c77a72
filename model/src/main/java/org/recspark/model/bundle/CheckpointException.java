package org.recspark.model.bundle;

/** A checkpoint that cannot be used: missing, corrupted, of an unknown version, or not matching the model. */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }
}

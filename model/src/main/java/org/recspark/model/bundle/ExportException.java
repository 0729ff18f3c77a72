package org.recspark.model.bundle;

/** An export bundle that cannot be used: missing, corrupted, of an unknown version, or not matching this build. */
public final class ExportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExportException(String message) {
        super(message);
    }
}

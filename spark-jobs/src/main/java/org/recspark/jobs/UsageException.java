package org.recspark.jobs;

/** Bad command-line arguments: the launcher prints the message and the command's usage, then exits 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}

package org.recspark.jobs.samples;

/**
 * More input rows were rejected than input_config.rejects.max_fraction allows: bad data, not a fault
 * of the job, so its message (the counts, the reasons and where the rejected rows are) is the whole report.
 */
public final class TooManyRejectsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TooManyRejectsException(String message) {
        super(message);
    }
}

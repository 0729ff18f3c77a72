package org.recspark.storage;

import java.nio.file.Path;

/**
 * A location a user named that cannot serve as what it was named for: an input that is not there,
 * a file where a directory is needed, a directory of something else where an output would replace
 * it. Bad input like a bad option: the message names the location and what was expected, and the
 * launcher prints it without a stack trace.
 */
public final class UnusableLocationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param problem what is wrong with it and what was expected, e.g. "is a file; a model directory is a directory" */
    public UnusableLocationException(Path location, String problem) {
        super(location + " " + problem);
    }
}

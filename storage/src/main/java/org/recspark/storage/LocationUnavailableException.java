package org.recspark.storage;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A location whose store did not answer whether it exists (a NameNode that cannot be reached, an
 * object store refusing the request). Unchecked on purpose: {@link java.nio.file.Files#exists},
 * {@code isDirectory} and {@code isRegularFile} turn every {@link IOException} into "not there",
 * and a job must not take an unreachable model directory or bundle for an empty one.
 */
public final class LocationUnavailableException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    public LocationUnavailableException(String location, IOException cause) {
        super("cannot tell what is at " + location + ": its filesystem did not answer (" + cause.getMessage() + ")", cause);
    }
}

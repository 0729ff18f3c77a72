package org.recspark.sampledata;

import java.nio.file.Path;

/** A malformed line of an input file, named by file and 1-based line number. */
public final class DataFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataFormatException(Path file, long line, String problem) {
        super(file + ":" + line + ": " + problem);
    }
}

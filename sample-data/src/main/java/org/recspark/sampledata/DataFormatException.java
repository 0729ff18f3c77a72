package org.recspark.sampledata;

import java.nio.file.Path;

/** A malformed line of an input, named by file (or what the input is) and 1-based line number. */
public final class DataFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String problem;

    public DataFormatException(Path file, long line, String problem) {
        this(file.toString(), line, problem);
    }

    public DataFormatException(String source, long line, String problem) {
        super(source + ":" + line + ": " + problem);
        this.problem = problem;
    }

    /** What is wrong, without the source and line (for a caller that names them its own way). */
    public String problem() {
        return problem;
    }
}

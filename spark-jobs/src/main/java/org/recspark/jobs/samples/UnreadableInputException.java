package org.recspark.jobs.samples;

import java.util.Optional;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.spark.SparkThrowable;

/**
 * An input file that cannot be read as its format: not Parquet or ORC at all (a CSV file or an empty
 * file among the part files), cut short, corrupt, failing its checksum. Bad data, not a fault of the
 * job: the message names the file (and the config path when known) and what the reader found.
 */
public final class UnreadableInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final String FAILED_READ_FILE = "FAILED_READ_FILE";

    UnreadableInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Why a file could not be read, when that is what {@code e} (or a cause: Spark wraps what a task
     * met) reports: "cannot read FILE: the reader's own words"; empty for any other failure.
     */
    public static Optional<String> describe(Throwable e) {
        String file = null;
        boolean unreadable = false;
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SparkThrowable spark && spark.getCondition() != null && spark.getCondition().startsWith(FAILED_READ_FILE)) {
                unreadable = true;
                file = file != null ? file : spark.getMessageParameters().get("path");
            }
            unreadable |= t instanceof ChecksumException;
            root = t;
        }
        if (!unreadable) {
            return Optional.empty();
        }
        return Optional.of((file != null ? "cannot read " + file + ": " : "cannot read an input file: ") + root.getMessage()
                + " (a file that is not of the table's format, cut short or corrupt; remove or replace it)");
    }
}

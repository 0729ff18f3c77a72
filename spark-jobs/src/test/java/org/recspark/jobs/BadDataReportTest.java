package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.apache.hadoop.fs.ChecksumException;
import org.junit.jupiter.api.Test;
import org.recspark.jobs.samples.TooManyRejectsException;

/** Bad input data ends a command with its own message, found however deep Spark wrapped it; a fault keeps its stack trace. */
class BadDataReportTest {

    @Test
    void badDataIsFoundAmongTheCauses() {
        assertEquals(Optional.of("3 of 40 samples were rejected"),
                RecSparkCli.badData(new IllegalStateException("Job aborted", new RuntimeException(new TooManyRejectsException("3 of 40 samples were rejected")))));
        assertEquals(Optional.of("cannot read an input file: Checksum error: file:/d/part-0.parquet at 0 (a file that is not of the table's "
                        + "format, cut short or corrupt; remove or replace it)"),
                RecSparkCli.badData(new RuntimeException("Job aborted", new ChecksumException("Checksum error: file:/d/part-0.parquet at 0", 0))));
    }

    @Test
    void anyOtherFailureIsNotBadData() {
        assertEquals(Optional.empty(), RecSparkCli.badData(new IllegalStateException("wrote 3 samples, 4 passed the checks")));
    }
}

package org.recspark.jobs.samples;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Where a sample job's rows go: partitioned by {@code dt}, replacing only the days the rows hold,
 * so rerunning a day is idempotent and leaves the other days as they were.
 */
public sealed interface SampleSink permits ParquetPathSink, HiveTableSink {
    /** Checks that rows of this schema can be written, before the job does any work; throws otherwise. */
    void check(StructType rows);

    void write(Dataset<Row> rows);

    /** The path, or the table, for logs and messages. */
    String location();
}

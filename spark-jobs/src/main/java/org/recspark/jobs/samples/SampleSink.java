package org.recspark.jobs.samples;

import static org.apache.spark.sql.functions.col;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Where a sample job's rows go: partitioned by {@code dt}, replacing only the days the rows hold,
 * so rerunning a day is idempotent and leaves the other days as they were.
 */
public sealed interface SampleSink permits ParquetPathSink, HiveTableSink {
    /** Checks that rows of this schema can be written, before the job does any work; throws otherwise. */
    void check(StructType rows);

    /**
     * Writes {@code rows}, replacing the days they hold, and removes the days of {@code emptiedDays}
     * (days this run was to build that hold no rows now): each day a run builds then holds exactly
     * what the run produced, never an earlier run's rows.
     *
     * @param dates the days the rows hold, whose partitions the write replaces
     */
    void write(Dataset<Row> rows, Set<String> dates, Set<String> emptiedDays);

    /**
     * Rows per day in the written partitions of {@code dates}, read back from the output (Parquet
     * row counts come from the files' footers), so a reported count is what a reader will find.
     */
    Map<String, Long> written(SparkSession spark, Set<String> dates);

    /** Rows per dt of {@code data} in {@code dates}, in date order. */
    static Map<String, Long> countPerDate(Dataset<Row> data, Set<String> dates) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Column dt = col(SampleBuildJob.DT).cast("string");
        for (Row r : data.where(dt.isin(dates.toArray())).groupBy(dt.as(SampleBuildJob.DT)).count().orderBy(SampleBuildJob.DT).collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        return counts;
    }

    /** The path, or the table, for logs and messages. */
    String location();
}

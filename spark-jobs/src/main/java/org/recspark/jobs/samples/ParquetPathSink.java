package org.recspark.jobs.samples;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.Locations;

/**
 * Parquet under a path or Hadoop URI, partitioned by dt ({@code PATH/dt=YYYY-MM-DD/}). The write
 * holds the directory's lock, removes what a killed earlier write left there, and ends with a
 * {@code _SUCCESS} marker in each partition and in the directory ({@link PartitionedOutputDirectory}).
 * A day the run builds without rows has its earlier partition removed.
 */
public record ParquetPathSink(String path) implements SampleSink {
    @Override
    public void check(StructType rows) {
        // A path takes rows of any schema.
    }

    @Override
    public void write(Dataset<Row> rows, Set<String> dates, Set<String> emptiedDays) {
        Path dir = Locations.of(path);
        try (DirectoryLock lock = DirectoryLock.acquire(dir, "partitioned write to " + path)) {
            PartitionedOutputDirectory output = PartitionedOutputDirectory.at(dir, SampleBuildJob.DT);
            output.removeLeftovers();
            // Dynamic overwrite as a write option, so a session left in static mode cannot delete the other days.
            rows.write().mode(SaveMode.Overwrite).option("partitionOverwriteMode", "dynamic").partitionBy(SampleBuildJob.DT).parquet(path);
            lock.checkHeld();
            output.removePartitions(emptiedDays);
            output.markComplete(dates);
        }
    }

    @Override
    public Map<String, Long> written(SparkSession spark, Set<String> dates) {
        // Nothing written leaves no file to read a schema from.
        return dates.isEmpty() ? Map.of() : SampleSink.countPerDate(PartitionedOutputDirectory.read(spark, path), dates);
    }

    @Override
    public String location() {
        return path;
    }
}

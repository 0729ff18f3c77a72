package org.recspark.jobs.samples;

import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/** Parquet under a path or Hadoop URI, partitioned by dt ({@code PATH/dt=YYYY-MM-DD/}). */
public record ParquetPathSink(String path) implements SampleSink {
    @Override
    public void check(StructType rows) {
        // A path takes rows of any schema.
    }

    @Override
    public void write(Dataset<Row> rows) {
        // Dynamic overwrite as a write option, so a session left in static mode cannot delete the other days.
        rows.write().mode(SaveMode.Overwrite).option("partitionOverwriteMode", "dynamic").partitionBy(SampleBuildJob.DT).parquet(path);
    }

    @Override
    public Map<String, Long> written(SparkSession spark, Set<String> dates) {
        // Nothing written leaves no file to read a schema from.
        return dates.isEmpty() ? Map.of() : SampleSink.countPerDate(spark.read().parquet(path), dates);
    }

    @Override
    public String location() {
        return path;
    }
}

package org.recspark.jobs.samples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.recspark.storage.Locations;
import org.recspark.storage.PathTrees;
import org.recspark.storage.UnusableLocationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory Spark writes partitioned by dt with dynamic partition overwrite, and what Spark's
 * commit protocol leaves out there: the staging a killed job leaves ({@code .spark-staging-<job>},
 * {@code _temporary}) is never removed by Spark, nor is a partition whose removal was cut short
 * ({@code .dt=D.old-<id>}), and the {@value #SUCCESS} marker is written into the staging directory,
 * which is deleted (a Hive-format table's insert stages in {@code .hive-staging*}), so neither the
 * output nor a partition ever gets one. Writers hold the directory's lock, so no other writer's
 * staging is removed.
 *
 * <p>Where a partition is complete: on stores whose rename is atomic (local disk, HDFS) Spark's
 * commit renames each partition into place whole, so every partition is; on object stores (S3)
 * the rename copies file by file, so a partition is complete only once its marker is there, which
 * this class writes last and readers require ({@link #read}).
 */
public final class PartitionedOutputDirectory {
    /** The marker Hadoop's and Spark's committers write into a complete output, which schedulers wait for. */
    public static final String SUCCESS = "_SUCCESS";
    /** Where an insert into a Hive-format table stages its files ({@code hive.exec.stagingdir}'s default). */
    private static final String HIVE_STAGING = ".hive-staging";
    private static final Logger LOG = LoggerFactory.getLogger(PartitionedOutputDirectory.class);

    private final Path dir;
    private final String partitionColumn;
    private final boolean markersRequired;

    /** @param markersRequired whether a partition is complete only with its marker (a store without atomic rename) */
    PartitionedOutputDirectory(Path dir, String partitionColumn, boolean markersRequired) {
        this.dir = dir;
        this.partitionColumn = partitionColumn;
        this.markersRequired = markersRequired;
    }

    /** The directory at {@code dir}, with its store's rule for complete partitions. */
    static PartitionedOutputDirectory at(Path dir, String partitionColumn) {
        return new PartitionedOutputDirectory(dir, partitionColumn, !Locations.atomicRename(dir));
    }

    /**
     * The rows of the complete partitions of the dt-partitioned Parquet output at {@code location}
     * (samples, predictions): all of them on a store with atomic rename; elsewhere those with their
     * marker, the others (a write that died while its partitions were being copied) skipped with a
     * warning naming them.
     *
     * @throws IllegalStateException when partitions exist but none is complete
     */
    public static Dataset<Row> read(SparkSession spark, String location) {
        Path dir = Locations.of(location);
        // Spark's own errors here (PATH_NOT_FOUND, UNABLE_TO_INFER_SCHEMA) come with a stack trace and without what was expected
        if (!Files.exists(dir)) {
            throw new UnusableLocationException(dir, "does not exist; expected a Parquet table partitioned by dt (the output of "
                    + "build-samples or predict)");
        }
        if (Files.isDirectory(dir) && !holdsDataFile(dir)) {
            throw new UnusableLocationException(dir, "holds no data file; expected a Parquet table partitioned by dt (the output "
                    + "of build-samples or predict)");
        }
        PartitionedOutputDirectory output = at(dir, SampleBuildJob.DT);
        return output.markersRequired ? output.readComplete(spark, location) : spark.read().parquet(location);
    }

    /** Whether a file Spark would read is anywhere under {@code dir} (it skips names starting with '.' or '_'). */
    private static boolean holdsDataFile(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .anyMatch(name -> !name.startsWith(".") && !name.startsWith("_"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    Dataset<Row> readComplete(SparkSession spark, String location) {
        List<Path> partitions = Files.isDirectory(dir) ? partitions() : List.of();
        if (partitions.isEmpty()) {
            return spark.read().parquet(location);
        }
        List<Path> complete = new ArrayList<>();
        List<Path> incomplete = new ArrayList<>();
        for (Path partition : partitions) {
            (Files.isRegularFile(partition.resolve(SUCCESS)) ? complete : incomplete).add(partition);
        }
        if (complete.isEmpty()) {
            throw new IllegalStateException(location + " has no complete partition: none of " + names(incomplete) + " has its "
                    + SUCCESS + " marker, which a finished write adds last (on this store a partition appears file by file)");
        }
        if (!incomplete.isEmpty()) {
            LOG.warn("Skipping the partitions of {} without their {} marker, which a write that did not finish left: {}", location,
                    SUCCESS, names(incomplete));
        }
        return spark.read().option("basePath", Locations.uri(dir)).parquet(complete.stream().map(Locations::uri).toArray(String[]::new));
    }

    /** Removes a killed job's staging; returns what was removed. */
    List<Path> removeLeftovers() {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                boolean removedPartition = name.startsWith("." + partitionColumn + "=") && name.contains(".old-");
                if (name.startsWith(".spark-staging-") || name.startsWith(HIVE_STAGING) || name.equals("_temporary") || removedPartition) {
                    PathTrees.deleteRecursively(child);
                    removed.add(child);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the leftovers of an earlier, killed write under " + dir, e);
        }
        if (!removed.isEmpty()) {
            LOG.warn("Removed the leftovers of an earlier write to {} that never finished (a killed job): {}", dir, removed);
        }
        return removed;
    }

    /**
     * Removes the partitions of {@code values}: each is first renamed to a hidden name readers skip
     * (atomic on the local disk and HDFS), then deleted. Returns the partitions removed.
     */
    List<Path> removePartitions(Set<String> values) {
        List<Path> removed = new ArrayList<>();
        for (String value : values) {
            Path partition = dir.resolve(partitionColumn + "=" + value);
            if (!Files.exists(partition)) {
                continue;
            }
            try {
                Path hidden = dir.resolve("." + partition.getFileName() + ".old-" + UUID.randomUUID());
                Files.move(partition, hidden);
                PathTrees.deleteRecursively(hidden);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the partition " + partition + ", which this run left without rows", e);
            }
            LOG.warn("This run has no rows for {}={}: removed the earlier run's partition {}", partitionColumn, value, partition);
            removed.add(partition);
        }
        return removed;
    }

    /**
     * Marks the partitions of {@code written} complete, then the whole output. Where renames are
     * atomic, any other partition without a marker is marked too: it appeared whole at an earlier
     * job's commit (a build before markers). Elsewhere it may be half copied, so it stays unmarked.
     *
     * @param written the values of the partition column this write replaced
     */
    void markComplete(Set<String> written) {
        try {
            for (Path partition : partitions()) {
                boolean thisWrite = written.contains(partition.getFileName().toString().substring(partitionColumn.length() + 1));
                if ((thisWrite || !markersRequired) && !Files.exists(partition.resolve(SUCCESS))) {
                    Files.write(partition.resolve(SUCCESS), new byte[0]);
                }
            }
            Files.write(dir.resolve(SUCCESS), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark the output " + dir + " complete", e);
        }
    }

    private List<Path> partitions() {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> p.getFileName().toString().startsWith(partitionColumn + "=") && Files.isDirectory(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the partitions of " + dir, e);
        }
    }

    private static List<String> names(List<Path> partitions) {
        return partitions.stream().map(p -> p.getFileName().toString()).toList();
    }
}

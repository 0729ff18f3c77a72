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
import org.recspark.storage.PathTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory Spark writes partitioned by dt with dynamic partition overwrite, and what Spark's
 * commit protocol leaves out there: the staging a killed job leaves ({@code .spark-staging-<job>},
 * {@code _temporary}) is never removed by Spark, nor is a partition whose removal was cut short ({@code .dt=D.old-<id>}), and the {@value #SUCCESS} marker is written into
 * the staging directory, which is deleted (a Hive-format table's insert stages in {@code .hive-staging*}), so neither the output nor a partition ever gets one.
 * Callers hold the directory's lock, so no other writer's staging is removed.
 */
public final class PartitionedOutputDirectory {
    /** The marker Hadoop's and Spark's committers write into a complete output, which schedulers wait for. */
    public static final String SUCCESS = "_SUCCESS";
    /** Where an insert into a Hive-format table stages its files ({@code hive.exec.stagingdir}'s default). */
    private static final String HIVE_STAGING = ".hive-staging";
    private static final Logger LOG = LoggerFactory.getLogger(PartitionedOutputDirectory.class);

    private final Path dir;
    private final String partitionColumn;

    PartitionedOutputDirectory(Path dir, String partitionColumn) {
        this.dir = dir;
        this.partitionColumn = partitionColumn;
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
     * Marks every partition without a marker complete, then the whole output. A partition appears
     * only when Spark renames it in whole at the job's commit, so one without a marker is one this
     * write (or a build before markers) published complete.
     */
    void markComplete() {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path partition : children.filter(p -> p.getFileName().toString().startsWith(partitionColumn + "=")).toList()) {
                if (Files.isDirectory(partition) && !Files.exists(partition.resolve(SUCCESS))) {
                    Files.write(partition.resolve(SUCCESS), new byte[0]);
                }
            }
            Files.write(dir.resolve(SUCCESS), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark the output " + dir + " complete", e);
        }
    }
}

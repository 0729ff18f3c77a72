package org.recspark.jobs.training;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.FilePartition;
import org.apache.spark.sql.execution.datasources.FileScanRDD;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Plans the streaming of the splits of built samples on the driver without reading their rows:
 * which Parquet row groups each split's Spark scan reads, in the scan's order (Spark's own file
 * partitions, and within each file range the row groups Parquet assigns to it, as Spark's reader
 * does), and how many rows of each the split selects: every row of a by-date split's pruned files,
 * the rows in the window of a by-time split (its time column read), the rows whose draw of the
 * random split is in its window (the split draw column read). Two Spark jobs: the footers
 * of the file ranges, then the selected counts.
 */
public final class SamplePlanner {
    private static final Logger LOG = LoggerFactory.getLogger(SamplePlanner.class);

    private SamplePlanner() {}

    /** One file range of a Spark scan partition. */
    private record FileRange(int partition, String file, long start, long length) implements Serializable {}

    /** The row groups Parquet assigns to a file range: their first bytes and row counts. */
    private record RangeRowGroups(FileRange range, long[] starts, long[] rows) implements Serializable {}

    private record Count(int part, int group, long selected) implements Serializable {}

    /** The sources of the given split parts (null stays null). */
    public static List<SampleSource> plan(SparkSession spark, List<SampleSplit.Part> parts) {
        long started = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        try {
            List<List<FileRange>> ranges = new ArrayList<>();
            LinkedHashSet<FileRange> distinct = new LinkedHashSet<>();
            for (SampleSplit.Part part : parts) {
                List<FileRange> r = part == null ? null : scanRanges(part);
                ranges.add(r);
                if (r != null) {
                    distinct.addAll(r);
                }
            }
            Map<FileRange, RangeRowGroups> footers = new HashMap<>();
            for (RangeRowGroups g : jsc.parallelize(new ArrayList<>(distinct), slices(jsc, distinct.size()))
                    .map(r -> rowGroups(conf.value().value(), r)).collect()) {
                footers.put(g.range(), g);
            }

            List<List<SampleRowGroup>> groups = new ArrayList<>();
            List<CountTask> tasks = new ArrayList<>();
            for (int p = 0; p < parts.size(); p++) {
                if (ranges.get(p) == null) {
                    groups.add(null);
                    continue;
                }
                List<SampleRowGroup> partGroups = inScanOrder(ranges.get(p), footers);
                groups.add(partGroups);
                RowSelection selection = parts.get(p).selection();
                if (!(selection instanceof RowSelection.All)) {
                    for (int g = 0; g < partGroups.size(); g++) {
                        tasks.add(new CountTask(p, g, partGroups.get(g), selection));
                    }
                }
            }
            Map<Integer, Map<Integer, Long>> selected = new HashMap<>();
            for (Count c : jsc.parallelize(tasks, slices(jsc, tasks.size()))
                    .map(t -> new Count(t.part(), t.group(), count(conf.value().value(), t))).collect()) {
                selected.computeIfAbsent(c.part(), k -> new HashMap<>()).put(c.group(), c.selected());
            }

            List<SampleSource> out = new ArrayList<>();
            for (int p = 0; p < parts.size(); p++) {
                if (groups.get(p) == null) {
                    out.add(null);
                    continue;
                }
                List<SampleRowGroup> kept = new ArrayList<>();
                for (int g = 0; g < groups.get(p).size(); g++) {
                    SampleRowGroup group = groups.get(p).get(g);
                    long n = selected.containsKey(p) ? selected.get(p).get(g) : group.rows();
                    if (n > 0) {
                        kept.add(group.withSelectedRows(n));
                    }
                }
                SampleSource source = new SampleSource(kept, parts.get(p).selection());
                out.add(source);
                LOG.info("The {} split: {} rows in {} row groups of {} files ({})", parts.get(p).name(), source.numRows(), kept.size(),
                        kept.stream().map(SampleRowGroup::file).distinct().count(), parts.get(p).selection());
            }
            LOG.info("Planned the streaming of {} splits from {} file ranges in {} s", parts.size(), distinct.size(),
                    String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9));
            return out;
        } finally {
            conf.destroy();
        }
    }

    private record CountTask(int part, int group, SampleRowGroup rowGroup, RowSelection selection) implements Serializable {}

    private static long count(Configuration conf, CountTask task) {
        try {
            return ParquetSampleReader.countSelected(conf, task.rowGroup(), task.selection());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + task.rowGroup().file(), e);
        }
    }

    private static int slices(JavaSparkContext jsc, int items) {
        return Math.max(1, Math.min(items, 4 * jsc.defaultParallelism()));
    }

    /**
     * The file ranges the split's scan reads, partition by partition. Only a plain Parquet file scan
     * can be streamed; a split that takes every row of its files must select them by dt partitions
     * only (a row filter would be lost).
     */
    private static List<FileRange> scanRanges(SampleSplit.Part part) {
        SparkPlan plan = part.rows().queryExecution().executedPlan();
        List<FileSourceScanExec> scans = new ArrayList<>();
        for (SparkPlan leaf : CollectionConverters.asJava(plan.collectLeaves())) {
            if (leaf instanceof FileSourceScanExec scan) {
                scans.add(scan);
            }
        }
        if (scans.size() != 1 || !(scans.get(0).relation().fileFormat() instanceof ParquetFileFormat)
                || !(scans.get(0).inputRDD() instanceof FileScanRDD rdd)) {
            throw new IllegalArgumentException("training streams samples from one Parquet table; this split's plan reads "
                    + scans.size() + " file scans:\n" + plan);
        }
        if (part.selection() instanceof RowSelection.All && !scans.get(0).dataFilters().isEmpty()) {
            throw new IllegalArgumentException("a split that takes whole files must select them by partition (dt) only; its scan also "
                    + "filters rows by " + scans.get(0).dataFilters());
        }
        List<FileRange> out = new ArrayList<>();
        for (FilePartition partition : CollectionConverters.asJava(rdd.filePartitions())) {
            for (PartitionedFile file : partition.files()) {
                out.add(new FileRange(partition.index(), file.pathUri().toString(), file.start(), file.length()));
            }
        }
        return out;
    }

    /** The row groups of a file range, as Spark's Parquet reader selects them (the ones whose middle is in the range). */
    private static RangeRowGroups rowGroups(Configuration conf, FileRange range) {
        Path path = new Path(URI.create(range.file()));
        var options = HadoopReadOptions.builder(conf, path).withRange(range.start(), range.start() + range.length()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf), options)) {
            List<BlockMetaData> blocks = reader.getRowGroups();
            long[] starts = new long[blocks.size()];
            long[] rows = new long[blocks.size()];
            for (int i = 0; i < starts.length; i++) {
                starts[i] = blocks.get(i).getStartingPos();
                rows[i] = blocks.get(i).getRowCount();
            }
            return new RangeRowGroups(range, starts, rows);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the footer of " + range.file(), e);
        }
    }

    /** The row groups of a scan in its order, each with its first row's position in its partition. */
    private static List<SampleRowGroup> inScanOrder(List<FileRange> ranges, Map<FileRange, RangeRowGroups> footers) {
        List<SampleRowGroup> out = new ArrayList<>();
        Map<Integer, Long> offsets = new LinkedHashMap<>();
        for (FileRange range : ranges) {
            RangeRowGroups groups = footers.get(range);
            long offset = offsets.getOrDefault(range.partition(), 0L);
            for (int i = 0; i < groups.starts().length; i++) {
                out.add(new SampleRowGroup(range.file(), groups.starts()[i], groups.rows()[i], range.partition(), offset, -1));
                offset += groups.rows()[i];
            }
            offsets.put(range.partition(), offset);
        }
        return out;
    }
}

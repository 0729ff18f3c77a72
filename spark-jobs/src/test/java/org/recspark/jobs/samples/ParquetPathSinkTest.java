package org.recspark.jobs.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.DirectoryLockedException;
import org.recspark.storage.UnusableLocationException;

/** The path sink's lock, its cleanup of a killed write's staging and its _SUCCESS markers, with a local[2] session. */
class ParquetPathSinkTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("ParquetPathSinkTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Dataset<Row> rows(String... days) {
        Dataset<Row> all = null;
        for (String day : days) {
            Dataset<Row> one = spark.range(0, 10).selectExpr("id", "'" + day + "' AS dt");
            all = all == null ? one : all.unionByName(one);
        }
        return all;
    }

    @Test
    void aMissingOrEmptyTableIsNamedWithWhatWasExpectedInsteadOfSparksError() throws IOException {
        Path missing = tmp.resolve("no-samples");
        UnusableLocationException e = assertThrows(UnusableLocationException.class,
                () -> PartitionedOutputDirectory.read(spark, missing.toString()));
        assertEquals(missing + " does not exist; expected a Parquet table partitioned by dt (the output of build-samples or predict)",
                e.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty-samples/dt=2026-11-01"));
        Files.write(empty.resolve(PartitionedOutputDirectory.SUCCESS), new byte[0]);
        e = assertThrows(UnusableLocationException.class, () -> PartitionedOutputDirectory.read(spark, empty.getParent().toString()));
        assertTrue(e.getMessage().startsWith(empty.getParent() + " holds no data file; expected a Parquet table"), e.getMessage());
    }

    @Test
    void aKilledWritesStagingIsRemovedAndEveryPartitionEndsWithSuccess() throws IOException {
        Path out = tmp.resolve("samples");
        new ParquetPathSink(out.toString()).write(rows("2026-11-01", "2026-11-02"), Set.of("2026-11-01", "2026-11-02"), Set.of());
        // What a build killed during its write leaves: Spark's dynamic-overwrite staging with a half-written partition.
        Path killed = Files.createDirectories(out.resolve(".spark-staging-5d1f0c2e/dt=2026-11-02"));
        Files.writeString(killed.resolve("part-00000-5d1f0c2e.c000.snappy.parquet"), "half a file");
        Files.createDirectories(out.resolve("_temporary/0/_temporary/attempt_202611020000_0001_m_000000_0"));
        FileTime before = Files.getLastModifiedTime(out.resolve("dt=2026-11-01/" + PartitionedOutputDirectory.SUCCESS));

        new ParquetPathSink(out.toString()).write(rows("2026-11-02", "2026-11-03"), Set.of("2026-11-02", "2026-11-03"), Set.of());

        assertEquals(List.of("_SUCCESS", "dt=2026-11-01", "dt=2026-11-02", "dt=2026-11-03"), names(out),
                "no staging, no lock, and a marker for the whole output");
        for (String day : List.of("2026-11-01", "2026-11-02", "2026-11-03")) {
            assertTrue(Files.exists(out.resolve("dt=" + day + "/_SUCCESS")), day);
        }
        assertEquals(before, Files.getLastModifiedTime(out.resolve("dt=2026-11-01/_SUCCESS")), "an untouched day keeps its marker");
        assertEquals(30, spark.read().parquet(out.toString()).count());
        assertEquals(10, spark.read().parquet(out.toString()).where("dt = '2026-11-02'").count(), "the rewritten day is replaced");
    }

    @Test
    void aDayWrittenWithoutRowsLosesTheEarlierRunsPartitionAndACutShortRemovalIsFinished() throws IOException {
        Path out = tmp.resolve("emptied");
        new ParquetPathSink(out.toString()).write(rows("2026-11-01", "2026-11-02"), Set.of("2026-11-01", "2026-11-02"), Set.of());
        // What a write killed while removing a day leaves: the partition renamed aside, not yet deleted.
        Files.createDirectories(out.resolve(".dt=2026-10-31.old-0b7e"));

        new ParquetPathSink(out.toString()).write(rows("2026-11-02"), Set.of("2026-11-02"), Set.of("2026-11-01"));

        assertEquals(List.of("_SUCCESS", "dt=2026-11-02"), names(out));
        assertEquals(10, spark.read().parquet(out.toString()).count());
    }

    @Test
    void aWriteIntoADirectoryAnotherRunIsWritingIsRefused() throws IOException {
        Path out = tmp.resolve("busy");
        try (DirectoryLock other = DirectoryLock.acquire(out, "write of samples from another build-samples")) {
            DirectoryLockedException e = assertThrows(DirectoryLockedException.class,
                    () -> new ParquetPathSink(out.toString()).write(rows("2026-11-01"), Set.of("2026-11-01"), Set.of()));
            assertTrue(e.getMessage().contains("locked by 'write of samples from another build-samples'"), e.getMessage());
        }
        assertEquals(List.of(), names(out), "nothing was written");
    }

    @Test
    void outputsAreReadableByGroupAndOthersUnderTheUsualUmask() throws IOException {
        Path out = tmp.resolve("readable");
        new ParquetPathSink(out.toString()).write(rows("2026-11-01"), Set.of("2026-11-01"), Set.of());
        Path plain = Files.createFile(tmp.resolve("plain-file"));
        if (Files.getPosixFilePermissions(plain).contains(PosixFilePermission.OTHERS_READ)) {
            try (Stream<Path> walk = Files.walk(out)) {
                for (Path p : walk.filter(p -> !p.getFileName().toString().endsWith(".crc")).toList()) {
                    assertTrue(Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_READ), p + " " + Files.getPosixFilePermissions(p));
                }
            }
        }
    }

    @Test
    void onAStoreWithoutAtomicRenameOnlyMarkedPartitionsAreRead() throws IOException {
        Path out = tmp.resolve("object-store");
        rows("2026-11-01", "2026-11-02", "2026-11-03").write().partitionBy("dt").parquet(out.toString());
        // As on S3 after a write died while its commit copied dt=2026-11-02 file by file: that partition has no marker.
        PartitionedOutputDirectory output = new PartitionedOutputDirectory(out, "dt", true);
        output.markComplete(Set.of("2026-11-01", "2026-11-03"));
        assertFalse(Files.exists(out.resolve("dt=2026-11-02/_SUCCESS")), "a partition this write did not write is not vouched for");
        output.markComplete(Set.of("2026-11-03"));
        assertFalse(Files.exists(out.resolve("dt=2026-11-02/_SUCCESS")));

        Dataset<Row> read = output.readComplete(spark, out.toString());
        assertEquals(List.of("2026-11-01", "2026-11-03"),
                read.select("dt").distinct().orderBy("dt").collectAsList().stream().map(r -> r.get(0).toString()).toList());
        assertEquals(20, read.count());

        Path none = tmp.resolve("object-store-unfinished");
        rows("2026-11-01").write().partitionBy("dt").parquet(none.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new PartitionedOutputDirectory(none, "dt", true).readComplete(spark, none.toString()));
        assertTrue(e.getMessage().startsWith(none + " has no complete partition: none of [dt=2026-11-01] has its _SUCCESS marker"),
                e.getMessage());

        // A table that is not partitioned by dt, or a single file, is read as it is.
        Path flat = tmp.resolve("object-store-flat");
        rows("2026-11-01").write().parquet(flat.toString());
        assertEquals(10, new PartitionedOutputDirectory(flat, "dt", true).readComplete(spark, flat.toString()).count());
        Path file;
        try (Stream<Path> files = Files.list(flat)) {
            file = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        assertEquals(spark.read().parquet(file.toString()).count(),
                new PartitionedOutputDirectory(file, "dt", true).readComplete(spark, file.toString()).count());

        // Where renames are atomic every partition appeared whole, so an unmarked one (a build before markers) is marked.
        new PartitionedOutputDirectory(out, "dt", false).markComplete(Set.of("2026-11-03"));
        assertTrue(Files.exists(out.resolve("dt=2026-11-02/_SUCCESS")));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }
}

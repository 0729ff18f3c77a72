package org.recspark.jobs.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.testhdfs.LocalHdfs;

/**
 * The test HDFS (a NameNode and a DataNode in their own JVM) reached from this JVM through Spark's own Hadoop
 * client, the shaded hadoop-client-api: the file system operations the storage layer relies on, and a local[2]
 * session writing and reading Parquet on hdfs://. One server and one session for the class.
 */
class LocalHdfsTest {
    @TempDir
    static Path tmp;

    static LocalHdfs hdfs;
    static FileSystem fs;
    static SparkSession spark;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        hdfs = LocalHdfs.start(tmp.resolve("hdfs"));
        fs = FileSystem.newInstance(hdfs.uri(), new Configuration());
        spark = SparkSession.builder().master("local[2]").appName("LocalHdfsTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                // Without it a local-mode task reading HDFS never starts: delay scheduling waits for the block's
                // host, which is never "localhost" (STACK-NOTES.md).
                .config("spark.locality.wait", "0s")
                .getOrCreate();
    }

    @AfterAll
    static void stop() throws IOException {
        if (spark != null) {
            spark.stop();
        }
        if (fs != null) {
            fs.close();
        }
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Test
    void servesHdfsOnLoopback() {
        assertEquals("hdfs", hdfs.uri().getScheme());
        assertEquals("127.0.0.1", hdfs.uri().getHost());
    }

    @Test
    void writesListsRenamesAndReadsAFile() throws IOException {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path("/file-operations");
        org.apache.hadoop.fs.Path staged = new org.apache.hadoop.fs.Path(dir, "staged.txt");
        org.apache.hadoop.fs.Path committed = new org.apache.hadoop.fs.Path(dir, "committed.txt");
        byte[] content = "a line written through Spark's Hadoop client\n".repeat(1000).getBytes(StandardCharsets.UTF_8);

        assertTrue(fs.mkdirs(dir));
        try (OutputStream out = fs.create(staged, false)) {
            out.write(content);
        }
        FileStatus[] listed = fs.listStatus(dir);
        assertEquals(List.of("staged.txt"), Arrays.stream(listed).map(s -> s.getPath().getName()).toList());
        assertEquals(content.length, listed[0].getLen());

        assertTrue(fs.rename(staged, committed));
        assertFalse(fs.exists(staged));
        assertEquals(List.of("committed.txt"), Arrays.stream(fs.listStatus(dir)).map(s -> s.getPath().getName()).toList());
        try (InputStream in = fs.open(committed)) {
            assertArrayEquals(content, in.readAllBytes());
        }
    }

    @Test
    void sparkWritesAndReadsPartitionedParquet() throws IOException {
        String path = hdfs.uri() + "/spark/parquet";
        Dataset<Row> written = spark.range(0, 1000)
                // Not digits: partition discovery would read those back as integers.
                .selectExpr("id", "id * 0.5 AS half", "CONCAT('b', id % 3) AS bucket");

        written.write().partitionBy("bucket").parquet(path);

        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(path, "_SUCCESS")));
        assertEquals(List.of("bucket=b0", "bucket=b1", "bucket=b2"), Arrays.stream(fs.listStatus(new org.apache.hadoop.fs.Path(path)))
                .filter(FileStatus::isDirectory).map(s -> s.getPath().getName()).sorted().toList());
        Dataset<Row> read = spark.read().parquet(path).select("id", "half", "bucket");
        assertEquals(written.orderBy("id").collectAsList(), read.orderBy("id").collectAsList());
    }
}

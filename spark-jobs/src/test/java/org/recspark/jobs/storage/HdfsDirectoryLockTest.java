package org.recspark.jobs.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.storage.AtomicFile;
import org.recspark.storage.CommittedDirectory;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.DirectoryLockedException;
import org.recspark.storage.Locations;
import org.recspark.testhdfs.LocalHdfs;

/**
 * The directory lock and the commit protocol's permissions on a real HDFS, through the java.nio
 * provider: the lock file is created with Hadoop's non-overwriting create, which the NameNode
 * decides atomically. One server for the class.
 */
class HdfsDirectoryLockTest {
    private static final Duration STALE_AFTER = Duration.ofMinutes(5);

    @TempDir
    static Path tmp;
    static LocalHdfs hdfs;
    static FileSystem fs;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        hdfs = LocalHdfs.start(tmp.resolve("hdfs"));
        fs = FileSystem.newInstance(hdfs.uri(), new Configuration());
    }

    @AfterAll
    static void stop() throws IOException {
        if (fs != null) {
            fs.close();
        }
        if (hdfs != null) {
            hdfs.close();
        }
    }

    private static Path onHdfs(String path) {
        return Locations.of(hdfs.uri() + path);
    }

    @Test
    void aSecondHolderIsRefusedNamingTheFirstAndTheLockIsReleased() throws IOException {
        Path work = onHdfs("/work/daily");
        try (DirectoryLock first = DirectoryLock.acquire(work, "daily --date 2026-11-02", STALE_AFTER)) {
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(hdfs.uri() + "/work/daily/" + DirectoryLock.FILE)));
            DirectoryLockedException e = assertThrows(DirectoryLockedException.class,
                    () -> DirectoryLock.acquire(work, "daily --date 2026-11-03", STALE_AFTER));
            assertTrue(e.getMessage().contains("is locked by 'daily --date 2026-11-02'"), e.getMessage());
        }
        assertFalse(fs.exists(new org.apache.hadoop.fs.Path(hdfs.uri() + "/work/daily/" + DirectoryLock.FILE)));
    }

    @Test
    void aStaleLockIsTakenOverAndAFreshOneIsNot() throws IOException {
        Path work = onHdfs("/work/stale");
        Instant old = Instant.now().minus(Duration.ofHours(1));
        Files.createDirectories(work);
        Files.writeString(work.resolve(DirectoryLock.FILE), "host=gone-host\npid=7\ncommand=daily --date 2026-11-01\nstarted=" + old
                + "\nheartbeat=" + old + "\ntoken=old\n");
        try (DirectoryLock lock = DirectoryLock.acquire(work, "daily --date 2026-11-02", STALE_AFTER)) {
            assertTrue(Files.readString(lock.file()).contains("command=daily --date 2026-11-02"));
        }
        Instant now = Instant.now();
        Files.writeString(work.resolve(DirectoryLock.FILE), "host=busy-host\npid=7\ncommand=hpo\nstarted=" + now
                + "\nheartbeat=" + now + "\ntoken=busy\n");
        DirectoryLockedException e = assertThrows(DirectoryLockedException.class, () -> DirectoryLock.acquire(work, "daily", STALE_AFTER));
        assertTrue(e.getMessage().contains("'hpo' on host busy-host, pid 7"), e.getMessage());
    }

    @Test
    void ofConcurrentCreatorsExactlyOneWins() throws Exception {
        Path file = onHdfs("/race/" + DirectoryLock.FILE);
        Files.createDirectories(file.getParent());
        int contenders = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < contenders; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    go.await();
                    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        out.write(("contender " + id).getBytes(StandardCharsets.UTF_8));
                        return true;
                    } catch (FileAlreadyExistsException e) {
                        return false;
                    }
                }));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> r : results) {
                winners += r.get() ? 1 : 0;
            }
            assertEquals(1, winners);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void committedDirectoriesAndAtomicFilesGetTheFileSystemsDefaultPermissions() throws IOException {
        Path bundle = onHdfs("/models/export/final");
        CommittedDirectory write = CommittedDirectory.begin(bundle);
        Files.createDirectory(write.staging().resolve("weights"));
        Files.writeString(write.staging().resolve("weights/tensors.bin"), "w");
        write.commit();
        AtomicFile.writeString(onHdfs("/models/current.json"), "{}");

        FsPermission umask = FsPermission.getUMask(fs.getConf());
        FsPermission directory = FsPermission.getDirDefault().applyUMask(umask);
        FsPermission file = FsPermission.getFileDefault().applyUMask(umask);
        for (String d : List.of("/models/export/final", "/models/export/final/weights")) {
            assertEquals(directory, fs.getFileStatus(new org.apache.hadoop.fs.Path(hdfs.uri() + d)).getPermission(), d);
        }
        for (String f : List.of("/models/export/final/weights/tensors.bin", "/models/export/final/_COMMITTED", "/models/current.json")) {
            FsPermission actual = fs.getFileStatus(new org.apache.hadoop.fs.Path(hdfs.uri() + f)).getPermission();
            assertEquals(file, actual, f);
            assertTrue(actual.getOtherAction().implies(FsAction.READ), f + " " + actual);
        }
    }
}

package org.recspark.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The directory lock on the local disk, held by this JVM and by other processes (the Spark jobs' tests run it on HDFS). */
class DirectoryLockTest {
    private static final Duration STALE_AFTER = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aSecondHolderIsRefusedWithTheHolderNamedUntilTheFirstReleases() {
        try (DirectoryLock first = DirectoryLock.acquire(dir, "daily --date 2026-11-02", STALE_AFTER)) {
            DirectoryLockedException e = assertThrows(DirectoryLockedException.class,
                    () -> DirectoryLock.acquire(dir, "daily --date 2026-11-03", STALE_AFTER));
            assertTrue(e.getMessage().contains("'daily --date 2026-11-02'"), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
            assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
            first.checkHeld();
        }
        assertFalse(Files.exists(dir.resolve(DirectoryLock.FILE)));
        try (DirectoryLock second = DirectoryLock.acquire(dir, "daily --date 2026-11-03", STALE_AFTER)) {
            assertTrue(second.holder().contains("daily --date 2026-11-03"));
        }
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsNamedAndLeftAsItIs() throws IOException {
        Path file = Files.writeString(dir.resolve("model"), "not a model directory");
        UnusableLocationException e = assertThrows(UnusableLocationException.class,
                () -> DirectoryLock.acquire(file, "train --config c.pbtxt", STALE_AFTER));
        assertEquals(file + " is a file, not a directory; train --config c.pbtxt writes a directory there", e.getMessage());
        assertEquals("not a model directory", Files.readString(file));
    }

    @Test
    void theLockIsReleasedWhenTheWorkFails() {
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> {
            try (DirectoryLock lock = DirectoryLock.acquire(dir, "daily", STALE_AFTER)) {
                throw new IllegalStateException("the run failed");
            }
        });
        assertEquals("the run failed", failure.getMessage());
        assertFalse(Files.exists(dir.resolve(DirectoryLock.FILE)));
        DirectoryLock.acquire(dir, "daily", STALE_AFTER).close();
    }

    @Test
    void aLockWithoutHeartbeatIsTakenOver() throws IOException {
        Instant old = Instant.now().minus(Duration.ofHours(2));
        Files.writeString(dir.resolve(DirectoryLock.FILE), "host=another-host\npid=4242\ncommand=daily --date 2026-11-01\n"
                + "started=" + old + "\nheartbeat=" + old + "\ntoken=theirs\n");
        try (DirectoryLock lock = DirectoryLock.acquire(dir, "daily --date 2026-11-02", STALE_AFTER)) {
            String content = Files.readString(dir.resolve(DirectoryLock.FILE));
            assertTrue(content.contains("command=daily --date 2026-11-02"), content);
            assertFalse(content.contains("token=theirs"), content);
        }
    }

    @Test
    void aFreshLockOfAnotherHostIsRespected() throws IOException {
        Instant now = Instant.now();
        Files.writeString(dir.resolve(DirectoryLock.FILE), "host=another-host\npid=4242\ncommand=hpo --dir search\n"
                + "started=" + now + "\nheartbeat=" + now + "\ntoken=theirs\n");
        DirectoryLockedException e = assertThrows(DirectoryLockedException.class, () -> DirectoryLock.acquire(dir, "hpo", STALE_AFTER));
        assertTrue(e.getMessage().contains("'hpo --dir search' on host another-host, pid 4242"), e.getMessage());
    }

    @Test
    void theHeartbeatKeepsTheLockFresh() throws Exception {
        Duration shortTimeout = Duration.ofSeconds(2);
        try (DirectoryLock lock = DirectoryLock.acquire(dir, "train", shortTimeout)) {
            Thread.sleep(5_000);
            assertThrows(DirectoryLockedException.class, () -> DirectoryLock.acquire(dir, "train", shortTimeout));
            lock.checkHeld();
        }
    }

    @Test
    void anotherProcessHoldsTheLockUntilItIsKilledAndThenItIsTakenOver() throws Exception {
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            for (String line = out.readLine(); !"locked".equals(line); line = out.readLine()) {
                if (line == null) {
                    throw new AssertionError("the holder process exited before locking");
                }
            }
            DirectoryLockedException e = assertThrows(DirectoryLockedException.class,
                    () -> DirectoryLock.acquire(dir, "daily", Duration.ofHours(1)));
            assertTrue(e.getMessage().contains("'lock holder test process'") && e.getMessage().contains("pid " + holder.pid()),
                    e.getMessage());

            holder.destroyForcibly();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            assertTrue(Files.exists(dir.resolve(DirectoryLock.FILE)), "kill -9 leaves the lock file behind");
            // The heartbeat is recent, but the holder's pid on this host is gone.
            try (DirectoryLock lock = DirectoryLock.acquire(dir, "daily", Duration.ofHours(1))) {
                assertTrue(Files.readString(lock.file()).contains("command=daily"));
            }
        } finally {
            holder.destroyForcibly();
        }
        assertEquals(List.of(), Files.list(dir).toList());
    }

    /** Holds a lock until killed: the other process of the test above. */
    public static final class LockHolder {
        public static void main(String[] args) throws InterruptedException {
            DirectoryLock.acquire(Path.of(args[0]), "lock holder test process", Duration.ofHours(1));
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}

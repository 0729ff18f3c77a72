package org.recspark.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock on a directory a command owns (a daily work directory, a search directory, an output
 * directory): the file {@value #FILE} in it, created atomically on the directory's own store
 * (the local disk: {@code CREATE_NEW}; HDFS: a create that refuses to overwrite, which the
 * NameNode decides atomically). On object stores without a conditional create (S3 and the like)
 * two processes starting at the same instant can both win, so there the lock only catches runs
 * that overlap by more than a moment.
 *
 * <p>The file names its holder (host, pid, command, start time) and a heartbeat timestamp that a
 * background thread refreshes while the lock is held. A lock whose heartbeat is older than the
 * stale timeout, or whose holder ran on this host under a pid that is no longer alive, is taken
 * over with a WARN; any other lock refuses with {@link DirectoryLockedException} naming the
 * holder. Hosts compare heartbeats with their own clocks, so the timeout must exceed the clock
 * skew between them. Released by {@link #close()}, or by a shutdown hook when the JVM exits
 * without reaching it.
 */
public final class DirectoryLock implements AutoCloseable {
    /** The lock file, hidden from Spark and Hive listings of the directory. */
    public static final String FILE = ".recspark-lock";
    /** System property: seconds without a heartbeat after which a lock is stale (default {@value #DEFAULT_STALE_SECONDS}). */
    public static final String STALE_SECONDS_PROPERTY = "recspark.lock.stale-seconds";
    static final long DEFAULT_STALE_SECONDS = 600;
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryLock.class);
    /** Linux reports a process's start time from the boot time in whole seconds: a margin against reading our own holder as a reused pid. */
    private static final Duration PID_START_TOLERANCE = Duration.ofSeconds(10);

    private final Path file;
    private final Holder holder;
    private final ScheduledExecutorService heartbeat;
    private final Thread shutdownHook;
    private boolean released;
    private Optional<String> lostTo = Optional.empty();

    private DirectoryLock(Path file, Holder holder, Duration staleAfter) {
        this.file = file;
        this.holder = holder;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lock-heartbeat " + file);
            t.setDaemon(true);
            return t;
        });
        // Several beats fit in the timeout, so one slow write (a GC pause, a busy NameNode) does not make the lock stale.
        long periodMillis = Math.max(1, staleAfter.toMillis() / 4);
        heartbeat.scheduleAtFixedRate(this::beat, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        this.shutdownHook = new Thread(this::release, "lock-release " + file);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The stale timeout from {@value #STALE_SECONDS_PROPERTY}, else {@value #DEFAULT_STALE_SECONDS} seconds. */
    public static Duration defaultStaleAfter() {
        String value = System.getProperty(STALE_SECONDS_PROPERTY);
        if (value == null) {
            return Duration.ofSeconds(DEFAULT_STALE_SECONDS);
        }
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds > 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below with the value
        }
        throw new IllegalArgumentException("-D" + STALE_SECONDS_PROPERTY + " must be a positive number of seconds, got '" + value + "'");
    }

    /** Locks {@code dir} (created if missing) for {@code command} with the {@linkplain #defaultStaleAfter() default} timeout. */
    public static DirectoryLock acquire(Path dir, String command) {
        return acquire(dir, command, defaultStaleAfter());
    }

    /**
     * Locks {@code dir} (created if missing) for {@code command}, taking over a stale lock.
     *
     * @throws DirectoryLockedException when another live process holds it
     */
    public static DirectoryLock acquire(Path dir, String command, Duration staleAfter) {
        if (staleAfter.isNegative() || staleAfter.isZero()) {
            throw new IllegalArgumentException("the stale timeout must be positive, got " + staleAfter);
        }
        Path file = dir.resolve(FILE);
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UnusableLocationException(dir, "is a file, not a directory; " + command + " writes a directory there");
        }
        try {
            Files.createDirectories(dir);
            Holder me = Holder.current(command);
            if (tryCreate(file, me)) {
                LOG.info("Locked {} ({})", dir, me.describe());
                return new DirectoryLock(file, me, staleAfter);
            }
            Optional<Holder> other = read(file);
            if (other.isEmpty()) {
                // Released between our create and our read: one more try, then the usual refusal.
                if (tryCreate(file, me)) {
                    return new DirectoryLock(file, me, staleAfter);
                }
                other = read(file);
            }
            Holder holder = other.orElseGet(() -> Holder.unknown(file));
            Optional<String> staleBecause = holder.staleBecause(staleAfter, lastModified(file));
            if (staleBecause.isEmpty()) {
                throw new DirectoryLockedException(dir, holder.describe());
            }
            LOG.warn("Taking over the stale lock {} ({}): {}", file, holder.describe(), staleBecause.get());
            removeStale(file, holder);
            if (tryCreate(file, me)) {
                return new DirectoryLock(file, me, staleAfter);
            }
            Holder winner = read(file).orElseGet(() -> Holder.unknown(file));
            throw new DirectoryLockedException(dir, winner.describe());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir + " (lock file " + file + "): " + e.getMessage(), e);
        }
    }

    /**
     * Fails when this process no longer holds the lock (another took it over after the heartbeat
     * stalled beyond the stale timeout): call it before a step that must not run unlocked.
     */
    public synchronized void checkHeld() {
        if (lostTo.isPresent()) {
            throw new DirectoryLockedException(Locations.parentOf(file), lostTo.get());
        }
        if (released) {
            throw new IllegalStateException("the lock " + file + " was released");
        }
    }

    /** Who holds the lock. */
    public String holder() {
        return holder.describe();
    }

    public Path file() {
        return file;
    }

    /** Stops the heartbeat and deletes the lock file, unless another process took it over meanwhile. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException exiting) {
            // The JVM is shutting down: the hook releases the lock, or already has.
        }
        release();
    }

    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        heartbeat.shutdownNow();
        try {
            Optional<Holder> now = read(file);
            if (now.isPresent() && !now.get().token().equals(holder.token())) {
                LOG.warn("Not releasing {}: it was taken over by {} (this process's heartbeat was late)", file, now.get().describe());
                return;
            }
            Files.deleteIfExists(file);
            LOG.info("Released {}", file);
        } catch (IOException e) {
            LOG.warn("Could not release the lock {}: {}; the next run takes it over once stale", file, e.toString());
        }
    }

    private synchronized void beat() {
        if (released) {
            return;
        }
        try {
            Optional<Holder> now = read(file);
            if (now.isPresent() && !now.get().token().equals(holder.token())) {
                LOG.error("Lost the lock {} to {}: the heartbeat was late beyond the stale timeout", file, now.get().describe());
                lostTo = Optional.of(now.get().describe());
                released = true;
                heartbeat.shutdown();
                return;
            }
            AtomicFile.writeString(file, holder.withHeartbeat(Instant.now()).text());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not refresh the lock {}: {}", file, e.toString());
        }
    }

    private static boolean tryCreate(Path file, Holder me) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(me.text().getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /**
     * Moves the stale lock aside under a name of its own, so of two processes taking it over at
     * once only one removes it; if what was moved is not the lock judged stale (taken over by
     * another process in between), it is put back.
     */
    private static void removeStale(Path file, Holder stale) throws IOException {
        Path aside = file.resolveSibling(FILE + ".stale-" + UUID.randomUUID());
        try {
            Files.move(file, aside);
        } catch (NoSuchFileException gone) {
            return;
        }
        Optional<Holder> moved = read(aside);
        if (moved.isPresent() && !moved.get().token().equals(stale.token())) {
            try {
                Files.move(aside, file);
            } catch (FileAlreadyExistsException e) {
                Files.deleteIfExists(aside);
            }
            throw new DirectoryLockedException(Locations.parentOf(file), moved.get().describe());
        }
        Files.deleteIfExists(aside);
    }

    private static Optional<Holder> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(Holder.parse(text, file));
    }

    private static Instant lastModified(Path file) {
        try {
            FileTime t = Files.getLastModifiedTime(file);
            return t.toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }

    /** A lock's holder as its file states it. A file being created (still empty) or unreadable has an unknown holder. */
    record Holder(String host, long pid, String command, Instant started, Optional<Instant> heartbeat, String token) {
        static Holder current(String command) {
            Instant now = Instant.now();
            return new Holder(hostName(), ProcessHandle.current().pid(), command, now, Optional.of(now), UUID.randomUUID().toString());
        }

        static Holder unknown(Path file) {
            return new Holder("unknown host", -1, "unknown (" + file + " is empty or unreadable)", Instant.EPOCH, Optional.empty(), "");
        }

        static Holder parse(String text, Path file) {
            Properties p = new Properties();
            try {
                p.load(new StringReader(text));
                return new Holder(p.getProperty("host", "unknown host"), Long.parseLong(p.getProperty("pid", "-1")),
                        p.getProperty("command", "unknown"), Instant.parse(p.getProperty("started")),
                        Optional.of(Instant.parse(p.getProperty("heartbeat"))), p.getProperty("token", ""));
            } catch (IOException | RuntimeException e) {
                return unknown(file);
            }
        }

        Holder withHeartbeat(Instant at) {
            return new Holder(host, pid, command, started, Optional.of(at), token);
        }

        String text() {
            return "# a recspark command holds this directory; see DirectoryLock\n"
                    + "host=" + host + "\npid=" + pid + "\ncommand=" + command.replace("\n", " ") + "\nstarted=" + started
                    + "\nheartbeat=" + heartbeat.orElse(started) + "\ntoken=" + token + "\n";
        }

        String describe() {
            return "'" + command + "' on host " + host + ", pid " + pid + ", started " + started
                    + heartbeat.map(h -> ", last heartbeat " + h).orElse("");
        }

        /** Why the lock is stale, or empty when its holder may still be running. */
        Optional<String> staleBecause(Duration staleAfter, Instant fileModified) {
            Instant lastSign = heartbeat.orElse(fileModified);
            Duration silent = Duration.between(lastSign, Instant.now());
            if (silent.compareTo(staleAfter) > 0) {
                return Optional.of("no heartbeat for " + silent.toSeconds() + " s (stale after " + staleAfter.toSeconds() + " s)");
            }
            if (pid > 0 && host.equals(hostName())) {
                Optional<ProcessHandle> process = ProcessHandle.of(pid);
                if (process.isEmpty() || !process.get().isAlive()) {
                    return Optional.of("process " + pid + " on this host is no longer running");
                }
                Optional<Instant> processStart = process.get().info().startInstant();
                if (processStart.isPresent() && processStart.get().isAfter(started.plus(PID_START_TOLERANCE))) {
                    return Optional.of("process " + pid + " on this host started after the lock was taken: its holder exited and the pid was reused");
                }
            }
            return Optional.empty();
        }

        private static String hostName() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("unknown host");
            }
        }
    }
}

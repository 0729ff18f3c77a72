package org.recspark.testhdfs;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node HDFS on 127.0.0.1 for tests: {@link HdfsServer} in a JVM of its own, run from the classpath file
 * the test-hdfs build writes, named by the system property {@value #CLASSPATH_PROPERTY}. The server's unshaded
 * Hadoop jars thus stay off the test JVM's classpath, where Spark brings Hadoop as its shaded client; tests reach
 * the file system through {@link #uri()} with that client. This class needs nothing but the JDK and SLF4J.
 *
 * <p>{@link #close()} stops the server, and a shutdown hook does if the test JVM exits first; if the test JVM is
 * killed outright, the server sees its standard input end and exits too. Not thread-safe.
 */
public final class LocalHdfs implements AutoCloseable {
    /** The system property naming test-hdfs/target/hdfs-classpath.txt (consumers' Surefire sets it). */
    public static final String CLASSPATH_PROPERTY = "recspark.hdfsClasspath";

    private static final Logger LOG = LoggerFactory.getLogger(LocalHdfs.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** How long a server gets to stop by itself once its input is closed, before it is killed. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final int LOG_TAIL_LINES = 60;

    private final Process process;
    private final Thread shutdownHook;
    private final URI uri;

    private LocalHdfs(Process process, Thread shutdownHook, URI uri) {
        this.process = process;
        this.shutdownHook = shutdownHook;
        this.uri = uri;
    }

    /**
     * Starts a server with its storage, its log ({@code hdfs-server.log}) and its URI file in {@code workDir},
     * which is emptied first, and returns once a file can be written to it.
     */
    public static LocalHdfs start(Path workDir) throws IOException, InterruptedException {
        String classpath = Files.readString(classpathFile(), StandardCharsets.UTF_8).trim();
        deleteRecursively(workDir);
        Files.createDirectories(workDir);
        Path log = workDir.resolve("hdfs-server.log");
        Path uriFile = workDir.resolve("uri");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                // Start-up is class loading and compiling: with the client compiler only and the serial collector,
                // the server was ready in 10 s instead of 20 s on a loaded 2-core machine.
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                // Hadoop's own launch scripts set this: its servers and clients expect IPv4 addresses.
                "-Djava.net.preferIPv4Stack=true",
                "-cp", classpath,
                HdfsServer.class.getName(),
                "--storage", workDir.resolve("storage").toString(),
                "--uri-file", uriFile.toString());
        long startNanos = System.nanoTime();
        // The working directory matters: Hadoop's web servers read their pages from ./src/main/webapps when it exists.
        Process process = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Thread shutdownHook = new Thread(() -> stop(process), "local-hdfs-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            URI uri = awaitUri(process, uriFile, log);
            LOG.info("HDFS at {} started in {} ms (pid {}, log {})", uri,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), process.pid(), log);
            return new LocalHdfs(process, shutdownHook, uri);
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop(process);
            removeShutdownHook(shutdownHook);
            throw e;
        }
    }

    private static Path classpathFile() {
        String property = System.getProperty(CLASSPATH_PROPERTY);
        if (property == null) {
            throw new IllegalStateException("system property " + CLASSPATH_PROPERTY + " is not set: it names "
                    + "test-hdfs/target/hdfs-classpath.txt (set it in the test module's Surefire configuration)");
        }
        Path file = Path.of(property);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " does not exist: build the test-hdfs module first, e.g. with "
                    + "mvn -pl test-hdfs,<this module> -am verify (any build of test-hdfs through its compile phase writes it)");
        }
        return file;
    }

    private static URI awaitUri(Process process, Path uriFile, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(uriFile)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the HDFS server exited with code " + process.exitValue()
                        + " before it was ready" + logTail(log));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the HDFS server was not ready after " + START_TIMEOUT.toSeconds()
                        + " s" + logTail(log));
            }
            Thread.sleep(100);
        }
        return URI.create(Files.readString(uriFile, StandardCharsets.UTF_8).trim());
    }

    /** The file system's URI, {@code hdfs://127.0.0.1:PORT}. */
    public URI uri() {
        return uri;
    }

    /** Stops the server and waits for it to exit. */
    @Override
    public void close() {
        stop(process);
        removeShutdownHook(shutdownHook);
    }

    /**
     * Closes the server's input, on which it stops its DataNode and NameNode and exits; kills it and anything it
     * started if it has not exited within {@link #STOP_TIMEOUT}.
     */
    private static void stop(Process process) {
        try {
            process.getOutputStream().close();
            if (process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                return;
            }
        } catch (IOException e) {
            LOG.warn("could not close the HDFS server's input: killing it", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.warn("the HDFS server (pid {}) did not stop within {} s: killing it", process.pid(), STOP_TIMEOUT.toSeconds());
        kill(process);
    }

    /** Kills a process and every process below it; the tree is listed first, since orphans leave it. */
    private static void kill(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
            }
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or has run.
        }
    }

    private static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "; last lines of " + log + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "; its log " + log + " is unreadable: " + e;
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

package org.recspark.jobs.cluster;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1, started the way an installation starts one: a Master and
 * Workers, each a separate JVM running from the Spark jars of a SPARK_HOME, and applications
 * submitted in client mode with {@code bin/recspark-submit} (Spark's launcher, so the driver is a
 * separate JVM too).
 *
 * <p>The SPARK_HOME is made here: {@code jars/} holds symbolic links to the jars of the build's
 * {@code spark-classpath.txt} (what a cluster provides; the application brings the rest in its fat
 * jar). A Worker starts executors through spark-launcher's {@code WorkerCommandBuilder}, which puts
 * {@code $SPARK_HOME/conf} and {@code $SPARK_HOME/jars/*} on their classpath and needs
 * {@code SPARK_SCALA_VERSION} (which an installation's {@code load-spark-env.sh} sets) when the home
 * is not a Spark source build.
 *
 * <p>Every process is killed by {@link #close()} (and by a shutdown hook if the test JVM is stopped
 * first), executors included: they are the Workers' child processes. Not thread-safe.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final Path sparkHome;
    private final List<String> jvmOptions;
    private final Map<String, String> environment;
    private final int masterPort;
    private final int masterWebUiPort;
    private final List<Path> workerDirs = new ArrayList<>();
    private final Map<String, Process> daemons = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Thread shutdownHook = new Thread(this::stopAll, "standalone-cluster-shutdown");

    /**
     * What one spark-submit did: its exit code, its output, the driver's working directory and the executor
     * directories it got on each worker.
     */
    record Submission(int exitCode, String stdout, Path stderr, Path driverDir, Map<Path, List<Path>> executorDirsByWorker) {}

    private StandaloneCluster(Path dir, Path sparkHome, List<String> jvmOptions, int[] ports) {
        this.dir = dir;
        this.sparkHome = sparkHome;
        this.jvmOptions = jvmOptions;
        this.masterPort = ports[0];
        this.masterWebUiPort = ports[1];
        this.environment = Map.of(
                "SPARK_HOME", sparkHome.toString(),
                "SPARK_CONF_DIR", sparkHome.resolve("conf").toString(),
                "SPARK_SCALA_VERSION", "2.13",
                // Bind and advertise loopback only, whatever the machine's hostname resolves to.
                "SPARK_LOCAL_IP", "127.0.0.1");
    }

    /**
     * Starts a Master and {@code workers} Workers of {@code coresPerWorker} cores and {@code memoryPerWorker}
     * (Spark's notation, e.g. "1g") each, in a fresh {@code dir}, and waits until every Worker is registered.
     */
    static StandaloneCluster start(Path dir, Path sparkClasspath, Path jvmOptionsFile, int workers, int coresPerWorker,
            String memoryPerWorker) throws IOException, InterruptedException {
        deleteRecursively(dir);
        Files.createDirectories(dir.resolve("logs"));
        Path sparkHome = createSparkHome(dir.resolve("spark-home"), sparkClasspath);
        List<String> jvmOptions = Arrays.asList(Files.readString(jvmOptionsFile).trim().split("\\s+"));
        StandaloneCluster cluster = new StandaloneCluster(dir, sparkHome, jvmOptions, freePorts(2));
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            cluster.startMaster();
            int[] workerUiPorts = freePorts(workers);
            for (int i = 0; i < workers; i++) {
                cluster.startWorker(i + 1, coresPerWorker, memoryPerWorker, workerUiPorts[i]);
            }
            cluster.awaitAliveWorkers(workers);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            String logs = cluster.logTails();
            cluster.close();
            throw new IllegalStateException("the standalone cluster did not start: " + e.getMessage() + "\n" + logs, e);
        }
    }

    /** A directory shaped like a Spark installation for spark-launcher: {@code jars/} and an empty {@code conf/}. */
    static Path createSparkHome(Path home, Path sparkClasspath) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        for (String entry : Files.readString(sparkClasspath).trim().split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
        }
        return home;
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    private List<String> daemonCommand(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(sparkHome.resolve("conf") + java.io.File.pathSeparator + sparkHome.resolve("jars") + "/*");
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    private void startMaster() throws IOException, InterruptedException {
        launch("master", daemonCommand("org.apache.spark.deploy.master.Master", List.of(
                "--host", "127.0.0.1", "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(masterWebUiPort))),
                Map.of());
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (masterState() == null) {
            checkRunning(deadline, "the master's web UI at " + masterJsonUri());
        }
    }

    private void startWorker(int index, int cores, String memory, int webUiPort) throws IOException {
        Path workerDir = Files.createDirectories(dir.resolve("worker-" + index));
        workerDirs.add(workerDir);
        Path work = Files.createDirectories(workerDir.resolve("work"));
        // Executors' scratch space (shuffle and block files), inside the test directory rather than /tmp.
        Path local = Files.createDirectories(workerDir.resolve("local"));
        launch("worker-" + index, daemonCommand("org.apache.spark.deploy.worker.Worker", List.of(masterUrl(),
                "--cores", Integer.toString(cores), "--memory", memory, "--host", "127.0.0.1",
                "--webui-port", Integer.toString(webUiPort), "--work-dir", work.toString())),
                Map.of("SPARK_LOCAL_DIRS", local.toString()));
    }

    private void awaitAliveWorkers(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            JsonObject state = masterState();
            long alive = state == null ? 0 : state.getAsJsonArray("workers").asList().stream()
                    .filter(w -> w.getAsJsonObject().get("state").getAsString().equals("ALIVE")).count();
            if (alive == expected) {
                return;
            }
            checkRunning(deadline, expected + " alive workers (" + alive + " so far)");
        }
    }

    private void checkRunning(long deadline, String waitingFor) throws InterruptedException {
        daemons.forEach((name, process) -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue());
            }
        });
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timed out after " + START_TIMEOUT.toSeconds() + " s waiting for " + waitingFor);
        }
        Thread.sleep(250);
    }

    private URI masterJsonUri() {
        return URI.create("http://127.0.0.1:" + masterWebUiPort + "/json/");
    }

    /** The master's state as its web UI reports it, or null while it does not answer. */
    private JsonObject masterState() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(masterJsonUri()).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JsonParser.parseString(response.body()).getAsJsonObject() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void launch(String name, List<String> command, Map<String, String> extraEnvironment) throws IOException {
        Path log = dir.resolve("logs").resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().putAll(extraEnvironment);
        daemons.put(name, builder.start());
    }

    /**
     * Runs {@code launcher} (bin/recspark-submit) with {@code sparkOptions -- command} against this
     * cluster's SPARK_HOME, waits at most {@code timeout}, and reports what it did. The driver's
     * stderr (Spark's log) goes to a file under the cluster directory.
     */
    Submission submit(Path launcher, String name, List<String> sparkOptions, List<String> command, Duration timeout)
            throws IOException, InterruptedException {
        Map<Path, Set<Path>> before = executorDirs();
        Path driverDir = Files.createDirectories(dir.resolve("driver-" + name));
        Path stdout = dir.resolve("logs").resolve(name + "-driver.out");
        Path stderr = dir.resolve("logs").resolve(name + "-driver.log");
        List<String> args = new ArrayList<>();
        args.add(launcher.toString());
        args.addAll(sparkOptions);
        args.add("--");
        args.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(args).directory(driverDir.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        int exitCode;
        if (process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            exitCode = process.exitValue();
        } else {
            kill(process);
            exitCode = -1;
            Files.writeString(stderr, "\n[killed by the test after " + timeout.toSeconds() + " s]\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        }
        Map<Path, List<Path>> newDirs = new LinkedHashMap<>();
        executorDirs().forEach((worker, dirs) -> newDirs.put(worker, dirs.stream()
                .filter(d -> !before.getOrDefault(worker, Set.of()).contains(d)).sorted().toList()));
        return new Submission(exitCode, Files.readString(stdout), stderr, driverDir, newDirs);
    }

    /** Each worker's executor directories ({@code work/app-.../N}), by worker directory. */
    private Map<Path, Set<Path>> executorDirs() throws IOException {
        Map<Path, Set<Path>> byWorker = new LinkedHashMap<>();
        for (Path worker : workerDirs) {
            try (Stream<Path> apps = Files.list(worker.resolve("work"))) {
                Set<Path> dirs = new java.util.TreeSet<>();
                for (Path app : apps.filter(Files::isDirectory).toList()) {
                    try (Stream<Path> executors = Files.list(app)) {
                        executors.filter(Files::isDirectory).forEach(dirs::add);
                    }
                }
                byWorker.put(worker, dirs);
            }
        }
        return byWorker;
    }

    /**
     * The last lines of every log: master, workers, every executor's stderr and the drivers', for
     * assertion messages (CI shows why a run failed without access to the machine).
     */
    String logTails() {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> logs = files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".log") || p.getFileName().toString().endsWith(".out")
                            || p.getFileName().toString().equals("stderr"))
                    .sorted(Comparator.comparing(Path::toString)).toList();
            for (Path log : logs) {
                sb.append("\n----- ").append(dir.relativize(log)).append(" (last 40 lines) -----\n").append(tail(log, 40));
            }
        } catch (IOException | UncheckedIOException e) {
            sb.append("\n(could not read the logs under ").append(dir).append(": ").append(e).append(')');
        }
        return sb.toString();
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - lines), all.size()).stream().collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Stops the workers (and their executors), then the master. */
    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or has run.
        }
    }

    private void stopAll() {
        List<String> names = new ArrayList<>(daemons.keySet());
        java.util.Collections.reverse(names);
        for (String name : names) {
            kill(daemons.get(name));
        }
        daemons.clear();
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

    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The number of an executor directory's "Running task" log lines: how many tasks it ran. */
    static long tasksRun(Path executorDir) throws IOException {
        Path stderr = executorDir.resolve("stderr");
        if (!Files.exists(stderr)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(stderr, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains("Running task ")).count();
        }
    }
}

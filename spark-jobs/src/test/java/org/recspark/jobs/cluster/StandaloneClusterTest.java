package org.recspark.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.recspark.jobs.samples.SampleBuildJobTest;
import org.recspark.testhdfs.LocalHdfs;

/**
 * The fat jar on a real Spark standalone cluster with its data on a real HDFS, as on EMR/YARN: a
 * Master and two Workers (1 core, 1 GB each) in their own JVMs on localhost, a NameNode and a
 * DataNode ({@link LocalHdfs}), jobs submitted in client mode by bin/recspark-submit with two
 * executors. The config and its inputs are on HDFS; the sample job builds the samples there on
 * both executors; barrier-mode training with two workers writes its model directory there and
 * exports a model that beats chance, while the driver logs worker 0's progress; batch prediction
 * reads that bundle from HDFS; two daily runs keep their work directory there. No step writes
 * anything to the driver's or the executors' local directories.
 *
 * <p>Runs in the fat-jar profile's integration-test execution (after the jar is built); on failure
 * the assertion message carries the tails of the master's, workers', executors' and driver's logs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    /** Bounds a hang, not the speed: a daily run took over 4 minutes on a 2-core machine at load 23. */
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern TEST_AUC =
            Pattern.compile("test metrics of the exported model \\((\\d+) samples\\): auc ([0-9.]+)");
    /** What an executor's directory may hold: its logs and the application jar Spark fetched. */
    private static final Set<String> EXECUTOR_FILES = Set.of("stdout", "stderr");
    private static final Pattern PROGRESS = Pattern.compile("Training progress: step (\\d+) of (\\d+) .*");

    private static StandaloneCluster cluster;
    private static LocalHdfs hdfs;
    private static FileSystem fs;
    private static String workspace;
    private static String config;
    private static String samples;
    private static String modelDir;
    private static boolean samplesBuilt;
    private static String samplesFailure;

    @BeforeAll
    static void startCluster() throws IOException, InterruptedException {
        assumeTrue(System.getProperty("recspark.clusterTestDir") != null, "the cluster tests run in mvn verify "
                + "(the fat-jar profile's cluster-tests execution, after the fat jar is built)");
        Path dir = Path.of(property("recspark.clusterTestDir"));
        Path launcherDir = Path.of(property("recspark.launcherDir"));
        hdfs = LocalHdfs.start(dir.resolve("hdfs"));
        fs = FileSystem.newInstance(hdfs.uri(), new Configuration());
        cluster = StandaloneCluster.start(dir.resolve("cluster"), launcherDir.resolve("spark-classpath.txt"),
                launcherDir.resolve("jvm.options"), 2, 1, "1g");
        Path local = dir.resolve("workspace");
        StandaloneCluster.deleteRecursively(local);
        Path localConfig = SampleBuildJobTest.copySample(local);
        // The sample config, shortened to a few epochs with its warm-up and evaluation cadence to match.
        String text = Files.readString(localConfig);
        String shortened = edited(edited(edited(text,
                "num_epochs: 8", "num_epochs: 3"),
                "warmup_steps: 100", "warmup_steps: 10"),
                "every_steps: 10\n", "every_steps: 20\n");
        Files.writeString(localConfig, shortened);
        workspace = hdfs.uri() + "/workspace";
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path(workspace));
        config = workspace + "/examples/sample_pipeline.pbtxt";
        samples = workspace + "/samples";
        modelDir = workspace + "/model";
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        if (fs != null) {
            fs.close();
        }
        if (hdfs != null) {
            hdfs.close();
        }
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name + " is not set (the cluster-tests execution sets it)");
        }
        return value;
    }

    /** {@code text} with {@code from} replaced, which must occur (so an edited example cannot make the test slow silently). */
    private static String edited(String text, String from, String to) {
        assertTrue(text.contains(from), "the sample config no longer contains '" + from.strip() + "'");
        return text.replace(from, to);
    }

    /** The spark-submit options the tests use: two one-core executors of 1 GB, on loopback, failing fast. */
    private static List<String> sparkOptions() {
        return List.of("--master", cluster.masterUrl(), "--deploy-mode", "client",
                "--conf", "spark.executor.instances=2", "--total-executor-cores", "2", "--executor-cores", "1",
                "--executor-memory", "1g", "--conf", "spark.task.cpus=1",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.ui.enabled=false",
                // Start the job only when both executors are there, so both get tasks.
                "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
                "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=60s",
                // Small data: few shuffle partitions, and no waiting for a task's preferred executor.
                "--conf", "spark.sql.shuffle.partitions=2", "--conf", "spark.locality.wait=0s",
                "--conf", "spark.task.maxFailures=1", "--conf", "spark.stage.maxConsecutiveAttempts=1",
                "--conf", "spark.barrier.sync.timeout=120", "--conf", "spark.recspark.collective.timeoutSeconds=60",
                // Training progress reaches the driver with the heartbeats: several during the short run.
                "--conf", "spark.executor.heartbeatInterval=500ms");
    }

    private static StandaloneCluster.Submission submit(String name, String... command) throws IOException, InterruptedException {
        Path launcher = Path.of(System.getProperty("recspark.repo.root")).resolve("bin").resolve("recspark-submit");
        StandaloneCluster.Submission submission = cluster.submit(launcher, name, sparkOptions(), List.of(command), JOB_TIMEOUT);
        assertNothingWrittenLocally(name, submission);
        return submission;
    }

    private static String failure(String what, StandaloneCluster.Submission submission) {
        return what + " (exit code " + submission.exitCode() + ")\n----- driver stdout -----\n" + submission.stdout()
                + cluster.logTails();
    }

    /** The driver's working directory stays empty, and executors' directories hold only their logs and the jar. */
    private static void assertNothingWrittenLocally(String what, StandaloneCluster.Submission submission) throws IOException {
        List<String> written = new ArrayList<>();
        try (Stream<Path> s = Files.walk(submission.driverDir())) {
            s.filter(p -> !p.equals(submission.driverDir())).forEach(p -> written.add(p.toString()));
        }
        for (List<Path> executors : submission.executorDirsByWorker().values()) {
            for (Path executor : executors) {
                try (Stream<Path> s = Files.list(executor)) {
                    s.filter(p -> !EXECUTOR_FILES.contains(p.getFileName().toString()) && !p.getFileName().toString().endsWith(".jar"))
                            .forEach(p -> written.add(p.toString()));
                }
            }
        }
        assertTrue(written.isEmpty(), () -> failure(what + " wrote to local directories: " + written, submission));
    }

    private static void assertOnHdfs(String what, StandaloneCluster.Submission submission, String... paths) throws IOException {
        for (String p : paths) {
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(p)), () -> failure(what + ": missing on HDFS: " + p, submission));
        }
    }

    /** Every worker got one executor of the application, and each ran tasks. */
    private static void assertRanOnBothExecutors(String what, StandaloneCluster.Submission submission) throws IOException {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Path, List<Path>> worker : submission.executorDirsByWorker().entrySet()) {
            List<Path> executors = worker.getValue();
            if (executors.size() != 1) {
                problems.add(worker.getKey().getFileName() + " had " + executors.size() + " executors: " + executors);
            } else if (StandaloneCluster.tasksRun(executors.get(0)) == 0) {
                problems.add(worker.getKey().getFileName() + "'s executor ran no task");
            }
        }
        assertEquals(2, submission.executorDirsByWorker().size());
        assertTrue(problems.isEmpty(), () -> failure(what + ": " + problems, submission));
    }

    /** Builds the samples on the cluster once, for all tests; a failure is reported once, in full. */
    private static void buildSamples() throws IOException, InterruptedException {
        if (samplesBuilt) {
            return;
        }
        assertNull(samplesFailure, "build-samples failed earlier: " + samplesFailure);
        try {
            StandaloneCluster.Submission run = submit("build-samples", "build-samples", "--config", config, "--out", samples);
            assertEquals(0, run.exitCode(), () -> failure("build-samples failed", run));
            assertTrue(run.stdout().contains("dt=2026-11-04: 5000 samples"), () -> failure("build-samples printed no samples of 2026-11-04", run));
            assertOnHdfs("build-samples", run, samples + "/dt=2026-11-01", samples + "/dt=2026-11-04");
            assertRanOnBothExecutors("build-samples", run);
            samplesBuilt = true;
        } catch (AssertionError e) {
            samplesFailure = e.getMessage().lines().findFirst().orElse("");
            throw e;
        }
    }

    @Test
    @Order(1)
    void theSampleJobReadsAndWritesHdfsOnBothExecutors() throws IOException, InterruptedException {
        buildSamples();
    }

    @Test
    @Order(2)
    void barrierTrainingWithTwoWorkersWritesItsModelDirectoryOnHdfs() throws IOException, InterruptedException {
        buildSamples();
        StandaloneCluster.Submission run = submit("train", "train", "--config", config, "--samples", samples,
                "--model-dir", modelDir, "--workers", "2", "--threads", "1");
        assertEquals(0, run.exitCode(), () -> failure("train --workers 2 failed", run));
        assertTrue(run.stdout().contains("train: 2 workers (barrier mode)"), () -> failure("not barrier-mode training", run));
        Matcher auc = TEST_AUC.matcher(run.stdout());
        assertTrue(auc.find(), () -> failure("no test metrics line", run));
        double testAuc = Double.parseDouble(auc.group(2));
        assertTrue(testAuc > 0.6, () -> failure("test AUC " + testAuc + " is not above 0.6", run));
        assertOnHdfs("train", run, modelDir + "/export/final/export.pb", modelDir + "/export/final/_COMMITTED",
                modelDir + "/summary.json", modelDir + "/metrics.jsonl", modelDir + "/plots/loss.png", modelDir + "/checkpoints");
        assertRanOnBothExecutors("train", run);
        String driverLog = Files.readString(run.stderr());
        Matcher progress = PROGRESS.matcher(driverLog);
        boolean midRun = false;
        boolean evaluation = false;
        while (progress.find()) {
            midRun |= Long.parseLong(progress.group(1)) < Long.parseLong(progress.group(2));
            evaluation |= progress.group().contains("; evaluation at step ");
        }
        assertTrue(midRun, () -> failure("the driver logged no progress while worker 0 trained", run));
        assertTrue(evaluation, () -> failure("no heartbeat brought an evaluation to the driver", run));
        assertTrue(driverLog.contains("Training ended: step "), () -> failure("the driver did not log the end of training", run));
    }

    @Test
    @Order(3)
    void batchPredictionReadsTheBundleFromHdfs() throws IOException, InterruptedException {
        String predictions = workspace + "/predictions";
        StandaloneCluster.Submission run = submit("predict", "predict", "--config", config, "--bundle", modelDir + "/export/final",
                "--out", predictions);
        assertEquals(0, run.exitCode(), () -> failure("predict failed", run));
        assertTrue(run.stdout().contains("predict: 20000 impressions scored"), () -> failure("predict scored no impressions", run));
        assertOnHdfs("predict", run, predictions + "/dt=2026-11-01", predictions + "/dt=2026-11-04");
    }

    @Test
    @Order(4)
    void dailyRunsKeepTheirWorkDirectoryOnHdfs() throws IOException, InterruptedException {
        String work = workspace + "/daily";
        boolean promoted = false;
        for (String day : List.of("2026-11-03", "2026-11-04")) {
            StandaloneCluster.Submission run = submit("daily-" + day, "daily", "--config", config, "--date", day, "--work", work,
                    "--threads", "1");
            assertTrue(run.exitCode() == 0 || run.exitCode() == 3, () -> failure("daily " + day + " failed", run));
            assertOnHdfs("daily " + day, run, work + "/days/" + day + "/state.json", work + "/days/" + day + "/report.json");
            promoted |= run.exitCode() == 0;
        }
        assertTrue(promoted, "the first day, a cold start, is promoted");
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(work + "/current.json")));
    }
}

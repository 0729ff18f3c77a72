package org.recspark.jobs.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.jobs.RecSparkCliAccess;
import org.recspark.jobs.samples.SampleBuildJobTest;
import org.recspark.testhdfs.LocalHdfs;

/**
 * The launcher in local mode with the config, its inputs and every artifact on a real HDFS: the
 * config's relative paths resolve on HDFS, build-samples does not hang on HDFS input, and
 * training, prediction, evaluation and two daily runs write everything there, nothing to the
 * local disk.
 */
class HdfsPipelineTest {
    @TempDir
    static Path tmp;
    static LocalHdfs hdfs;
    static FileSystem fs;
    static String root;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        hdfs = LocalHdfs.start(tmp.resolve("hdfs"));
        fs = FileSystem.newInstance(hdfs.uri(), new Configuration());
        root = hdfs.uri() + "/recspark";
        Path local = tmp.resolve("workspace");
        Path config = SampleBuildJobTest.copySample(local);
        Files.writeString(config, Files.readString(config).replace("num_epochs: 8", "num_epochs: 2")
                .replace("warmup_steps: 100", "warmup_steps: 10").replace("every_steps: 10\n", "every_steps: 20\n"));
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path(root + "/ws"));
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

    @Test
    void everyArtifactOfThePipelineIsOnHdfs() throws IOException {
        Path workingDir = Path.of("").toAbsolutePath();
        List<String> localBefore = localEntries(workingDir);
        String config = root + "/ws/examples/sample_pipeline.pbtxt";
        String samples = root + "/samples";
        String modelDir = root + "/model";

        String built = RecSparkCliAccess.runOk("build-samples", "--config", config, "--out", samples);
        assertTrue(built.contains("build-samples: 20000 samples -> " + samples), built);
        assertExists(samples + "/dt=2026-11-01", samples + "/dt=2026-11-04", samples + "_rejects");

        String trained = RecSparkCliAccess.runOk("train", "--config", config, "--samples", samples, "--model-dir", modelDir,
                "--threads", "2");
        Matcher exported = Pattern.compile("exported model: (\\S+)").matcher(trained);
        assertTrue(exported.find(), trained);
        assertTrue(exported.group(1).startsWith(modelDir + "/export/"), trained);
        assertExists(modelDir + "/summary.json", modelDir + "/metrics.jsonl", modelDir + "/plots/loss.png", modelDir + "/plots/roc.png",
                modelDir + "/export/final/export.pb", modelDir + "/export/final/_COMMITTED", exported.group(1) + "/weights/tensors.bin");
        FileStatus[] checkpoints = fs.listStatus(new org.apache.hadoop.fs.Path(modelDir + "/checkpoints"));
        assertTrue(checkpoints.length > 0 && Arrays.stream(checkpoints).allMatch(c -> exists(c.getPath() + "/_COMMITTED")),
                Arrays.toString(checkpoints));
        assertTrue(read(modelDir + "/metrics.jsonl").lines().count() > 1);
        // Run again into the same HDFS directory: the run resumes from its own checkpoint, the history keeps its lines.
        String history = read(modelDir + "/metrics.jsonl");
        String again = RecSparkCliAccess.runOk("train", "--config", config, "--samples", samples, "--model-dir", modelDir,
                "--threads", "2");
        assertTrue(again.contains("train: resumed run ") && again.contains(" from " + modelDir + "/checkpoints/ckpt-"), again);
        assertTrue(read(modelDir + "/metrics.jsonl").startsWith(history), "the history is continued, not truncated");
        assertExists(modelDir + "/run.json");

        String bundle = modelDir + "/export/final";
        String predictions = root + "/predictions";
        String predicted = RecSparkCliAccess.runOk("predict", "--config", config, "--bundle", bundle, "--out", predictions);
        assertTrue(predicted.contains("predict: 20000 impressions scored"), predicted);
        assertExists(predictions + "/dt=2026-11-01", predictions + "/dt=2026-11-04");
        String evaluated = RecSparkCliAccess.runOk("evaluate", "--bundle", bundle, "--predictions", predictions);
        assertTrue(evaluated.contains("auc"), evaluated);

        String work = root + "/daily";
        boolean promoted = false;
        for (String day : List.of("2026-11-03", "2026-11-04")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = RecSparkCliAccess.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                    "daily", "--config", config, "--date", day, "--work", work, "--threads", "2");
            assertTrue(code == 0 || code == 3, "daily " + day + " failed (exit " + code + "):\n" + out);
            assertExists(work + "/days/" + day + "/state.json", work + "/days/" + day + "/report.json");
            promoted |= code == 0;
        }
        assertTrue(promoted, "the cold start of the first day is promoted");
        assertTrue(read(work + "/current.json").contains(work), "the current model is on HDFS: " + read(work + "/current.json"));

        assertEquals(localBefore, localEntries(workingDir), "nothing was written to the working directory");
        assertFalse(Files.exists(workingDir.resolve("hdfs:")), "a URI was never turned into a local path");
    }

    private static List<String> localEntries(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
        }
        return names;
    }

    private static void assertExists(String... paths) {
        for (String p : paths) {
            assertTrue(exists(p), "missing on HDFS: " + p);
        }
    }

    private static boolean exists(String path) {
        try {
            return fs.exists(new org.apache.hadoop.fs.Path(path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String read(String path) throws IOException {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.storage.DirectoryLock;
import org.recspark.trainer.train.CheckpointLocator;
import org.recspark.trainer.train.RunRecord;

/** build-samples then train on the bundled sample: the launcher's path from raw logs to a model. */
class TrainCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return RecSparkCli.standard(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    @Test
    void trainsTheSampleConfigsDeepFmOnBuiltSamplesAndBeatsChance(@TempDir Path dir) throws IOException {
        Path config = RecSparkCliTest.repoRoot().resolve("examples").resolve("sample_pipeline.pbtxt");
        Path samples = dir.resolve("samples");
        assertEquals(0, run("build-samples", "--config", config.toString(), "--out", samples.toString()), err.toString());
        Path modelDir = dir.resolve("model");
        assertEquals(0, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir", modelDir.toString(),
                "--threads", "2"), err.toString());
        String printed = out.toString();
        // the sample's by_time split holds out the last 15% of the time range as test, the 15% before it for evaluation
        Matcher counts = Pattern.compile("train: (\\d+) training, (\\d+) evaluation and (\\d+) test samples").matcher(printed);
        assertTrue(counts.find(), printed);
        assertEquals(20_000, Long.parseLong(counts.group(1)) + Long.parseLong(counts.group(2)) + Long.parseLong(counts.group(3)), printed);
        assertTrue(Long.parseLong(counts.group(3)) > 1000, printed);
        Matcher test = Pattern.compile("test metrics of the exported model \\((\\d+) samples\\): auc ([0-9.]+), gauc ([0-9.]+)").matcher(printed);
        assertTrue(test.find(), printed);
        assertEquals(counts.group(3), test.group(1));
        assertTrue(Double.parseDouble(test.group(2)) > 0.6, "the planted signal is learned: " + printed);
        Matcher exported = Pattern.compile("exported model: (\\S+)").matcher(printed);
        assertTrue(exported.find(), printed);
        assertTrue(exported.group(1).startsWith(modelDir.resolve("export/best/step-").toString()), printed);
        double exportEvalAuc = ExportBundle.open(Path.of(exported.group(1))).manifest().getMetricsOrThrow("auc");
        assertTrue(Math.abs(Double.parseDouble(test.group(2)) - exportEvalAuc) < 0.1,
                "the export's evaluation AUC " + exportEvalAuc + " and its test AUC are close: " + printed);
        for (String plot : new String[]{"loss.png", "eval_metrics.png", "roc.png", "calibration.png"}) {
            assertTrue(printed.contains("plot: " + modelDir.resolve("plots").resolve(plot)), printed);
            assertTrue(Files.isRegularFile(modelDir.resolve("plots").resolve(plot)), plot);
        }
        assertTrue(Files.isRegularFile(modelDir.resolve("summary.json")), printed);
        assertTrue(Files.isDirectory(modelDir.resolve("export/final")), printed);
        long steps = CheckpointLocator.resolve(modelDir).manifest().getGlobalStep();
        assertTrue(printed.contains("train: " + steps + " steps in "), printed);

        rerunsResumeTheRunRefuseAChangedModelAndOverwriteOnRequest(dir, config, samples, modelDir, steps);
    }

    /** The same samples and model directory again, as a user rerunning the command would (spares a second build-samples). */
    private void rerunsResumeTheRunRefuseAChangedModelAndOverwriteOnRequest(Path dir, Path config, Path samples, Path modelDir, long steps)
            throws IOException {
        String runId = RunRecord.read(modelDir).orElseThrow().runId();
        try (DirectoryLock other = DirectoryLock.acquire(modelDir, "train by another user")) {
            err.reset();
            assertEquals(1, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir", modelDir.toString()));
            assertTrue(err.toString().contains("is locked by 'train by another user'"), err.toString());
            assertEquals(runId, RunRecord.read(modelDir).orElseThrow().runId(), "the refused run touched nothing");
        }
        out.reset();
        assertEquals(0, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir", modelDir.toString()),
                err.toString());
        assertTrue(out.toString().contains("train: resumed run " + runId + " from " + modelDir.resolve("checkpoints/ckpt-" + steps)), out.toString());
        assertTrue(out.toString().contains("train: " + steps + " steps in "), out.toString());

        Path changed = dir.resolve("changed.pbtxt");
        Files.writeString(changed, Files.readString(config)
                .replace("path: \"../sample-data", "path: \"" + RecSparkCliTest.repoRoot().resolve("sample-data"))
                .replace("allowed_paths: \"../sample-data/\"", "allowed_paths: \"" + RecSparkCliTest.repoRoot().resolve("sample-data") + "\"")
                .replace("dnn { hidden_units: [256, 128]", "dnn { hidden_units: [64, 32]")
                .replace("num_epochs: 8", "num_epochs: 8\n  max_steps: 20"));
        err.reset();
        assertEquals(2, run("train", "--config", changed.toString(), "--samples", samples.toString(), "--model-dir", modelDir.toString()));
        assertTrue(err.toString().contains("cannot resume run " + runId + " in " + modelDir + ": the config changed in model_config since"),
                err.toString());
        assertTrue(err.toString().contains("[--overwrite]"), "the usage names the way out: " + err);

        out.reset();
        assertEquals(0, run("train", "--config", changed.toString(), "--samples", samples.toString(), "--model-dir", modelDir.toString(),
                "--overwrite"), err.toString());
        String freshRun = RunRecord.read(modelDir).orElseThrow().runId();
        assertTrue(!freshRun.equals(runId) && out.toString().contains("train: run " + freshRun + "\n"), out.toString());
        assertTrue(out.toString().contains("train: 20 steps in "), out.toString());
        assertTrue(Files.isRegularFile(modelDir.resolve("overwritten").resolve(runId).resolve("summary.json")));
    }

    @Test
    void refusesAConfigWithoutASplit(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("p.pbtxt");
        String text = Files.readString(RecSparkCliTest.repoRoot().resolve("examples").resolve("sample_pipeline.pbtxt"))
                .replace("split { by_time { eval_fraction: 0.15 test_fraction: 0.15 } }", "")
                .replace("path: \"../sample-data", "path: \"" + RecSparkCliTest.repoRoot().resolve("sample-data"))
                .replace("allowed_paths: \"../sample-data/\"", "allowed_paths: \"" + RecSparkCliTest.repoRoot().resolve("sample-data") + "\"");
        Files.writeString(config, text);
        assertEquals(2, run("train", "--config", config.toString(), "--samples", dir.resolve("none").toString(),
                "--model-dir", dir.resolve("model").toString()));
        assertTrue(err.toString().contains("input_config.split is not set: train needs held-out evaluation rows"), err.toString());
    }
}

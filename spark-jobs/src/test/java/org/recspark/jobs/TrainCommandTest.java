package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.trainer.train.CheckpointReader;

/** build-samples then train on the bundled sample: the launcher's path from raw logs to a model. */
class TrainCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return RecSparkCli.standard(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    @Test
    void trainsTheSampleConfigsDeepFmOnBuiltSamplesAndBeatsChance(@TempDir Path dir) {
        Path config = RecSparkCliTest.repoRoot().resolve("examples").resolve("sample_pipeline.pbtxt");
        Path samples = dir.resolve("samples");
        assertEquals(0, run("build-samples", "--config", config.toString(), "--out", samples.toString()), err.toString());
        Path modelDir = dir.resolve("model");
        assertEquals(0, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir", modelDir.toString(),
                "--threads", "2"), err.toString());
        String printed = out.toString();
        // the sample's by_time split holds out the last 25% of the time range
        Matcher counts = Pattern.compile("train: (\\d+) training and (\\d+) evaluation samples").matcher(printed);
        assertTrue(counts.find(), printed);
        assertEquals(20_000, Long.parseLong(counts.group(1)) + Long.parseLong(counts.group(2)), printed);
        Matcher auc = Pattern.compile("eval click: auc ([0-9.]+), gauc ([0-9.]+)").matcher(printed);
        assertTrue(auc.find(), printed);
        assertTrue(Double.parseDouble(auc.group(1)) > 0.6, "the planted signal is learned: " + printed);
        assertTrue(Files.isDirectory(modelDir.resolve("checkpoints")), printed);
        assertEquals(75, CheckpointReader.resolve(modelDir).manifest().getGlobalStep(), "5 epochs of 15 batches");
    }

    @Test
    void refusesAConfigWithoutASplit(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("p.pbtxt");
        String text = Files.readString(RecSparkCliTest.repoRoot().resolve("examples").resolve("sample_pipeline.pbtxt"))
                .replace("split { by_time { eval_fraction: 0.25 } }", "")
                .replace("path: \"../sample-data", "path: \"" + RecSparkCliTest.repoRoot().resolve("sample-data"));
        Files.writeString(config, text);
        assertEquals(2, run("train", "--config", config.toString(), "--samples", dir.resolve("none").toString(),
                "--model-dir", dir.resolve("model").toString()));
        assertTrue(err.toString().contains("input_config.split is not set: train needs held-out evaluation rows"), err.toString());
    }
}

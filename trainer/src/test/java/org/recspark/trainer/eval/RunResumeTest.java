package org.recspark.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.report.MetricsHistory;
import org.recspark.evaluator.report.MetricsRecord;
import org.recspark.model.bundle.CheckpointException;
import org.recspark.model.bundle.CheckpointFormat;
import org.recspark.model.bundle.CheckpointReader;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.trainer.model.ZooConfigs;
import org.recspark.trainer.model.ZooFixture;
import org.recspark.trainer.train.CheckpointLocator;
import org.recspark.trainer.train.RunRecord;

/**
 * Runs that stop and are started again into the same run directory, on real files: they resume,
 * refuse a config their checkpoints do not fit, start fresh on request, and never mix with
 * another run's artifacts.
 */
class RunResumeTest {
    /** 6,000 training rows in batches of 128: 47 steps, a checkpoint every 20, an evaluation every 10. */
    private static final String RUN = """
            train_config {
              batch_size: 128
              num_epochs: 1
              seed: 11
              dense_optimizer { adam {} learning_rate { initial: 0.01 } }
              sparse_optimizer { adam {} learning_rate { initial: 0.01 } }
              log_every_steps: 5
              checkpoint { every_steps: 20 keep: 2 }
            }
            eval_config { metrics { auc {} } metrics { logloss {} } every_steps: 10 }
            export_config {
              exporters { type: FINAL }
              exporters { type: BEST keep: 2 }
              exporters { type: LATEST keep: 5 }
              best_metric { metric: "logloss" direction: MINIMIZE }
            }
            """;

    @TempDir
    Path dir;

    private static PipelineConfig config(String model, String run) {
        return ConfigParser.parseText(ZooFixture.INPUT_CONFIG + ZooFixture.FEATURE_CONFIG + model + run, "resume-test.pbtxt");
    }

    private static PipelineConfig config() {
        return config(ZooConfigs.DEEPFM, RUN);
    }

    private TrainingRun run(PipelineConfig config, Path runDir) {
        return new TrainingRun(config, dir, ZooFixture.data().generator().schema(), runDir, 1);
    }

    private static TrainingRun.Summary train(TrainingRun run) {
        ZooFixture.Data data = ZooFixture.data();
        return run.run(data.train(), data.test().slice(0, 1000), Optional.of(data.test().slice(1000, 2000)));
    }

    /** Trains until the evaluation at {@code step}, then fails as a killed process would: no final checkpoint or export. */
    private void trainAndKillAt(PipelineConfig config, Path runDir, long step) {
        RuntimeException killed = assertThrows(RuntimeException.class, () -> train(run(config, runDir).observedBy(e -> {
            if (e.step() == step) {
                throw new IllegalStateException("killed at step " + step);
            }
            return Optional.empty();
        })));
        assertEquals("killed at step " + step, killed.getMessage());
    }

    @Test
    void aKilledRunResumesAtItsLatestCheckpointAndEndsWithTheWeightsOfAnUninterruptedRun() throws IOException {
        PipelineConfig config = config();
        TrainingRun.Summary straight = train(run(config, dir.resolve("straight")));
        assertEquals(47, straight.steps());

        Path runDir = dir.resolve("killed");
        trainAndKillAt(config, runDir, 30);
        String runId = RunRecord.read(runDir).orElseThrow().runId();
        List<String> linesBeforeResume = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertTrue(MetricsHistory.read(runDir.resolve("metrics.jsonl")).stream().anyMatch(r -> r.step() == 30),
                "the killed run recorded its evaluation at step 30, after its last checkpoint at 20");
        // What a crash during writes leaves: a checkpoint and an export half-staged, a history temp file.
        Path partialCheckpoint = Files.createDirectories(runDir.resolve("checkpoints/.ckpt-40.tmp-" + "0f1e2d"));
        Files.writeString(partialCheckpoint.resolve("tensors.bin"), "cut short");
        Path partialExport = Files.createDirectories(runDir.resolve("export/best/.step-40.tmp-3c4b5a"));
        Path partialHistory = Files.writeString(runDir.resolve(".metrics.jsonl.tmp-6d7e8f"), "{\"step\":");

        TrainingRun.Summary resumed = train(run(config, runDir));

        assertEquals(Optional.of(runDir.resolve("checkpoints/ckpt-20")), resumed.resumedFrom());
        assertEquals(runId, resumed.runId(), "a resumed run keeps its id");
        assertEquals(straight.steps(), resumed.steps());
        assertTrue(resumed.stopReason().endsWith("(resumed from " + runDir.resolve("checkpoints/ckpt-20") + ")"), resumed.stopReason());
        assertEquals(tensorsSha256(straight.runDir()), tensorsSha256(runDir),
                "model, optimizer state and batch order are restored exactly: the final checkpoint is the uninterrupted run's");
        assertFalse(Files.exists(partialCheckpoint) || Files.exists(partialExport) || Files.exists(partialHistory),
                "partial files of the interrupted writes are removed at the next start");

        List<String> lines = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        int kept = (int) MetricsHistory.read(runDir.resolve("metrics.jsonl")).stream().filter(r -> r.step() <= 20).count();
        assertEquals(linesBeforeResume.subList(0, kept), lines.subList(0, kept), "the lines up to the checkpoint are kept as written");
        assertEquals(evaluationSteps(straight.history()), evaluationSteps(resumed.history()),
                "the killed run's records after step 20 are dropped and written again, once");
        assertEquals(straight.outcome().bestExports().stream().map(PeriodicEvaluator.Export::step).toList(),
                resumed.outcome().bestExports().stream().map(PeriodicEvaluator.Export::step).toList(),
                "the best exports are ranked across the interruption");
        for (Path checkpoint : CheckpointLocator.list(runDir.resolve("checkpoints"))) {
            assertEquals(runId, CheckpointReader.open(checkpoint).manifest().getRunId(), checkpoint.toString());
        }
        assertEquals(runId, ExportBundle.open(runDir.resolve("export/final")).manifest().getRunId());
    }

    @Test
    void anEvaluationLostBetweenTheCheckpointAndTheCrashIsRunWhenTheRunResumes() throws IOException {
        PipelineConfig config = config();
        Path runDir = dir.resolve("lost-evaluation");
        trainAndKillAt(config, runDir, 30);
        // As if the process died after writing checkpoint 20 and before recording the evaluation at step 20.
        Path history = runDir.resolve("metrics.jsonl");
        List<String> lines = Files.readAllLines(history);
        Files.write(history, lines.stream().filter(l -> !(l.startsWith("{\"step\":20,") && l.contains("\"kind\":\"eval\""))).toList());
        assertEquals(lines.size() - 1, Files.readAllLines(history).size());

        TrainingRun.Summary resumed = train(run(config, runDir));
        assertEquals(Optional.of(runDir.resolve("checkpoints/ckpt-20")), resumed.resumedFrom());
        assertEquals(List.of(10L, 20L, 30L, 40L, 47L), evaluationSteps(resumed.history()));
    }

    @Test
    void aFinishedRunStartedAgainResumesAtItsEndAndTrainsNoFurther() {
        PipelineConfig config = config();
        Path runDir = dir.resolve("done");
        TrainingRun.Summary first = train(run(config, runDir));
        TrainingRun.Summary again = train(run(config, runDir));
        assertEquals(Optional.of(runDir.resolve("checkpoints/ckpt-47")), again.resumedFrom());
        assertEquals(first.steps(), again.steps());
        assertEquals(first.runId(), again.runId());
    }

    @Test
    void aDamagedNewestCheckpointIsRefusedSayingHowToResumeFromTheOneBefore() throws IOException {
        PipelineConfig config = config();
        Path runDir = dir.resolve("damaged-checkpoint");
        train(run(config, runDir));
        Path newest = runDir.resolve("checkpoints/ckpt-47");
        Path manifest = newest.resolve(CheckpointFormat.MANIFEST);
        byte[] bytes = Files.readAllBytes(manifest);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(manifest, bytes);
        CheckpointException refused = assertThrows(CheckpointException.class, () -> train(run(config, runDir)));
        assertTrue(refused.getMessage().startsWith("checkpoint " + newest + ": manifest.pb has SHA-256 "), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("cannot resume from it: remove " + newest + " to resume from the complete "
                + "checkpoint before it, or start a fresh run (train --overwrite)"), refused.getMessage());
    }

    @Test
    void aChangedModelIsRefusedNamingTheSectionAndOverwriteStartsAFreshRunMovingTheOldOneAside() throws IOException {
        Path runDir = dir.resolve("changed");
        trainAndKillAt(config(), runDir, 30);
        String firstRun = RunRecord.read(runDir).orElseThrow().runId();
        PipelineConfig wider = config(ZooConfigs.DEEPFM.replace("hidden_units: [32, 16]", "hidden_units: [64, 16]"), RUN);

        RunConflictException refused = assertThrows(RunConflictException.class, () -> train(run(wider, runDir)));
        assertTrue(refused.getMessage().contains("the config changed in model_config since the run started"), refused.getMessage());
        assertTrue(refused.getMessage().contains("--overwrite"), refused.getMessage());
        assertEquals(firstRun, RunRecord.read(runDir).orElseThrow().runId(), "a refused start changes nothing");

        TrainingRun.Summary fresh = train(run(wider, runDir).overwriting(true));
        assertEquals(Optional.empty(), fresh.resumedFrom());
        assertNotEquals(firstRun, fresh.runId());
        assertEquals(47, fresh.steps());
        Path movedAside = runDir.resolve("overwritten").resolve(firstRun);
        assertTrue(Files.isRegularFile(movedAside.resolve("checkpoints/ckpt-20/manifest.pb")), "the earlier run is moved aside, not deleted");
        assertTrue(Files.isRegularFile(movedAside.resolve("metrics.jsonl")));
        for (Path bundle : children(runDir.resolve("export/best"))) {
            assertEquals(fresh.runId(), ExportBundle.open(bundle).manifest().getRunId(), "export/best holds only the new run's bundles");
        }
        assertEquals(fresh.runId(), CheckpointLocator.resolve(runDir).manifest().getRunId(),
                "warm_start_from the directory loads the newest checkpoint of its most recent run");
    }

    @Test
    void changesThatDoNotAffectTheCheckpointsResume() {
        Path runDir = dir.resolve("longer");
        trainAndKillAt(config(), runDir, 30);
        PipelineConfig moreEvaluations = config(ZooConfigs.DEEPFM, RUN.replace("every_steps: 10", "every_steps: 5")
                .replace("initial: 0.01 } }\n  sparse", "initial: 0.005 } }\n  sparse"));
        assertNotEquals(config().getEvalConfig(), moreEvaluations.getEvalConfig());
        assertNotEquals(config().getTrainConfig(), moreEvaluations.getTrainConfig());
        TrainingRun.Summary resumed = train(run(moreEvaluations, runDir));
        assertEquals(Optional.of(runDir.resolve("checkpoints/ckpt-20")), resumed.resumedFrom());
        assertEquals(47, resumed.steps());
    }

    @Test
    void anotherRunsBundlesAreNeitherRankedNorDeletedWhenARunResumes() throws IOException {
        PipelineConfig config = config();
        Path other = dir.resolve("other");
        train(run(config, other));
        Path runDir = dir.resolve("mine");
        trainAndKillAt(config, runDir, 30);
        // Bundles of another run in this run's export/best, one of them at a step after the resumed checkpoint.
        Path foreignEarly = runDir.resolve("export/best/step-5");
        Path foreignLate = runDir.resolve("export/best/step-45");
        copyTree(other.resolve("export/final"), foreignEarly);
        copyTree(other.resolve("export/final"), foreignLate);

        TrainingRun.Summary resumed = train(run(config, runDir));

        assertTrue(ExportBundle.open(foreignEarly).manifest().getRunId().length() > 0 && Files.isDirectory(foreignLate),
                "another run's bundles are left alone");
        assertTrue(resumed.outcome().bestExports().stream().noneMatch(e -> e.path().equals(foreignEarly) || e.path().equals(foreignLate)));
        assertEquals(2, resumed.outcome().bestExports().size());
        for (PeriodicEvaluator.Export e : resumed.outcome().bestExports()) {
            assertEquals(resumed.runId(), ExportBundle.open(e.path()).manifest().getRunId());
        }
    }

    @Test
    void artifactsWithoutARunRecordAreRefusedUntilOverwritten() throws IOException {
        Path runDir = dir.resolve("legacy");
        train(run(config(), runDir));
        Files.delete(runDir.resolve(RunRecord.FILE));
        RunConflictException refused = assertThrows(RunConflictException.class, () -> train(run(config(), runDir)));
        assertTrue(refused.getMessage().contains("but no run.json"), refused.getMessage());
        TrainingRun.Summary fresh = train(run(config(), runDir).overwriting(true));
        assertTrue(Files.isDirectory(runDir.resolve("overwritten/unrecorded/checkpoints")));
        assertEquals(Optional.empty(), fresh.resumedFrom());
    }

    @Test
    void aDamagedRunRecordIsRefusedNamingTheFile() throws IOException {
        Path runDir = Files.createDirectories(dir.resolve("damaged"));
        Files.writeString(runDir.resolve(RunRecord.FILE), "{\"run_id\": ");
        RunConflictException refused = assertThrows(RunConflictException.class, () -> RunDirectory.prepare(runDir, config(), false));
        assertTrue(refused.getMessage().contains("the run record " + runDir.resolve(RunRecord.FILE) + " is damaged"), refused.getMessage());
        assertFalse(RunDirectory.prepare(runDir, config(), true).resumes());
    }

    private static String tensorsSha256(Path runDir) {
        List<Path> checkpoints = CheckpointLocator.list(runDir.resolve("checkpoints"));
        return CheckpointReader.open(checkpoints.get(checkpoints.size() - 1)).manifest().getTensorsSha256();
    }

    private static List<Long> evaluationSteps(Path history) throws IOException {
        return MetricsHistory.read(history).stream().filter(r -> r.kind() == MetricsRecord.Kind.EVAL).map(MetricsRecord::step).toList();
    }

    private static List<Path> children(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.write(target, Files.readAllBytes(p));
                }
            }
        }
    }
}

package org.recspark.trainer.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.report.MetricsHistory;
import org.recspark.model.bundle.CheckpointException;
import org.recspark.storage.CommittedDirectory;
import org.recspark.trainer.train.CheckpointLocator;
import org.recspark.trainer.train.ConfigFingerprint;
import org.recspark.trainer.train.RunRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides how a training run starts in its run directory (a model_dir), before any work: resume
 * the directory's run from its newest complete checkpoint, start a fresh run, or refuse.
 * <ul>
 *   <li>A directory whose run ({@value RunRecord#FILE}) has a complete checkpoint is resumed when
 *       the config's {@link ConfigFingerprint} matches the run's; otherwise it is refused with the
 *       changed sections named.</li>
 *   <li>A run that stopped before its first checkpoint has nothing to resume: its artifacts are
 *       moved aside and a fresh run starts.</li>
 *   <li>Artifacts without a run record (written before runs had ids) are refused.</li>
 *   <li>{@code overwrite} starts a fresh run whatever is there. Nothing is deleted: the earlier
 *       run's artifacts move to {@code overwritten/<run id>/} in the directory.</li>
 * </ul>
 * Leftovers of writes that never finished (staging directories of checkpoints and exports, temp
 * files of the history and the summary) are removed first, with a log line. Call it only while
 * no other process trains into the directory.
 */
public final class RunDirectory {
    /** Where --overwrite moves an earlier run's artifacts. */
    public static final String OVERWRITTEN = "overwritten";
    static final String CHECKPOINTS = "checkpoints";
    static final String EXPORT = "export";
    static final String HISTORY = "metrics.jsonl";
    static final String SUMMARY = "summary.json";
    static final String PLOTS = "plots";
    private static final List<String> ARTIFACTS = List.of(CHECKPOINTS, EXPORT, PLOTS, HISTORY, SUMMARY, RunRecord.FILE);
    private static final Logger LOG = LoggerFactory.getLogger(RunDirectory.class);

    private RunDirectory() {
    }

    /**
     * How a run starts: its id, and the checkpoint it resumes from (empty for a fresh run, whose
     * record is already written).
     */
    public record RunStart(String runId, Optional<Path> checkpoint) {
        public boolean resumes() {
            return checkpoint.isPresent();
        }
    }

    /**
     * Prepares {@code runDir} for a run of {@code config}: removes leftovers, then resumes, starts
     * fresh (writing a new run record) or refuses, as the class says.
     *
     * @throws RunConflictException when the directory holds a run this config must not resume
     */
    public static RunStart prepare(Path runDir, PipelineConfig config, boolean overwrite) {
        removeLeftovers(runDir);
        ConfigFingerprint fingerprint = ConfigFingerprint.of(config);
        Optional<RunRecord> record;
        try {
            record = overwrite ? Optional.empty() : RunRecord.read(runDir);
        } catch (CheckpointException e) {
            throw new RunConflictException(e.getMessage());
        }
        if (overwrite) {
            String earlier = readQuietly(runDir).map(RunRecord::runId).orElse("unrecorded");
            moveAside(runDir, earlier, "--overwrite");
            return fresh(runDir, fingerprint);
        }
        if (record.isEmpty()) {
            List<String> found = artifacts(runDir);
            if (!found.isEmpty()) {
                throw new RunConflictException(runDir + " holds " + found + " but no " + RunRecord.FILE
                        + " naming their run (written by an older RecSpark, or not by train): they cannot be resumed safely. "
                        + "Pass --overwrite to move them to " + runDir.resolve(OVERWRITTEN) + "/ and start a fresh run, "
                        + "or train into another model_dir");
            }
            return fresh(runDir, fingerprint);
        }
        RunRecord run = record.get();
        Optional<Path> checkpoint = latestCheckpoint(runDir, run.runId());
        if (checkpoint.isEmpty()) {
            moveAside(runDir, run.runId(), "run " + run.runId() + " stopped before its first complete checkpoint, so nothing can be resumed;");
            return fresh(runDir, fingerprint);
        }
        List<String> changed = fingerprint.changedSince(run.fingerprint());
        if (!changed.isEmpty()) {
            throw new RunConflictException("cannot resume run " + run.runId() + " in " + runDir + ": the config changed in "
                    + String.join(", ", changed) + " since the run started, and its checkpoints do not fit a model, optimizer "
                    + "or data order built from the new values. Restore those sections, pass --overwrite to start a fresh run "
                    + "(the earlier run moves to " + runDir.resolve(OVERWRITTEN).resolve(run.runId()) + "), or train into another model_dir");
        }
        LOG.info("{} holds run {} (started {}): resuming it from {}", runDir, run.runId(), java.time.Instant.ofEpochMilli(run.startedUnixMillis()),
                checkpoint.get());
        return new RunStart(run.runId(), checkpoint);
    }

    /** The newest complete checkpoint of run {@code runId} in a run directory, if any. */
    public static Optional<Path> latestCheckpoint(Path runDir, String runId) {
        return CheckpointLocator.latest(runDir.resolve(CHECKPOINTS), runId);
    }

    /**
     * Deletes the leftovers of writes that never finished anywhere in a run directory: staging
     * and moved-aside directories of checkpoints and exports, temp files of atomically written
     * files, and (on object stores) checkpoint and export directories without their marker.
     */
    public static List<Path> removeLeftovers(Path runDir) {
        List<Path> removed = new ArrayList<>();
        removed.addAll(CommittedDirectory.removeLeftovers(runDir, null));
        removed.addAll(CommittedDirectory.removeLeftovers(runDir.resolve(CHECKPOINTS), "ckpt-"));
        removed.addAll(CommittedDirectory.removeLeftovers(runDir.resolve(EXPORT), "final"));
        removed.addAll(CommittedDirectory.removeLeftovers(runDir.resolve(EXPORT).resolve("latest"), "step-"));
        removed.addAll(CommittedDirectory.removeLeftovers(runDir.resolve(EXPORT).resolve("best"), "step-"));
        removed.addAll(CommittedDirectory.removeLeftovers(runDir.resolve(PLOTS), null));
        if (!removed.isEmpty()) {
            LOG.info("Removed {} partial files of writes that never finished in {} (an interrupted run)", removed.size(), runDir);
        }
        return removed;
    }

    private static RunStart fresh(Path runDir, ConfigFingerprint fingerprint) {
        RunRecord run = RunRecord.fresh(fingerprint);
        run.write(runDir);
        LOG.info("Starting run {} in {}", run.runId(), runDir);
        return new RunStart(run.runId(), Optional.empty());
    }

    /** A run record for naming the run moved aside; a damaged one does not stop --overwrite. */
    private static Optional<RunRecord> readQuietly(Path runDir) {
        try {
            return RunRecord.read(runDir);
        } catch (RuntimeException e) {
            LOG.warn("{}: {}", runDir.resolve(RunRecord.FILE), e.getMessage());
            return Optional.empty();
        }
    }

    private static void moveAside(Path runDir, String runId, String why) {
        List<String> found = artifacts(runDir);
        if (found.isEmpty()) {
            return;
        }
        Path target = runDir.resolve(OVERWRITTEN).resolve(runId);
        if (Files.exists(target)) {
            target = runDir.resolve(OVERWRITTEN).resolve(runId + "-" + System.currentTimeMillis());
        }
        try {
            Files.createDirectories(target);
            for (String name : found) {
                Files.move(runDir.resolve(name), target.resolve(name));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move the earlier run's artifacts " + found + " from " + runDir + " to " + target, e);
        }
        LOG.warn("{} moved the earlier run's {} to {} (delete it when no longer needed)", why, found, target);
    }

    private static List<String> artifacts(Path runDir) {
        List<String> found = new ArrayList<>();
        for (String name : ARTIFACTS) {
            Path p = runDir.resolve(name);
            if (Files.isRegularFile(p) || Files.isDirectory(p) && !isEmpty(p)) {
                found.add(name);
            }
        }
        return found;
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The history file of a run directory. */
    static Path history(Path runDir) {
        return runDir.resolve(HISTORY);
    }

    /** Opens the history of a run: a new one for a fresh run, the earlier one continued at {@code step} for a resumed run. */
    static MetricsHistory openHistory(Path runDir, RunStart start, long step) {
        Path file = history(runDir);
        try {
            return start.resumes() ? MetricsHistory.continueAt(file, step) : MetricsHistory.create(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the metrics history " + file, e);
        }
    }
}

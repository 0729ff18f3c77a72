package org.recspark.trainer.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.recspark.config.proto.checkpoint.CheckpointManifest;
import org.recspark.model.bundle.CheckpointException;
import org.recspark.model.bundle.CheckpointFormat;
import org.recspark.model.bundle.CheckpointReader;
import org.recspark.storage.CommittedDirectory;
import org.recspark.storage.Locations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the checkpoints of a run directory by run and step; {@link CheckpointReader} reads one. */
public final class CheckpointLocator {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointLocator.class);

    private CheckpointLocator() {
    }

    /**
     * The checkpoint a path names: a checkpoint directory itself, or the newest complete checkpoint
     * of the most recent run in a run directory (or its {@code checkpoints/} folder). The most
     * recent run is the one the run directory's {@value RunRecord#FILE} names; without one (runs
     * written before run ids), the run of the checkpoint created last (ties: the higher step). Of
     * that run, the checkpoint with the highest step is taken; other runs' checkpoints are ignored.
     */
    public static CheckpointReader resolve(Path path) {
        if (Files.isRegularFile(path.resolve(CheckpointFormat.MANIFEST))) {
            return CheckpointReader.open(path);
        }
        boolean runDirectory = Files.isDirectory(path.resolve("checkpoints"));
        Path dir = runDirectory ? path.resolve("checkpoints") : path;
        Path runDir = runDirectory ? path : path.getFileName() != null && path.getFileName().toString().equals("checkpoints")
                ? Locations.parentOf(path) : null;
        Optional<String> runId = (runDir == null ? Optional.<RunRecord>empty() : RunRecord.read(runDir)).map(RunRecord::runId)
                .or(() -> mostRecentRun(dir));
        List<Path> all = runId.map(id -> list(dir, id)).orElse(List.of());
        if (all.isEmpty()) {
            throw new CheckpointException("no complete checkpoint" + runId.map(id -> " of run " + id).orElse("") + " in " + path);
        }
        LOG.info("{} resolves to {} (the newest complete checkpoint of run {})", path, all.get(all.size() - 1), runId.get());
        return CheckpointReader.open(all.get(all.size() - 1));
    }

    /** Complete checkpoints in a directory, oldest first, of any run (temporary directories are skipped). */
    public static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> p.getFileName().toString().matches(CheckpointWriter.PREFIX + "\\d+"))
                    .filter(CommittedDirectory::isCommitted)
                    .sorted(Comparator.comparingLong(CheckpointLocator::stepOf))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + dir, e);
        }
    }

    /** Complete checkpoints of run {@code runId} in a directory, oldest first. */
    public static List<Path> list(Path dir, String runId) {
        return list(dir).stream().filter(p -> runId.equals(readManifest(p).getRunId())).toList();
    }

    /** The newest complete checkpoint of run {@code runId} in a directory, if any. */
    public static Optional<Path> latest(Path dir, String runId) {
        List<Path> all = list(dir, runId);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The run of the checkpoint created last in {@code dir} (ties: the higher step); empty without checkpoints. */
    private static Optional<String> mostRecentRun(Path dir) {
        CheckpointManifest newest = null;
        for (Path p : list(dir)) {
            CheckpointManifest m = readManifest(p);
            if (newest == null || m.getCreatedUnixMillis() >= newest.getCreatedUnixMillis()) {
                newest = m;
            }
        }
        return Optional.ofNullable(newest).map(CheckpointManifest::getRunId);
    }

    /** A checkpoint's manifest alone (no tensor verification), for listing. */
    private static CheckpointManifest readManifest(Path checkpoint) {
        Path file = checkpoint.resolve(CheckpointFormat.MANIFEST);
        try {
            return CheckpointManifest.parseFrom(Files.readAllBytes(file));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new CheckpointException("checkpoint " + checkpoint + " has a corrupt manifest: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static long stepOf(Path p) {
        return Long.parseLong(p.getFileName().toString().substring(CheckpointWriter.PREFIX.length()));
    }
}

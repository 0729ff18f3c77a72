package org.recspark.trainer.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.recspark.config.proto.checkpoint.CheckpointManifest;
import org.recspark.config.proto.checkpoint.TensorEntry;
import org.recspark.config.proto.checkpoint.TensorKind;
import org.recspark.storage.CommittedDirectory;
import org.recspark.storage.Locations;
import org.recspark.trainer.embedding.EmbeddingTable;
import org.recspark.trainer.nn.ModelParameters;
import org.recspark.trainer.nn.Parameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads checkpoints written by {@link CheckpointWriter}, verifying the format version, the tensor
 * file's size and SHA-256, and every entry's range before anything is loaded. {@link #restore}
 * continues a run exactly (everything must match); {@link #warmStart} loads what matches by name
 * into a new model (the daily incremental case).
 */
public final class CheckpointReader {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointReader.class);

    private final Path path;
    private final CheckpointManifest manifest;
    private final ByteBuffer tensors;
    private final Map<String, TensorEntry> entries = new HashMap<>();

    private CheckpointReader(Path path, CheckpointManifest manifest, ByteBuffer tensors) {
        this.path = path;
        this.manifest = manifest;
        this.tensors = tensors;
        for (TensorEntry e : manifest.getTensorsList()) {
            entries.put(key(e.getKind(), e.getName()), e);
        }
    }

    /** Opens and verifies one checkpoint directory. */
    public static CheckpointReader open(Path checkpoint) {
        Path manifestFile = checkpoint.resolve(CheckpointWriter.MANIFEST);
        Path tensorFile = checkpoint.resolve(CheckpointWriter.TENSORS);
        if (!Files.isRegularFile(manifestFile)) {
            throw new CheckpointException(checkpoint + " is not a checkpoint: it has no " + CheckpointWriter.MANIFEST);
        }
        CheckpointManifest manifest;
        byte[] data;
        try {
            manifest = CheckpointManifest.parseFrom(Files.readAllBytes(manifestFile));
            data = Files.readAllBytes(tensorFile);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new CheckpointException("checkpoint " + checkpoint + " has a corrupt manifest: " + e.getMessage());
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + checkpoint + ": " + e);
        }
        if (manifest.getFormatVersion() != CheckpointWriter.FORMAT_VERSION) {
            throw new CheckpointException("checkpoint " + checkpoint + " has format version " + manifest.getFormatVersion()
                    + "; this build reads version " + CheckpointWriter.FORMAT_VERSION);
        }
        if (data.length != manifest.getTensorsBytes()) {
            throw new CheckpointException("checkpoint " + checkpoint + ": " + CheckpointWriter.TENSORS + " has " + data.length
                    + " bytes, the manifest says " + manifest.getTensorsBytes() + " (truncated or replaced)");
        }
        String sha = sha256(data);
        if (!sha.equals(manifest.getTensorsSha256())) {
            throw new CheckpointException("checkpoint " + checkpoint + ": " + CheckpointWriter.TENSORS + " has SHA-256 " + sha
                    + ", the manifest says " + manifest.getTensorsSha256() + " (corrupted)");
        }
        for (TensorEntry e : manifest.getTensorsList()) {
            long width = e.getKind() == TensorKind.TABLE_IDS ? 8 : 4;
            if (e.getOffset() < 0 || e.getOffset() + e.getLength() > data.length || e.getLength() != width * e.getRows() * e.getCols()) {
                throw new CheckpointException("checkpoint " + checkpoint + ": entry " + e.getKind() + " '" + e.getName()
                        + "' does not fit its shape or the file");
            }
        }
        return new CheckpointReader(checkpoint, manifest, ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * The checkpoint a path names: a checkpoint directory itself, or the newest complete checkpoint
     * of the most recent run in a run directory (or its {@code checkpoints/} folder). The most
     * recent run is the one the run directory's {@value RunRecord#FILE} names; without one (runs
     * written before run ids), the run of the checkpoint created last (ties: the higher step). Of
     * that run, the checkpoint with the highest step is taken; other runs' checkpoints are ignored.
     */
    public static CheckpointReader resolve(Path path) {
        if (Files.isRegularFile(path.resolve(CheckpointWriter.MANIFEST))) {
            return open(path);
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
        return open(all.get(all.size() - 1));
    }

    /** Complete checkpoints in a directory, oldest first, of any run (temporary directories are skipped). */
    public static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> p.getFileName().toString().matches(CheckpointWriter.PREFIX + "\\d+"))
                    .filter(CommittedDirectory::isCommitted)
                    .sorted(Comparator.comparingLong(CheckpointReader::stepOf))
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
        Path file = checkpoint.resolve(CheckpointWriter.MANIFEST);
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

    public Path path() {
        return path;
    }

    public CheckpointManifest manifest() {
        return manifest;
    }

    /** Restores a trainer exactly: parameters, buffers, optimizer state, tables and position. */
    public void restore(Trainer trainer) {
        ModelParameters params = trainer.parameters();
        List<String> problems = mismatches(params);
        if (!problems.isEmpty()) {
            throw new CheckpointException("checkpoint " + path + " does not match the model:\n  " + String.join("\n  ", problems));
        }
        for (Parameter p : params.all()) {
            readFloats(entries.get(key(TensorKind.PARAMETER, p.name())), p.value());
        }
        Map<String, float[]> denseState = new LinkedHashMap<>();
        for (TensorEntry e : manifest.getTensorsList()) {
            if (e.getKind() == TensorKind.DENSE_STATE) {
                float[] v = new float[(int) (e.getRows() * e.getCols())];
                readFloats(e, v);
                denseState.put(e.getName(), v);
            }
        }
        trainer.denseOptimizer().restore(denseState, manifest.getDenseOptimizerSteps());
        trainer.sparseOptimizer().setSteps(manifest.getSparseOptimizerSteps());
        for (EmbeddingTable t : params.tables()) {
            loadTable(t, true);
        }
        trainer.state().restore(manifest.getGlobalStep(), manifest.getEpoch(), manifest.getBatchInEpoch(), manifest.getSamplesSeen());
        LOG.info("Restored {} at {}", path, trainer.state());
    }

    /**
     * Loads into a freshly built model every parameter and table the checkpoint has under the same
     * name; the rest keep their initial values (new features, new layers). Optimizer state and the
     * training position are not loaded. Shape mismatches fail, all named at once.
     */
    public WarmStartReport warmStart(ModelParameters params) {
        List<String> mismatches = new ArrayList<>();
        List<String> loaded = new ArrayList<>();
        List<String> fresh = new ArrayList<>();
        for (Parameter p : params.all()) {
            TensorEntry e = entries.get(key(TensorKind.PARAMETER, p.name()));
            if (e == null) {
                fresh.add(p.name());
            } else if (e.getRows() != p.rows() || e.getCols() != p.cols()) {
                mismatches.add("parameter '" + p.name() + "': " + p.shape() + " in the model, " + e.getRows() + "x" + e.getCols() + " in " + path);
            }
        }
        for (EmbeddingTable t : params.tables()) {
            TensorEntry e = entries.get(key(TensorKind.TABLE_VALUES, t.name()));
            if (e == null) {
                fresh.add(t.name());
            } else if (e.getCols() != t.dim()) {
                mismatches.add("embedding table '" + t.name() + "': dim " + t.dim() + " in the model, " + e.getCols() + " in " + path);
            }
        }
        if (!mismatches.isEmpty()) {
            throw new CheckpointException("cannot warm-start from " + path + ", shapes differ:\n  " + String.join("\n  ", mismatches));
        }
        for (Parameter p : params.all()) {
            TensorEntry e = entries.get(key(TensorKind.PARAMETER, p.name()));
            if (e != null) {
                readFloats(e, p.value());
                loaded.add(p.name());
            }
        }
        for (EmbeddingTable t : params.tables()) {
            if (entries.containsKey(key(TensorKind.TABLE_VALUES, t.name()))) {
                loadTable(t, false);
                loaded.add(t.name());
            }
        }
        LOG.info("Warm start from {}: loaded {}, fresh {}", path, loaded, fresh);
        return new WarmStartReport(path, List.copyOf(loaded), List.copyOf(fresh));
    }

    /**
     * Loads the weights of an exported model into a model built from the same config: every
     * parameter and table must be present with its shape, and the checkpoint may hold nothing the
     * model lacks (all differences are named at once). Optimizer state is neither needed nor read.
     */
    public void loadWeights(ModelParameters params) {
        List<String> problems = mismatches(params);
        if (!problems.isEmpty()) {
            throw new CheckpointException("weights " + path + " do not match the model:\n  " + String.join("\n  ", problems));
        }
        for (Parameter p : params.all()) {
            readFloats(entries.get(key(TensorKind.PARAMETER, p.name())), p.value());
        }
        for (EmbeddingTable t : params.tables()) {
            loadTable(t, false);
        }
    }

    /** Every difference between the model's parameters and tables and the checkpoint's, in both directions. */
    private List<String> mismatches(ModelParameters params) {
        List<String> problems = new ArrayList<>();
        for (Parameter p : params.all()) {
            TensorEntry e = entries.get(key(TensorKind.PARAMETER, p.name()));
            if (e == null) {
                problems.add("parameter '" + p.name() + "' is not in the checkpoint");
            } else if (e.getRows() != p.rows() || e.getCols() != p.cols()) {
                problems.add("parameter '" + p.name() + "' is " + p.shape() + " in the model, " + e.getRows() + "x" + e.getCols() + " in the checkpoint");
            }
        }
        for (EmbeddingTable t : params.tables()) {
            TensorEntry e = entries.get(key(TensorKind.TABLE_VALUES, t.name()));
            if (e == null) {
                problems.add("embedding table '" + t.name() + "' is not in the checkpoint");
            } else if (e.getCols() != t.dim()) {
                problems.add("embedding table '" + t.name() + "' has dim " + t.dim() + " in the model, " + e.getCols() + " in the checkpoint");
            }
        }
        for (TensorEntry e : manifest.getTensorsList()) {
            boolean known = switch (e.getKind()) {
                case PARAMETER -> params.parameter(e.getName()) != null;
                case TABLE_IDS, TABLE_VALUES, TABLE_STATE -> params.tableNamed(e.getName()) != null;
                case DENSE_STATE -> true;
            };
            if (!known) {
                problems.add(e.getKind() + " '" + e.getName() + "' of the checkpoint is not in the model");
            }
        }
        return problems;
    }

    /** What a warm start loaded and what started fresh. */
    public record WarmStartReport(Path checkpoint, List<String> loaded, List<String> fresh) {}

    private void loadTable(EmbeddingTable table, boolean withState) {
        TensorEntry idEntry = entries.get(key(TensorKind.TABLE_IDS, table.name()));
        TensorEntry valueEntry = entries.get(key(TensorKind.TABLE_VALUES, table.name()));
        long[] ids = new long[(int) idEntry.getRows()];
        ByteBuffer b = tensors.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position((int) idEntry.getOffset());
        b.asLongBuffer().get(ids);
        float[] values = new float[(int) (valueEntry.getRows() * valueEntry.getCols())];
        readFloats(valueEntry, values);
        float[] state = null;
        TensorEntry stateEntry = entries.get(key(TensorKind.TABLE_STATE, table.name()));
        if (withState && stateEntry != null) {
            if (stateEntry.getCols() != table.stateWidth()) {
                throw new CheckpointException("checkpoint " + path + ": table '" + table.name() + "' has optimizer state width "
                        + stateEntry.getCols() + ", the configured optimizer needs " + table.stateWidth());
            }
            state = new float[(int) (stateEntry.getRows() * stateEntry.getCols())];
            readFloats(stateEntry, state);
        }
        table.restore(ids, values, state);
    }

    private void readFloats(TensorEntry e, float[] target) {
        if (target.length != e.getRows() * e.getCols()) {
            throw new CheckpointException("checkpoint " + path + ": '" + e.getName() + "' has " + e.getRows() * e.getCols()
                    + " values, expected " + target.length);
        }
        ByteBuffer b = tensors.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.position((int) e.getOffset());
        b.asFloatBuffer().get(target);
    }

    private static String key(TensorKind kind, String name) {
        return kind + "/" + name;
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

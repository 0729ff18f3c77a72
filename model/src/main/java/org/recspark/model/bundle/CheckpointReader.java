package org.recspark.model.bundle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.proto.checkpoint.CheckpointManifest;
import org.recspark.config.proto.checkpoint.TensorEntry;
import org.recspark.config.proto.checkpoint.TensorKind;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads checkpoints written by the trainer's {@code CheckpointWriter}, verifying the format version, the tensor
 * file's size and SHA-256, and every entry's range before anything is loaded. {@link #restoreParameters}
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

    /**
     * Opens and verifies one checkpoint directory, its manifest by {@value CheckpointFormat#MANIFEST_CHECKSUM}
     * (a checkpoint of a build before that file is read with a warning: runs and daily warm starts
     * continue across an upgrade).
     */
    public static CheckpointReader open(Path checkpoint) {
        return open(checkpoint, false);
    }

    /**
     * Opens the weights of an export bundle, whose own manifest has verified every file of them
     * (bundles of builds before {@value CheckpointFormat#MANIFEST_CHECKSUM} have none to check).
     */
    static CheckpointReader openBundleWeights(Path weights) {
        return open(weights, true);
    }

    private static CheckpointReader open(Path checkpoint, boolean verifiedElsewhere) {
        Path manifestFile = checkpoint.resolve(CheckpointFormat.MANIFEST);
        Path tensorFile = checkpoint.resolve(CheckpointFormat.TENSORS);
        if (!Files.isRegularFile(manifestFile)) {
            throw new CheckpointException(checkpoint + " is not a checkpoint: it has no " + CheckpointFormat.MANIFEST);
        }
        CheckpointManifest manifest;
        byte[] data;
        try {
            byte[] manifestBytes = Files.readAllBytes(manifestFile);
            if (!verifiedElsewhere) {
                verifyManifest(checkpoint, manifestBytes);
            }
            manifest = CheckpointManifest.parseFrom(manifestBytes);
            data = Files.readAllBytes(tensorFile);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new CheckpointException("checkpoint " + checkpoint + " has a corrupt manifest: " + e.getMessage());
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint " + checkpoint + ": " + e);
        }
        if (manifest.getFormatVersion() != CheckpointFormat.FORMAT_VERSION) {
            throw new CheckpointException("checkpoint " + checkpoint + " has format version " + manifest.getFormatVersion()
                    + "; this build reads version " + CheckpointFormat.FORMAT_VERSION);
        }
        if (data.length != manifest.getTensorsBytes()) {
            throw new CheckpointException("checkpoint " + checkpoint + ": " + CheckpointFormat.TENSORS + " has " + data.length
                    + " bytes, the manifest says " + manifest.getTensorsBytes() + " (truncated or replaced)");
        }
        String sha = sha256(data);
        if (!sha.equals(manifest.getTensorsSha256())) {
            throw new CheckpointException("checkpoint " + checkpoint + ": " + CheckpointFormat.TENSORS + " has SHA-256 " + sha
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

    private static void verifyManifest(Path checkpoint, byte[] manifestBytes) throws IOException {
        Path checksumFile = checkpoint.resolve(CheckpointFormat.MANIFEST_CHECKSUM);
        if (!Files.isRegularFile(checksumFile)) {
            LOG.warn("Checkpoint {} has no {} (written by an earlier build): its {} is read unverified", checkpoint,
                    CheckpointFormat.MANIFEST_CHECKSUM, CheckpointFormat.MANIFEST);
            return;
        }
        String[] fields = Files.readString(checksumFile, StandardCharsets.UTF_8).trim().split("\\s+");
        if (fields.length != 2 || !fields[0].matches("[0-9a-f]{64}") || !fields[1].equals(CheckpointFormat.MANIFEST)) {
            throw new CheckpointException("checkpoint " + checkpoint + ": " + CheckpointFormat.MANIFEST_CHECKSUM
                    + " is malformed: expected '<64 hex digits>  " + CheckpointFormat.MANIFEST + "'");
        }
        String actual = sha256(manifestBytes);
        if (!actual.equals(fields[0])) {
            throw new CheckpointException("checkpoint " + checkpoint + ": " + CheckpointFormat.MANIFEST + " has SHA-256 " + actual
                    + ", " + CheckpointFormat.MANIFEST_CHECKSUM + " says " + fields[0] + " (corrupted)");
        }
    }

    public Path path() {
        return path;
    }

    public CheckpointManifest manifest() {
        return manifest;
    }

    /**
     * Loads every parameter, buffer and table with its optimizer state, for continuing a run exactly:
     * the checkpoint and the model must match in both directions (all differences named at once).
     * The dense optimizer's state is {@link #denseOptimizerState()}.
     */
    public void restoreParameters(ModelParameters params) {
        List<String> problems = mismatches(params);
        if (!problems.isEmpty()) {
            throw new CheckpointException("checkpoint " + path + " does not match the model:\n  " + String.join("\n  ", problems));
        }
        for (Parameter p : params.all()) {
            readFloats(entries.get(key(TensorKind.PARAMETER, p.name())), p.value());
        }
        for (EmbeddingTable t : params.tables()) {
            loadTable(t, true);
        }
    }

    /** The dense optimizer's state by name, in the checkpoint's order. */
    public Map<String, float[]> denseOptimizerState() {
        Map<String, float[]> denseState = new LinkedHashMap<>();
        for (TensorEntry e : manifest.getTensorsList()) {
            if (e.getKind() == TensorKind.DENSE_STATE) {
                float[] v = new float[(int) (e.getRows() * e.getCols())];
                readFloats(e, v);
                denseState.put(e.getName(), v);
            }
        }
        return denseState;
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

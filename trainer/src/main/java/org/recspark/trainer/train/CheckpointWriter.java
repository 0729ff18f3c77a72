package org.recspark.trainer.train;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.recspark.config.proto.checkpoint.CheckpointManifest;
import org.recspark.config.proto.checkpoint.TensorEntry;
import org.recspark.config.proto.checkpoint.TensorKind;
import org.recspark.model.bundle.CheckpointFormat;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.nn.Parameter;
import org.recspark.storage.CommittedDirectory;
import org.recspark.storage.PathTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes checkpoints under {@code <dir>/ckpt-<step>}: a tensor file (little-endian floats and longs)
 * and a protobuf manifest naming every tensor with its shape and byte range and the file's SHA-256.
 * Both are committed with {@link CommittedDirectory} (staged and renamed, or marked complete on
 * object stores), so a crash leaves either a complete checkpoint or none a reader would take. Every
 * checkpoint records the run that wrote it ({@link RunRecord}); only the newest {@code keep} of this
 * run are kept, and other runs' checkpoints are never pruned.
 */
public final class CheckpointWriter {
    static final String PREFIX = "ckpt-";
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);

    private final Path dir;
    private final int keep;
    private final String modelType;
    private final String pipelineConfig;
    private final String runId;

    /**
     * @param pipelineConfig the config in text format, stored for reference and for warm starts
     * @param runId          the run the checkpoints belong to ({@link RunRecord#runId()})
     */
    public CheckpointWriter(Path dir, int keep, String modelType, String pipelineConfig, String runId) {
        this.dir = dir;
        this.keep = keep;
        this.modelType = modelType;
        this.pipelineConfig = pipelineConfig;
        this.runId = runId;
    }

    public String runId() {
        return runId;
    }

    public Path directory() {
        return dir;
    }

    /** Writes the trainer's full state; returns the checkpoint's directory. */
    public Path write(Trainer trainer) {
        TrainingState state = trainer.state();
        Path target = dir.resolve(PREFIX + state.globalStep());
        try {
            CommittedDirectory write = CommittedDirectory.begin(target);
            long bytes;
            try {
                bytes = writeInto(write.staging(), trainer, true, modelType, pipelineConfig, runId);
                write.commit();
            } catch (IOException | RuntimeException e) {
                write.abandon();
                throw e;
            }
            LOG.info("Wrote checkpoint {} ({} bytes)", target, bytes);
            prune();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target, e);
        }
    }

    /**
     * Writes the trainer's weights (parameters, buffers, embedding rows; no optimizer state) as a
     * checkpoint into an existing empty directory, which the caller publishes atomically (an export
     * bundle's staging directory). Returns the tensor file's size.
     *
     * @param runId the run that trained the weights, or empty
     */
    public static long writeWeights(Path target, Trainer trainer, String modelType, String pipelineConfig, String runId)
            throws IOException {
        return writeInto(target, trainer, false, modelType, pipelineConfig, runId);
    }

    private static long writeInto(Path target, Trainer trainer, boolean optimizerState, String modelType, String pipelineConfig,
                                  String runId) throws IOException {
        TrainingState state = trainer.state();
        CheckpointManifest.Builder manifest = CheckpointManifest.newBuilder()
                .setFormatVersion(CheckpointFormat.FORMAT_VERSION)
                .setGlobalStep(state.globalStep())
                .setEpoch(state.epoch())
                .setBatchInEpoch(state.batchInEpoch())
                .setSamplesSeen(state.samplesSeen())
                .setModelType(modelType)
                .setPipelineConfig(pipelineConfig)
                .setDenseOptimizerSteps(trainer.denseOptimizer().steps())
                .setSparseOptimizerSteps(trainer.sparseOptimizer().steps())
                .setCreatedUnixMillis(System.currentTimeMillis())
                .setRunId(runId);
        MessageDigest sha = sha256();
        long bytes;
        try (OutputStream file = Files.newOutputStream(target.resolve(CheckpointFormat.TENSORS));
             DigestOutputStream digest = new DigestOutputStream(new BufferedOutputStream(file, 1 << 16), sha);
             TensorSink sink = new TensorSink(digest, manifest)) {
            for (Parameter p : trainer.parameters().all()) {
                sink.floats(p.name(), TensorKind.PARAMETER, p.rows(), p.cols(), p.value());
            }
            if (optimizerState) {
                for (Map.Entry<String, float[]> e : trainer.denseOptimizer().stateByName().entrySet()) {
                    sink.floats(e.getKey(), TensorKind.DENSE_STATE, 1, e.getValue().length, e.getValue());
                }
            }
            for (EmbeddingTable table : trainer.parameters().tables()) {
                long[] ids = table.ids();
                sink.longs(table.name(), TensorKind.TABLE_IDS, ids);
                sink.floats(table.name(), TensorKind.TABLE_VALUES, ids.length, table.dim(), table.valuesInSlotOrder());
                float[] tableState = optimizerState ? table.stateInSlotOrder() : null;
                if (tableState != null) {
                    sink.floats(table.name(), TensorKind.TABLE_STATE, ids.length, table.stateWidth(), tableState);
                }
            }
            bytes = sink.position();
        }
        manifest.setTensorsSha256(HexFormat.of().formatHex(sha.digest())).setTensorsBytes(bytes);
        byte[] manifestBytes = manifest.build().toByteArray();
        Files.write(target.resolve(CheckpointFormat.MANIFEST), manifestBytes);
        Files.writeString(target.resolve(CheckpointFormat.MANIFEST_CHECKSUM),
                HexFormat.of().formatHex(sha256().digest(manifestBytes)) + "  " + CheckpointFormat.MANIFEST + "\n", StandardCharsets.UTF_8);
        return bytes;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void prune() throws IOException {
        List<Path> ours = CheckpointLocator.list(dir, runId);
        for (int i = 0; i < ours.size() - keep; i++) {
            deleteRecursively(ours.get(i));
            LOG.info("Pruned checkpoint {} of run {}", ours.get(i), runId);
        }
    }

    /** Deletes a directory tree (a stale checkpoint or export). */
    public static void deleteRecursively(Path path) throws IOException {
        PathTrees.deleteRecursively(path);
    }

    /** Appends tensors to the file and their entries to the manifest. */
    private static final class TensorSink implements AutoCloseable {
        private final DataOutputStream out;
        private final CheckpointManifest.Builder manifest;
        private long position;

        TensorSink(OutputStream out, CheckpointManifest.Builder manifest) {
            this.out = new DataOutputStream(out);
            this.manifest = manifest;
        }

        long position() {
            return position;
        }

        void floats(String name, TensorKind kind, long rows, long cols, float[] values) throws IOException {
            long length = 4L * values.length;
            manifest.addTensors(TensorEntry.newBuilder().setName(name).setKind(kind).setRows(rows).setCols(cols)
                    .setOffset(position).setLength(length));
            for (float v : values) {
                out.writeInt(Integer.reverseBytes(Float.floatToRawIntBits(v)));
            }
            position += length;
        }

        void longs(String name, TensorKind kind, long[] values) throws IOException {
            long length = 8L * values.length;
            manifest.addTensors(TensorEntry.newBuilder().setName(name).setKind(kind).setRows(values.length).setCols(1)
                    .setOffset(position).setLength(length));
            for (long v : values) {
                out.writeLong(Long.reverseBytes(v));
            }
            position += length;
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}

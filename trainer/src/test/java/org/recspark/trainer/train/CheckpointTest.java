package org.recspark.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.checkpoint.CheckpointManifest;
import org.recspark.features.FeatureGenerator;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.bundle.CheckpointException;
import org.recspark.model.bundle.CheckpointFormat;
import org.recspark.model.bundle.CheckpointReader;
import org.recspark.model.data.Examples;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;

class CheckpointTest {
    /** DeepFM with dropout and batch norm, so the test covers random state and buffers. */
    private static final String MODEL = """
            model_config {
              feature_groups { name: "all" features: ["user", "item", "tags", "price"] }
              deepfm { dnn { hidden_units: [16, 8] dropout: 0.2 batch_norm: true } }
            }
            train_config {
              batch_size: 64
              num_epochs: 5
              max_steps: %d
              seed: 7
              dense_optimizer { adam {} learning_rate { initial: 0.01 warmup_steps: 3 cosine_decay { decay_steps: 50 } } }
              sparse_optimizer { %s {} learning_rate { initial: 0.02 } }
              checkpoint { keep: 2 }
            }
            """;

    @TempDir
    Path dir;

    private static PipelineConfig config(long maxSteps, String sparseOptimizer) {
        return RandomExamples.config(MODEL.formatted(maxSteps, sparseOptimizer));
    }

    private static Trainer trainer(PipelineConfig config) {
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), Path.of("."));
        ModelParameters params = new ModelParameters(config.getTrainConfig().getSeed());
        Model model = ModelFactory.create(new ModelContext(config, generator.schema(), params));
        return new Trainer(config.getTrainConfig(), model, params, 1);
    }

    private static CheckpointWriter writer(Path dir, PipelineConfig config) {
        return new CheckpointWriter(dir, config.getTrainConfig().getCheckpoint().getKeep(), "deepfm", config.toString(), "checkpoint-test");
    }

    @Test
    void restoringAtStepNThenTrainingNMoreEqualsTraining2NStraight() {
        for (String optimizer : List.of("adam", "lazy_adam", "adagrad", "ftrl", "sgd")) {
            // 20 steps of 64 rows over 500 rows cross an epoch boundary (8 batches per epoch)
            PipelineConfig straightConfig = config(20, optimizer);
            Examples data = RandomExamples.generate(straightConfig, 500, 1);
            Trainer straight = trainer(straightConfig);
            straight.fit(data, null);

            PipelineConfig halfConfig = config(11, optimizer);
            Trainer first = trainer(halfConfig);
            first.fit(data, null);
            Path checkpoint = writer(dir.resolve(optimizer), halfConfig).write(first);

            Trainer resumed = trainer(straightConfig);
            resumed.restore(CheckpointReader.open(checkpoint));
            assertEquals(11, resumed.state().globalStep());
            resumed.fit(data, null);

            assertEquals(straight.state().globalStep(), resumed.state().globalStep());
            assertSameWeights(straight.parameters(), resumed.parameters(), optimizer);
            straight.close();
            first.close();
            resumed.close();
        }
    }

    private static void assertSameWeights(ModelParameters expected, ModelParameters actual, String context) {
        for (Parameter p : expected.all()) {
            assertArrayEquals(p.value(), actual.parameter(p.name()).value(), context + ": parameter " + p.name());
        }
        for (EmbeddingTable t : expected.tables()) {
            EmbeddingTable other = actual.tableNamed(t.name());
            assertEquals(t.size(), other.size(), context + ": rows of " + t.name());
            float[] a = new float[t.dim()];
            float[] b = new float[t.dim()];
            for (long id : t.ids()) {
                t.read(id, a, 0);
                other.read(id, b, 0);
                assertArrayEquals(a, b, context + ": row " + id + " of " + t.name());
            }
        }
    }

    @Test
    void checkpointsAreWrittenAtomicallyAndPruned() throws IOException {
        PipelineConfig config = config(0, "adam");
        Examples data = RandomExamples.generate(config, 200, 2);
        Trainer trainer = trainer(config);
        CheckpointWriter writer = writer(dir, config);
        trainer.withCheckpoints(writer).fit(data, null);
        // one checkpoint per epoch (every_steps 0), 5 epochs, keep 2
        List<Path> kept = CheckpointLocator.list(dir);
        assertEquals(List.of(dir.resolve("ckpt-16"), dir.resolve("ckpt-20")), kept);
        Files.createDirectories(dir.resolve(".tmp-ckpt-24-123"));
        Files.createDirectories(dir.resolve("ckpt-24"));
        assertEquals(kept, CheckpointLocator.list(dir), "incomplete and temporary directories are not checkpoints");
        assertEquals(dir.resolve("ckpt-20"), CheckpointLocator.resolve(dir).path());
        trainer.close();
    }

    @Test
    void pruningAndWarmStartResolutionConsiderOneRunOnly() throws IOException {
        Path runDir = dir.resolve("run");
        Path checkpoints = runDir.resolve("checkpoints");
        PipelineConfig config = config(0, "adam");
        Examples data = RandomExamples.generate(config, 200, 2);
        try (Trainer old = trainer(config)) {
            old.withCheckpoints(new CheckpointWriter(checkpoints, 2, "deepfm", config.toString(), "old-run")).fit(data, null);
        }
        PipelineConfig shorter = config(10, "adam");
        try (Trainer next = trainer(shorter)) {
            // one checkpoint per epoch of 4 steps: 4 and 8; keep 1 prunes 4, and never the other run's 16 and 20
            next.withCheckpoints(new CheckpointWriter(checkpoints, 1, "deepfm", shorter.toString(), "new-run")).fit(data, null);
        }
        assertEquals(List.of(checkpoints.resolve("ckpt-8"), checkpoints.resolve("ckpt-16"), checkpoints.resolve("ckpt-20")),
                CheckpointLocator.list(checkpoints));
        assertEquals(List.of(checkpoints.resolve("ckpt-16"), checkpoints.resolve("ckpt-20")), CheckpointLocator.list(checkpoints, "old-run"));

        assertEquals(checkpoints.resolve("ckpt-8"), CheckpointLocator.resolve(runDir).path(),
                "without a run record, the run of the checkpoint created last, not the highest step");
        new RunRecord("old-run", 0, ConfigFingerprint.of(config)).write(runDir);
        assertEquals(checkpoints.resolve("ckpt-20"), CheckpointLocator.resolve(runDir).path(), "the run the record names");
        assertEquals(checkpoints.resolve("ckpt-20"), CheckpointLocator.resolve(checkpoints).path());
        new RunRecord("gone-run", 0, ConfigFingerprint.of(config)).write(runDir);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointLocator.resolve(runDir));
        assertTrue(e.getMessage().contains("no complete checkpoint of run gone-run"), e.getMessage());
    }

    @Test
    void corruptedTruncatedOrUnknownCheckpointsAreRefused() throws IOException {
        PipelineConfig config = config(3, "adam");
        Trainer trainer = trainer(config);
        trainer.fit(RandomExamples.generate(config, 200, 3), null);
        Path ckpt = writer(dir, config).write(trainer);
        Path tensors = ckpt.resolve(CheckpointFormat.TENSORS);
        byte[] original = Files.readAllBytes(tensors);

        try (RandomAccessFile f = new RandomAccessFile(tensors.toFile(), "rw")) {
            f.seek(original.length / 2);
            f.write(original[original.length / 2] ^ 0x40);
        }
        CheckpointException corrupted = assertThrows(CheckpointException.class, () -> CheckpointReader.open(ckpt));
        assertTrue(corrupted.getMessage().contains("SHA-256"), corrupted.getMessage());

        Files.write(tensors, java.util.Arrays.copyOf(original, original.length - 4));
        CheckpointException truncated = assertThrows(CheckpointException.class, () -> CheckpointReader.open(ckpt));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());

        Files.write(tensors, original);
        Path manifest = ckpt.resolve(CheckpointFormat.MANIFEST);
        CheckpointManifest m = CheckpointManifest.parseFrom(Files.readAllBytes(manifest));
        // a step moved on by a flipped bit parses as well as the real one: only the manifest's checksum tells
        Files.write(manifest, m.toBuilder().setGlobalStep(m.getGlobalStep() ^ 2).build().toByteArray());
        CheckpointException flipped = assertThrows(CheckpointException.class, () -> CheckpointReader.open(ckpt));
        assertTrue(flipped.getMessage().startsWith("checkpoint " + ckpt + ": manifest.pb has SHA-256 "), flipped.getMessage());
        assertTrue(flipped.getMessage().endsWith("(corrupted)"), flipped.getMessage());

        // a checkpoint of a build before manifest.pb.sha256 is still read, with the manifest's own checks
        Files.delete(ckpt.resolve(CheckpointFormat.MANIFEST_CHECKSUM));
        Files.write(manifest, m.toBuilder().setFormatVersion(99).build().toByteArray());
        CheckpointException version = assertThrows(CheckpointException.class, () -> CheckpointReader.open(ckpt));
        assertTrue(version.getMessage().contains("format version 99"), version.getMessage());

        Files.write(manifest, new byte[]{1, 2, 3, 4, 5});
        CheckpointException garbage = assertThrows(CheckpointException.class, () -> CheckpointReader.open(ckpt));
        assertTrue(garbage.getMessage().contains("corrupt manifest"), garbage.getMessage());

        CheckpointException none = assertThrows(CheckpointException.class, () -> CheckpointReader.open(dir));
        assertTrue(none.getMessage().contains("is not a checkpoint"), none.getMessage());
        trainer.close();
    }

    @Test
    void warmStartLoadsMatchingStateAndStartsNewFeaturesFresh() {
        PipelineConfig oldConfig = config(10, "adam");
        Trainer yesterday = trainer(oldConfig);
        yesterday.fit(RandomExamples.generate(oldConfig, 300, 4), null);
        Path ckpt = writer(dir, oldConfig).write(yesterday);

        // today's model is Wide & Deep over the same features: the embeddings (and DeepFM's
        // first-order weights, which the wide group reuses) carry over, the new layers start fresh
        PipelineConfig newConfig = RandomExamples.config("""
                model_config {
                  feature_groups { name: "all" features: ["user", "item", "tags", "price"] }
                  feature_groups { name: "extra" features: ["tags"] type: WIDE }
                  wide_and_deep { wide_groups: ["extra"] deep_groups: ["all"] dnn { hidden_units: [16, 8] dropout: 0.2 batch_norm: true } }
                }
                train_config { seed: 8 }
                """);
        FeatureGenerator generator = FeatureGenerator.compile(newConfig.getFeatureConfig(), Path.of("."));
        ModelParameters params = new ModelParameters(8);
        ModelFactory.create(new ModelContext(newConfig, generator.schema(), params));
        CheckpointReader.WarmStartReport report = CheckpointReader.open(ckpt).warmStart(params);
        assertTrue(report.loaded().contains("user"), report.toString());
        assertTrue(report.loaded().contains("tags/wide"), report.toString());
        assertTrue(report.fresh().contains("wide_and_deep/output/weight"), report.toString());
        assertFalse(report.loaded().contains("deepfm/dnn/0/weight"), report.toString());
        EmbeddingTable user = params.tableNamed("user");
        EmbeddingTable oldUser = yesterday.parameters().tableNamed("user");
        assertEquals(oldUser.size(), user.size());
        float[] a = new float[8];
        float[] b = new float[8];
        for (long id : oldUser.ids()) {
            oldUser.read(id, a, 0);
            user.read(id, b, 0);
            assertArrayEquals(a, b, "row " + id + " of the warm-started user table");
        }

        // a layer whose width changed is named, with both shapes
        PipelineConfig wider = RandomExamples.config(MODEL.formatted(10, "adam").replace("hidden_units: [16, 8]", "hidden_units: [32, 8]"));
        ModelParameters widerParams = new ModelParameters(7);
        ModelFactory.create(new ModelContext(wider, generator.schema(), widerParams));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointReader.open(ckpt).warmStart(widerParams));
        assertTrue(e.getMessage().contains("parameter 'deepfm/dnn/0/weight': 25x32 in the model, 25x16"), e.getMessage());
        assertTrue(e.getMessage().contains("deepfm/dnn/1/weight"), e.getMessage());
        yesterday.close();
    }

    @Test
    void exactRestoreRefusesAModelThatDiffers() {
        PipelineConfig config = config(3, "adam");
        Trainer trainer = trainer(config);
        trainer.fit(RandomExamples.generate(config, 200, 5), null);
        Path ckpt = writer(dir, config).write(trainer);
        PipelineConfig wider = RandomExamples.config(MODEL.formatted(3, "adam").replace("hidden_units: [16, 8]", "hidden_units: [16, 4]"));
        Trainer other = trainer(wider);
        CheckpointException e = assertThrows(CheckpointException.class, () -> other.restore(CheckpointReader.open(ckpt)));
        assertTrue(e.getMessage().contains("parameter 'deepfm/dnn/1/weight' is 16x4 in the model, 16x8 in the checkpoint"), e.getMessage());
        trainer.close();
        other.close();
    }
}

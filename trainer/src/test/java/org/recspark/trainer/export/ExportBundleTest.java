package org.recspark.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.export.ExportManifest;
import org.recspark.features.FeatureGenerator;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.model.bundle.ExportException;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.ModelParameters;
import org.recspark.trainer.model.ZooConfigs;
import org.recspark.trainer.model.ZooFixture;
import org.recspark.trainer.train.Trainer;

class ExportBundleTest {
    /** The hour feature reads its vocabulary from a file, which the bundle must carry. */
    private static final String HOURS_FROM_FILE = "vocab_list: [\"morning\", \"noon\", \"evening\", \"night\"] } embedding_dim: 8 }";

    @TempDir
    static Path dir;
    private static Path configDir;
    private static PipelineConfig config;
    private static Trainer trainer;
    private static Examples test;
    private static Path bundle;

    @BeforeAll
    static void trainAndExport() throws IOException {
        configDir = dir.resolve("config");
        Files.createDirectories(configDir);
        Files.writeString(configDir.resolve("hours.txt"), "morning\nnoon\nevening\nnight\n");
        String text = ZooFixture.pipelineText(ZooConfigs.DEEPFM, ZooFixture.trainConfig(128, 1));
        String withFile = text.replaceFirst(java.util.regex.Pattern.quote(HOURS_FROM_FILE), "vocab_file: \"hours.txt\" } embedding_dim: 8 }");
        assertTrue(!withFile.equals(text), "the fixture's hour feature changed; update HOURS_FROM_FILE");
        config = org.recspark.config.ConfigParser.parseText(withFile, "export-test.pbtxt");
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), configDir);
        ZooFixture.Data data = ZooFixture.data();
        test = data.test();
        ModelParameters params = new ModelParameters(config.getTrainConfig().getSeed());
        Model model = ModelFactory.create(new ModelContext(config, generator.schema(), params));
        trainer = new Trainer(config.getTrainConfig(), model, params, 1);
        trainer.fit(data.train(), null);
        ModelExporter exporter = new ModelExporter(config, configDir, generator.schema(), model.tasks(), "deepfm");
        bundle = exporter.export(trainer, dir.resolve("export/final"), "final", Map.of("auc", 0.75));
    }

    private static Path copyOfBundle(String name) throws IOException {
        Path copy = dir.resolve("copies").resolve(name);
        try (var walk = Files.walk(bundle)) {
            for (Path p : walk.toList()) {
                Path target = copy.resolve(bundle.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return copy;
    }

    @Test
    void theLoadedModelScoresExactlyAsTheTrainer() throws IOException {
        Path moved = copyOfBundle("moved");
        Files.delete(configDir.resolve("hours.txt"));
        try {
            ExportBundle.LoadedModel loaded = ExportBundle.open(moved).load();
            Map<String, float[]> expected = trainer.predict(test, 512);
            Map<String, float[]> actual = Trainer.predict(loaded.model(), test, 512);
            assertArrayEquals(expected.get("click"), actual.get("click"));
        } finally {
            Files.writeString(configDir.resolve("hours.txt"), "morning\nnoon\nevening\nnight\n");
        }
        ExportManifest m = ExportBundle.open(moved).manifest();
        assertEquals(ExportBundle.FORMAT_VERSION, m.getFormatVersion());
        assertEquals("final", m.getExporter());
        assertEquals(trainer.state().globalStep(), m.getGlobalStep());
        assertEquals(List.of("click"), m.getTasksList());
        assertEquals(0.75, m.getMetricsOrThrow("auc"));
        assertEquals(config.getFeatureConfig().getFeaturesCount(), m.getInputSchemaCount());
        assertTrue(m.getFilesList().stream().anyMatch(f -> f.getPath().equals("vocab/hour.txt")), m.getFilesList().toString());
        assertTrue(m.getPipelineConfig().contains("vocab_file: \"vocab/hour.txt\""));
    }

    @Test
    void aCorruptedWeightFileIsRefused() throws IOException {
        Path copy = copyOfBundle("corrupted");
        Path tensors = copy.resolve("weights/tensors.bin");
        byte[] bytes = Files.readAllBytes(tensors);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(tensors, bytes);
        ExportException e = assertThrows(ExportException.class, () -> ExportBundle.open(copy));
        assertTrue(e.getMessage().contains("weights/tensors.bin: SHA-256") && e.getMessage().contains("(corrupted)"), e.getMessage());
    }

    @Test
    void truncatedMissingAndUnlistedFilesAreAllNamed() throws IOException {
        Path copy = copyOfBundle("damaged");
        Path tensors = copy.resolve("weights/tensors.bin");
        byte[] bytes = Files.readAllBytes(tensors);
        Files.write(tensors, java.util.Arrays.copyOf(bytes, bytes.length - 4));
        Files.delete(copy.resolve("vocab/hour.txt"));
        Files.writeString(copy.resolve("stray.txt"), "?");
        ExportException e = assertThrows(ExportException.class, () -> ExportBundle.open(copy));
        assertTrue(e.getMessage().contains("weights/tensors.bin: " + (bytes.length - 4) + " bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("vocab/hour.txt: missing"), e.getMessage());
        assertTrue(e.getMessage().contains("stray.txt: not listed in the manifest"), e.getMessage());
    }

    @Test
    void unknownFormatVersionsAndCorruptManifestsAreRefused() throws IOException {
        Path copy = copyOfBundle("version");
        Path manifest = copy.resolve(ExportBundle.MANIFEST);
        ExportManifest m = ExportManifest.parseFrom(Files.readAllBytes(manifest));
        ExportBundle.writeManifest(copy, m.toBuilder().setFormatVersion(99).build());
        ExportException e = assertThrows(ExportException.class, () -> ExportBundle.open(copy));
        assertTrue(e.getMessage().contains("format version 99") && e.getMessage().contains("reads version 1"), e.getMessage());

        writeWithChecksum(manifest, new byte[]{0x0a, (byte) 0xff, 0x01});
        e = assertThrows(ExportException.class, () -> ExportBundle.open(copy));
        assertTrue(e.getMessage().contains("corrupt export.pb"), e.getMessage());

        Path empty = dir.resolve("not-a-bundle");
        Files.createDirectories(empty);
        e = assertThrows(ExportException.class, () -> ExportBundle.open(empty));
        assertTrue(e.getMessage().contains("is not an export bundle"), e.getMessage());
    }

    @Test
    void aFlippedBitInTheManifestIsRefusedWithBothChecksums() throws IOException {
        Path copy = copyOfBundle("flipped");
        Path manifest = copy.resolve(ExportBundle.MANIFEST);
        String expected = ExportBundle.sha256(manifest);
        ExportManifest m = ExportManifest.parseFrom(Files.readAllBytes(manifest));
        // The flip of the issue: a bucket count in the bundled config, which still parses and loads.
        String config = m.getPipelineConfig();
        int at = config.indexOf("num_buckets: ") + "num_buckets: ".length();
        byte[] bytes = Files.readAllBytes(manifest);
        int inBytes = indexOf(bytes, config.substring(0, at).getBytes(java.nio.charset.StandardCharsets.UTF_8)) + at;
        bytes[inBytes] ^= 0x01;
        Files.write(manifest, bytes);
        assertTrue(ExportManifest.parseFrom(bytes).getPipelineConfig().length() == config.length(), "the flip keeps the manifest parseable");

        ExportException e = assertThrows(ExportException.class, () -> ExportBundle.open(copy));
        String actual = ExportBundle.sha256(manifest);
        assertTrue(e.getMessage().contains(copy + ": export.pb is corrupted: its SHA-256 is " + actual
                + ", export.pb.sha256 expects " + expected), e.getMessage());
    }

    @Test
    void aBundleWithoutTheManifestChecksumIsRefusedAsExportedByAnOlderBuild() throws IOException {
        Path copy = copyOfBundle("older");
        Files.delete(copy.resolve(ExportBundle.MANIFEST_CHECKSUM));
        ExportException e = assertThrows(ExportException.class, () -> ExportBundle.open(copy));
        assertTrue(e.getMessage().contains("has no export.pb.sha256") && e.getMessage().contains("export the model again"), e.getMessage());

        Files.writeString(copy.resolve(ExportBundle.MANIFEST_CHECKSUM), "not a checksum\n");
        e = assertThrows(ExportException.class, () -> ExportBundle.open(copy));
        assertTrue(e.getMessage().contains("export.pb.sha256 is malformed"), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found in the manifest");
    }

    /** Replaces the manifest's bytes and its checksum alike, to reach the checks behind the checksum. */
    private static void writeWithChecksum(Path manifest, byte[] bytes) throws IOException {
        Files.write(manifest, bytes);
        Files.writeString(manifest.resolveSibling(ExportBundle.MANIFEST_CHECKSUM), ExportBundle.sha256(manifest) + "  export.pb\n");
    }

    @Test
    void aFeatureConfigThatCompilesToAnotherSchemaIsRefusedNamingTheFeature() throws IOException {
        Path copy = copyOfBundle("drift");
        Path manifest = copy.resolve(ExportBundle.MANIFEST);
        ExportManifest m = ExportManifest.parseFrom(Files.readAllBytes(manifest));
        PipelineConfig bundled = org.recspark.config.ConfigParser.parseText(m.getPipelineConfig(), "bundle");
        PipelineConfig.Builder changed = bundled.toBuilder();
        var user = changed.getFeatureConfigBuilder().getFeaturesBuilder(0);
        assertEquals("user_id", user.getName());
        user.getIdBuilder().setNumBuckets(user.getId().getNumBuckets() + 7);
        ExportBundle.writeManifest(copy, m.toBuilder().setPipelineConfig(TextFormat.printer().printToString(changed.build())).build());
        ExportException e = assertThrows(ExportException.class, () -> ExportBundle.open(copy).load());
        assertTrue(e.getMessage().contains("different input schema") && e.getMessage().contains("name: \"user_id\""), e.getMessage());
    }

    @Test
    void reExportingReplacesTheBundleWhole() {
        Path target = dir.resolve("export/replaced");
        ModelExporter exporter = new ModelExporter(config, configDir, FeatureGenerator.compile(config.getFeatureConfig(), configDir).schema(),
                trainer.model().tasks(), "deepfm");
        exporter.export(trainer, target, "latest", Map.of("auc", 0.5));
        exporter.export(trainer, target, "latest", Map.of("auc", 0.6));
        assertEquals(0.6, ExportBundle.open(target).manifest().getMetricsOrThrow("auc"));
        assertTrue(Files.exists(target.resolve(ExportBundle.MANIFEST)));
        try (var siblings = Files.list(target.getParent())) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no staging or old directories left");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

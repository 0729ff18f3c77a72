package org.recspark.model.bundle;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.export.BundleFile;
import org.recspark.config.proto.export.ExportManifest;
import org.recspark.config.proto.export.InputFeature;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.nn.ModelParameters;
import org.recspark.storage.CommittedDirectory;
import org.recspark.storage.PathTrees;

/**
 * An export bundle read back and verified: the manifest's own SHA-256
 * ({@value #MANIFEST_CHECKSUM}), its format version, every listed file's size and SHA-256, and no
 * unlisted files. {@link #load()} then builds the model and the feature
 * generator exactly as they were at export, refusing a feature jar that compiles the bundle's
 * feature config into a different schema.
 */
public final class ExportBundle {
    public static final int FORMAT_VERSION = 1;
    public static final String MANIFEST = "export.pb";
    /** The manifest's SHA-256, written after it: what vouches for the manifest, which vouches for every other file. */
    public static final String MANIFEST_CHECKSUM = MANIFEST + ".sha256";
    public static final String WEIGHTS = "weights";
    public static final String VOCAB = "vocab";

    private final Path dir;
    private final ExportManifest manifest;
    private final PipelineConfig config;

    private ExportBundle(Path dir, ExportManifest manifest, PipelineConfig config) {
        this.dir = dir;
        this.manifest = manifest;
        this.config = config;
    }

    /** Opens and verifies a bundle; any problem fails with the bundle's path and what is wrong. */
    public static ExportBundle open(Path dir) {
        Path manifestFile = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new ExportException(dir + " is not an export bundle: it has no " + MANIFEST);
        }
        if (!CommittedDirectory.isCommitted(dir)) {
            throw new ExportException("export bundle " + dir + " is incomplete: it has no " + CommittedDirectory.MARKER
                    + " marker (its write did not finish)");
        }
        ExportManifest manifest;
        try {
            manifest = ExportManifest.parseFrom(verifiedManifestBytes(dir));
        } catch (InvalidProtocolBufferException e) {
            throw new ExportException("export bundle " + dir + " has a corrupt " + MANIFEST + ": " + e.getMessage());
        } catch (IOException e) {
            throw new ExportException("cannot read export bundle " + dir + ": " + e);
        }
        if (manifest.getFormatVersion() != FORMAT_VERSION) {
            throw new ExportException("export bundle " + dir + " has format version " + manifest.getFormatVersion()
                    + "; this build (" + recsparkVersion() + ") reads version " + FORMAT_VERSION);
        }
        verifyFiles(dir, manifest);
        PipelineConfig config = ConfigParser.parseText(manifest.getPipelineConfig(), dir.resolve(MANIFEST) + " pipeline_config");
        return new ExportBundle(dir, manifest, config);
    }

    /**
     * Writes the manifest and then its checksum ({@value #MANIFEST_CHECKSUM}, in {@code sha256sum}
     * format): the manifest holds every other file's SHA-256, so the checksum covers the whole bundle.
     */
    public static void writeManifest(Path dir, ExportManifest manifest) throws IOException {
        byte[] bytes = manifest.toByteArray();
        Files.write(dir.resolve(MANIFEST), bytes);
        Files.writeString(dir.resolve(MANIFEST_CHECKSUM), sha256(bytes) + "  " + MANIFEST + "\n", StandardCharsets.UTF_8);
    }

    /** The manifest's bytes, once they match the checksum written with them. */
    private static byte[] verifiedManifestBytes(Path dir) throws IOException {
        Path checksumFile = dir.resolve(MANIFEST_CHECKSUM);
        if (!Files.isRegularFile(checksumFile)) {
            throw new ExportException("export bundle " + dir + " has no " + MANIFEST_CHECKSUM + ", so its " + MANIFEST
                    + " cannot be verified: it was exported before manifests were checksummed (or the file was removed); "
                    + "export the model again with this build (train, or a daily run, writes a new bundle)");
        }
        String[] fields = Files.readString(checksumFile, StandardCharsets.UTF_8).trim().split("\\s+");
        if (fields.length != 2 || !fields[0].matches("[0-9a-f]{64}") || !fields[1].equals(MANIFEST)) {
            throw new ExportException("export bundle " + dir + ": " + MANIFEST_CHECKSUM + " is malformed: expected '<64 hex digits>  "
                    + MANIFEST + "'");
        }
        byte[] bytes = Files.readAllBytes(dir.resolve(MANIFEST));
        String actual = sha256(bytes);
        if (!actual.equals(fields[0])) {
            throw new ExportException("export bundle " + dir + ": " + MANIFEST + " is corrupted: its SHA-256 is " + actual + ", "
                    + MANIFEST_CHECKSUM + " expects " + fields[0] + "; export the model again");
        }
        return bytes;
    }

    private static void verifyFiles(Path dir, ExportManifest manifest) {
        List<String> problems = new ArrayList<>();
        List<String> listed = new ArrayList<>();
        for (BundleFile f : manifest.getFilesList()) {
            listed.add(f.getPath());
            Path p = dir.resolve(f.getPath()).normalize();
            if (!p.startsWith(dir.normalize())) {
                problems.add(f.getPath() + ": outside the bundle");
            } else if (!Files.isRegularFile(p)) {
                problems.add(f.getPath() + ": missing");
            } else {
                try {
                    long size = Files.size(p);
                    if (size != f.getBytes()) {
                        problems.add(f.getPath() + ": " + size + " bytes, the manifest says " + f.getBytes() + " (truncated or replaced)");
                    } else {
                        String sha = sha256(p);
                        if (!sha.equals(f.getSha256())) {
                            problems.add(f.getPath() + ": SHA-256 " + sha + ", the manifest says " + f.getSha256() + " (corrupted)");
                        }
                    }
                } catch (IOException e) {
                    problems.add(f.getPath() + ": unreadable (" + e + ")");
                }
            }
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = PathTrees.relativeName(dir, p);
                if (!rel.equals(MANIFEST) && !rel.equals(MANIFEST_CHECKSUM) && !rel.equals(CommittedDirectory.MARKER) && !listed.contains(rel)) {
                    problems.add(rel + ": not listed in the manifest");
                }
            }
        } catch (IOException e) {
            problems.add("cannot list the bundle: " + e);
        }
        if (!problems.isEmpty()) {
            throw new ExportException("export bundle " + dir + " failed verification:\n  " + String.join("\n  ", problems));
        }
    }

    public Path directory() {
        return dir;
    }

    public ExportManifest manifest() {
        return manifest;
    }

    /** The pipeline config the model was trained with, its feature config pointing into the bundle. */
    public PipelineConfig config() {
        return config;
    }

    /**
     * Compiles the bundle's features and builds its model with the exported weights. Every call
     * builds a new, independent model.
     */
    public LoadedModel load() {
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), dir);
        List<InputFeature> compiled = inputSchema(generator.schema());
        if (!compiled.equals(manifest.getInputSchemaList())) {
            throw new ExportException("export bundle " + dir + ": this feature jar compiles the bundle's feature config into a "
                    + "different input schema than the trainer's:\n  " + schemaDifferences(manifest.getInputSchemaList(), compiled));
        }
        ModelParameters params = new ModelParameters(config.getTrainConfig().getSeed());
        Model model = ModelFactory.create(new ModelContext(config, generator.schema(), params));
        List<String> tasks = model.tasks().stream().map(t -> t.name()).toList();
        if (!tasks.equals(manifest.getTasksList())) {
            throw new ExportException("export bundle " + dir + ": the model's tasks are " + tasks + ", the manifest says " + manifest.getTasksList());
        }
        CheckpointReader.openBundleWeights(dir.resolve(WEIGHTS)).loadWeights(params);
        return new LoadedModel(config, generator, model, params);
    }

    /** The schema as the bundle records it, to be compared with what a predictor's feature jar compiles. */
    public static List<InputFeature> inputSchema(FeatureSchema schema) {
        List<InputFeature> out = new ArrayList<>();
        for (FeatureSpec s : schema.features()) {
            out.add(InputFeature.newBuilder().setName(s.name()).setType(s.type().name().toLowerCase(java.util.Locale.ROOT))
                    .addAllInputs(s.inputs()).setPerItem(s.perItem()).setSparse(s.sparse()).setWeighted(s.weighted())
                    .setIdSpaceSize(s.idSpaceSize()).setDenseDim(s.denseDim()).setEmbeddingDim(s.embeddingDim())
                    .setEmbeddingTable(s.sparse() ? s.embeddingTable() : "").setIdOffset(s.idOffset()).build());
        }
        return out;
    }

    private static String schemaDifferences(List<InputFeature> expected, List<InputFeature> actual) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            InputFeature e = i < expected.size() ? expected.get(i) : null;
            InputFeature a = i < actual.size() ? actual.get(i) : null;
            if (e == null || a == null || !e.equals(a)) {
                out.add("feature " + i + ": bundle " + (e == null ? "none" : e.toString().replace('\n', ' ').trim())
                        + " / compiled " + (a == null ? "none" : a.toString().replace('\n', ' ').trim()));
            }
        }
        return String.join("\n  ", out);
    }

    /** A model built from a bundle, ready to score. */
    public record LoadedModel(PipelineConfig config, FeatureGenerator generator, Model model, ModelParameters parameters) {}

    public static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256Digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256Digest().digest(bytes));
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** This build's version (from the model jar's resources). */
    public static String recsparkVersion() {
        try (InputStream in = ExportBundle.class.getResourceAsStream("/org/recspark/model/recspark-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

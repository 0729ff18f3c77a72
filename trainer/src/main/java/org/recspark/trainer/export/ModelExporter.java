package org.recspark.trainer.export;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.recspark.config.feature.FeatureType;
import org.recspark.config.feature.FeatureTypes;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.export.BundleFile;
import org.recspark.config.proto.export.ExportManifest;
import org.recspark.features.FeatureSchema;
import org.recspark.model.TaskSpec;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.storage.CommittedDirectory;
import org.recspark.storage.Locations;
import org.recspark.storage.PathTrees;
import org.recspark.trainer.train.CheckpointWriter;
import org.recspark.trainer.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes export bundles: a directory with the manifest ({@value ExportBundle#MANIFEST}), the
 * model's weights (a checkpoint without optimizer state, under {@value ExportBundle#WEIGHTS}/) and
 * copies of the feature config's vocabulary files (under {@value ExportBundle#VOCAB}/, the bundle's
 * feature config pointing at them), so a bundle scores on any machine with nothing else. The
 * bundle is staged in a temporary sibling directory and renamed into place, and the manifest lists
 * every file's size and SHA-256, so a crash never leaves a bundle that loads.
 */
public final class ModelExporter {
    private static final Logger LOG = LoggerFactory.getLogger(ModelExporter.class);

    private final PipelineConfig config;
    private final Path configDir;
    private final FeatureSchema schema;
    private final List<TaskSpec> tasks;
    private final String modelType;
    private final String runId;

    /**
     * An exporter outside a training run: its bundles record no run id.
     *
     * @param configDir the directory the config's relative vocabulary paths are resolved against
     */
    public ModelExporter(PipelineConfig config, Path configDir, FeatureSchema schema, List<TaskSpec> tasks, String modelType) {
        this(config, configDir, schema, tasks, modelType, "");
    }

    /**
     * @param configDir the directory the config's relative vocabulary paths are resolved against
     * @param runId     the training run whose weights are exported, recorded in every bundle's manifest
     */
    public ModelExporter(PipelineConfig config, Path configDir, FeatureSchema schema, List<TaskSpec> tasks, String modelType,
                         String runId) {
        this.config = config;
        this.configDir = configDir;
        this.schema = schema;
        this.tasks = List.copyOf(tasks);
        this.modelType = modelType;
        this.runId = runId;
    }

    /**
     * Exports the trainer's current weights to {@code target}, replacing a bundle already there.
     *
     * @param exporter which exporter wrote it (final, latest, best), recorded in the manifest
     * @param metrics  the evaluation metrics at this step
     */
    public Path export(Trainer trainer, Path target, String exporter, Map<String, Double> metrics) {
        try {
            CommittedDirectory write = CommittedDirectory.begin(target);
            Path staging = write.staging();
            try {
                FeatureConfig bundledFeatures = copyVocabularies(staging);
                PipelineConfig bundledConfig = config.toBuilder().setFeatureConfig(bundledFeatures).build();
                String configText = TextFormat.printer().printToString(bundledConfig);
                Path weights = staging.resolve(ExportBundle.WEIGHTS);
                Files.createDirectory(weights);
                CheckpointWriter.writeWeights(weights, trainer, modelType, configText, runId);
                ExportManifest.Builder manifest = ExportManifest.newBuilder()
                        .setFormatVersion(ExportBundle.FORMAT_VERSION)
                        .setExporter(exporter)
                        .setGlobalStep(trainer.state().globalStep())
                        .setEpoch(trainer.state().epoch())
                        .setCreatedUnixMillis(System.currentTimeMillis())
                        .setRecsparkVersion(ExportBundle.recsparkVersion())
                        .setJavaVersion(System.getProperty("java.version"))
                        .setModelType(modelType)
                        .setRunId(runId)
                        .setPipelineConfig(configText)
                        .addAllInputSchema(ExportBundle.inputSchema(schema))
                        .putAllMetrics(metrics);
                tasks.forEach(t -> manifest.addTasks(t.name()));
                manifest.addAllFiles(describeFiles(staging));
                ExportBundle.writeManifest(staging, manifest.build());
                write.commit();
            } catch (IOException | RuntimeException e) {
                write.abandon();
                throw e;
            }
            LOG.info("Exported the model at step {} ({}) to {}", trainer.state().globalStep(), exporter, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export the model to " + target, e);
        }
    }

    /** Copies every vocabulary file into the bundle and returns the feature config that points at the copies. */
    private FeatureConfig copyVocabularies(Path staging) throws IOException {
        FeatureConfig.Builder features = config.getFeatureConfig().toBuilder();
        for (int i = 0; i < features.getFeaturesCount(); i++) {
            Feature feature = features.getFeatures(i);
            FeatureType type = FeatureTypes.of(feature);
            Optional<String> file = type.vocabularyFile(feature);
            if (file.isPresent()) {
                features.setFeatures(i, type.withVocabularyFile(feature, copyVocabulary(staging, feature.getName(), file.get())));
            }
        }
        return features.build();
    }

    private String copyVocabulary(Path staging, String feature, String file) throws IOException {
        Path source = Locations.resolve(configDir, file);
        if (!Files.isRegularFile(source)) {
            throw new IOException("feature '" + feature + "': vocabulary file " + source + " does not exist");
        }
        Path dir = staging.resolve(ExportBundle.VOCAB);
        Files.createDirectories(dir);
        String relative = ExportBundle.VOCAB + "/" + feature + ".txt";
        Files.copy(source, staging.resolve(relative));
        return relative;
    }

    private static List<BundleFile> describeFiles(Path staging) throws IOException {
        List<BundleFile> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(staging)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                files.add(BundleFile.newBuilder().setPath(PathTrees.relativeName(staging, p))
                        .setBytes(Files.size(p)).setSha256(ExportBundle.sha256(p)).build());
            }
        }
        return files;
    }
}

package org.recspark.trainer.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.recspark.config.proto.Direction;
import org.recspark.config.proto.ExportConfig;
import org.recspark.config.proto.Exporter;
import org.recspark.config.proto.ExporterType;
import org.recspark.config.proto.MetricTarget;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.storage.CommittedDirectory;
import org.recspark.trainer.export.ModelExporter;
import org.recspark.trainer.train.CheckpointWriter;
import org.recspark.trainer.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which bundles a run writes and keeps, per {@code export_config.exporters}: latest keeps the
 * newest {@code keep} in {@code <run>/export/latest/step-N}, best the {@code keep} best by the
 * ranking metric in {@code <run>/export/best/step-N}, final the final weights in
 * {@code <run>/export/final}. A resumed run takes over its own exports (by the run id in their
 * manifest) and leaves other runs' alone. Not thread-safe: the training loop calls it from one
 * thread.
 */
final class ExportPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(ExportPolicy.class);

    private final ExportConfig exportConfig;
    private final ModelExporter exporter;
    private final Path exportDir;
    private final MetricTarget rankingMetric;
    private final List<PeriodicEvaluator.Export> latest = new ArrayList<>();
    private final List<PeriodicEvaluator.Export> best = new ArrayList<>();

    /**
     * @param defaultMetric the metric that ranks exports when neither {@code best_metric} nor an
     *                      early-stopping target is configured (maximised)
     */
    ExportPolicy(ExportConfig exportConfig, ModelExporter exporter, Path runDir, String defaultMetric) {
        this.exportConfig = exportConfig;
        this.exporter = exporter;
        this.exportDir = runDir.resolve("export");
        this.rankingMetric = rankingMetric(exportConfig, defaultMetric);
    }

    /**
     * The metric that ranks exports: export_config.best_metric, else the early-stopping target,
     * else the default metric, maximised.
     */
    static MetricTarget rankingMetric(ExportConfig exportConfig, String defaultMetric) {
        if (exportConfig.hasBestMetric()) {
            return exportConfig.getBestMetric();
        }
        if (exportConfig.hasEarlyStop()) {
            return exportConfig.getEarlyStop().getTarget();
        }
        return MetricTarget.newBuilder().setMetric(defaultMetric).setDirection(Direction.MAXIMIZE).build();
    }

    MetricTarget rankingMetric() {
        return rankingMetric;
    }

    /** Whether {@code candidate} ranks above {@code incumbent} (null: nothing yet); a NaN never does. */
    boolean ranksAbove(PeriodicEvaluator.Evaluation candidate, PeriodicEvaluator.Evaluation incumbent) {
        return incumbent == null || isBetter(candidate.value(rankingMetric), incumbent.value(rankingMetric));
    }

    /** Runs the latest and best exporters on the weights just evaluated. */
    void afterEvaluation(Trainer trainer, PeriodicEvaluator.Evaluation evaluation) {
        for (Exporter e : exportConfig.getExportersList()) {
            switch (e.getType()) {
                case LATEST -> {
                    Path target = exportDir.resolve("latest").resolve("step-" + evaluation.step());
                    exporter.export(trainer, target, "latest", evaluation.metrics());
                    latest.add(new PeriodicEvaluator.Export("latest", target, evaluation.step(), evaluation.value(rankingMetric)));
                    while (latest.size() > e.getKeep()) {
                        delete(latest.remove(0));
                    }
                }
                case BEST -> {
                    double value = evaluation.value(rankingMetric);
                    if (Double.isNaN(value)) {
                        LOG.warn("best exporter: {} is NaN at step {}; not a candidate", rankingMetric.getMetric(), evaluation.step());
                        break;
                    }
                    boolean better = best.size() < e.getKeep() || isBetter(value, best.get(best.size() - 1).metric());
                    if (better) {
                        Path target = exportDir.resolve("best").resolve("step-" + evaluation.step());
                        exporter.export(trainer, target, "best", evaluation.metrics());
                        best.add(new PeriodicEvaluator.Export("best", target, evaluation.step(), value));
                        best.sort(rankOrder());
                        while (best.size() > e.getKeep()) {
                            delete(best.remove(best.size() - 1));
                        }
                    }
                }
                case FINAL -> {
                }
            }
        }
    }

    /** Writes the final export of the weights evaluated last, when a final exporter is configured. */
    Optional<PeriodicEvaluator.Export> writeFinal(Trainer trainer, PeriodicEvaluator.Evaluation last) {
        boolean wantsFinal = exportConfig.getExportersList().stream().anyMatch(e -> e.getType() == ExporterType.FINAL);
        if (!wantsFinal) {
            return Optional.empty();
        }
        Path target = exportDir.resolve("final");
        exporter.export(trainer, target, "final", last.metrics());
        return Optional.of(new PeriodicEvaluator.Export("final", target, last.step(), last.value(rankingMetric)));
    }

    /**
     * Takes over the resumed run's exports up to {@code step} (ranked again) and deletes its exports
     * of later steps, written after its last checkpoint (the resumed run writes them again). Exports
     * of other runs are neither ranked nor deleted.
     *
     * @param runId the run being resumed; only bundles whose manifest records it are considered
     */
    void resume(long step, String runId) {
        latest.addAll(existingExports("latest", step, runId));
        best.addAll(existingExports("best", step, runId));
        best.sort(rankOrder());
    }

    /** The best exports on disk, best first. */
    List<PeriodicEvaluator.Export> bestExports() {
        return List.copyOf(best);
    }

    /** The latest exports on disk, oldest first. */
    List<PeriodicEvaluator.Export> latestExports() {
        return List.copyOf(latest);
    }

    private List<PeriodicEvaluator.Export> existingExports(String exporterName, long upToStep, String runId) {
        Path dir = exportDir.resolve(exporterName);
        List<PeriodicEvaluator.Export> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (var children = Files.list(dir)) {
            // An export whose write never finished has no marker: it is not a bundle to keep or rank.
            for (Path p : children.filter(c -> c.getFileName().toString().matches("step-\\d+"))
                    .filter(CommittedDirectory::isCommitted).sorted().toList()) {
                long s = Long.parseLong(p.getFileName().toString().substring(5));
                var manifest = ExportBundle.open(p).manifest();
                if (!manifest.getRunId().equals(runId)) {
                    LOG.warn("{} export {} belongs to run '{}', not to the resumed run {}: left alone", exporterName, p, manifest.getRunId(), runId);
                    continue;
                }
                // The metric may be missing when eval_config.metrics changed since the export: it then ranks last.
                PeriodicEvaluator.Export e = new PeriodicEvaluator.Export(exporterName, p, s,
                        manifest.getMetricsMap().getOrDefault(rankingMetric.getMetric(), Double.NaN));
                if (s > upToStep) {
                    delete(e);
                    continue;
                }
                out.add(e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list exports in " + dir, e);
        }
        out.sort(Comparator.comparingLong(PeriodicEvaluator.Export::step));
        return out;
    }

    /** Best first; among equal values the earlier step ranks higher. */
    private Comparator<PeriodicEvaluator.Export> rankOrder() {
        Comparator<PeriodicEvaluator.Export> byValue = Comparator.comparingDouble(PeriodicEvaluator.Export::metric);
        if (rankingMetric.getDirection() == Direction.MAXIMIZE) {
            byValue = byValue.reversed();
        }
        return byValue.thenComparingLong(PeriodicEvaluator.Export::step);
    }

    private boolean isBetter(double candidate, double incumbent) {
        if (Double.isNaN(candidate)) {
            return false;
        }
        if (Double.isNaN(incumbent)) {
            return true;
        }
        return rankingMetric.getDirection() == Direction.MAXIMIZE ? candidate > incumbent : candidate < incumbent;
    }

    private static void delete(PeriodicEvaluator.Export export) {
        try {
            CheckpointWriter.deleteRecursively(export.path());
            LOG.info("Deleted {} export {} (step {})", export.exporter(), export.path(), export.step());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete export " + export.path(), e);
        }
    }
}

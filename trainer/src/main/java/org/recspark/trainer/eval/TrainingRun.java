package org.recspark.trainer.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TrainConfig;
import org.recspark.evaluator.ConfiguredMetrics;
import org.recspark.evaluator.report.CalibrationCurve;
import org.recspark.evaluator.report.MetricsHistory;
import org.recspark.evaluator.report.MetricsRecord;
import org.recspark.evaluator.report.RocCurve;
import org.recspark.evaluator.report.RunPlots;
import org.recspark.features.FeatureSchema;
import org.recspark.storage.AtomicFile;
import org.recspark.storage.Locations;
import org.recspark.trainer.data.EvaluationData;
import org.recspark.trainer.data.Examples;
import org.recspark.trainer.data.InMemoryEvaluationData;
import org.recspark.trainer.data.InMemoryTrainingData;
import org.recspark.trainer.data.TrainingData;
import org.recspark.trainer.export.ExportBundle;
import org.recspark.trainer.export.ModelExporter;
import org.recspark.trainer.model.Model;
import org.recspark.trainer.model.ModelContext;
import org.recspark.trainer.model.ModelFactory;
import org.recspark.trainer.model.TaskSpec;
import org.recspark.trainer.nn.ModelParameters;
import org.recspark.trainer.train.CheckpointReader;
import org.recspark.trainer.train.CheckpointWriter;
import org.recspark.trainer.train.ScoredRows;
import org.recspark.trainer.train.Trainer;
import org.recspark.trainer.train.WorkerGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One training run in this process, from config to exported model and report: builds the model
 * (warm-started when the config says so), trains with checkpoints and periodic evaluation, early
 * stopping and exporters, then loads the exported model back from its bundle (so what is reported
 * is what a predictor would serve) and scores the test rows with it. Writes into the run
 * directory: {@code run.json} (the run's id and config fingerprint), {@code checkpoints/},
 * {@code export/}, {@code metrics.jsonl} (the history), {@code plots/*.png} (training loss,
 * evaluation metrics, ROC and calibration of the exported model on the test rows) and
 * {@code summary.json}. A run directory that already holds a run is resumed from its newest
 * complete checkpoint, refused, or moved aside ({@link RunDirectory}).
 */
public final class TrainingRun {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    private final PipelineConfig config;
    private final Path configDir;
    private final FeatureSchema schema;
    private final Path runDir;
    private final int threads;
    private PeriodicEvaluator.EvaluationObserver observer = e -> Optional.empty();
    private ProgressListener progress;
    private boolean overwrite;

    /**
     * What a run produced. {@code testMetrics} are the exported model's metrics on the test rows
     * ({@code testSplit} names them: "test", or "eval" when no test split is configured);
     * {@code resumedFrom} is the checkpoint the run continued from, if it resumed.
     */
    public record Summary(Path runDir, String stopReason, long steps, PeriodicEvaluator.Outcome outcome, Optional<Path> exported,
                          String testSplit, int testRows, Map<String, Double> testMetrics, List<Path> plots, Path history,
                          Path summaryFile, Optional<CheckpointReader.WarmStartReport> warmStart, String runId,
                          Optional<Path> resumedFrom) {}

    /**
     * @param configDir the directory the config's relative paths (vocabularies, warm start) resolve against
     */
    public TrainingRun(PipelineConfig config, Path configDir, FeatureSchema schema, Path runDir, int threads) {
        this.config = config;
        this.configDir = configDir;
        this.schema = schema;
        this.runDir = runDir;
        this.threads = threads;
    }

    /** Lets an observer see every periodic evaluation and stop the run (hyper-parameter search). */
    public TrainingRun observedBy(PeriodicEvaluator.EvaluationObserver evaluationObserver) {
        this.observer = evaluationObserver;
        return this;
    }

    /**
     * Lets a listener follow the lead worker's progress (a Spark driver reporting a distributed
     * run); none by default.
     */
    public TrainingRun reportingProgressTo(ProgressListener progressListener) {
        this.progress = progressListener;
        return this;
    }

    /**
     * Starts a fresh run even when the run directory holds one, moving the earlier run's artifacts
     * to {@code overwritten/<run id>/} ({@link RunDirectory#prepare}); by default the directory's
     * run is resumed.
     */
    public TrainingRun overwriting(boolean overwriteEarlierRun) {
        this.overwrite = overwriteEarlierRun;
        return this;
    }

    /**
     * A run on rows held in memory, shuffled whole each epoch (train_config.shuffle).
     *
     * @param test the test rows, or empty to report the exported model on the evaluation rows
     */
    public Summary run(Examples train, Examples eval, Optional<Examples> test) {
        TrainConfig trainConfig = config.getTrainConfig();
        return run(new InMemoryTrainingData(train, trainConfig.getSeed(), trainConfig.getShuffle()), new InMemoryEvaluationData(eval),
                test.map(InMemoryEvaluationData::new), null, RunDirectory.prepare(runDir, config, overwrite)).orElseThrow();
    }

    /**
     * A run in this process on rows from any source (streamed from the samples, or in memory).
     *
     * @param test the test rows, or empty to report the exported model on the evaluation rows
     */
    public Summary run(TrainingData train, EvaluationData eval, Optional<EvaluationData> test) {
        return run(train, eval, test, null, RunDirectory.prepare(runDir, config, overwrite)).orElseThrow();
    }

    /**
     * One worker's part of a data-parallel run: {@code train} is this worker's partition. Worker 0
     * evaluates, checkpoints, exports and reports (its {@code eval} and {@code test} rows are the
     * whole held-out sets; the other workers' are ignored) and returns the summary; the others
     * return empty. After training, every worker's weights must be bit-identical.
     *
     * @param group the workers, or null for a single process
     * @param start the run and the checkpoint every worker resumes from ({@link RunDirectory#prepare}, decided once)
     */
    public Optional<Summary> run(TrainingData train, EvaluationData eval, Optional<EvaluationData> test, WorkerGroup group,
                                 RunDirectory.RunStart start) {
        boolean lead = group == null || group.rank() == 0;
        TrainConfig trainConfig = config.getTrainConfig();
        ModelParameters params = new ModelParameters(trainConfig.getSeed());
        Model model = ModelFactory.create(new ModelContext(config, schema, params));
        Optional<CheckpointReader.WarmStartReport> warmStart = Optional.empty();
        if (trainConfig.hasWarmStartFrom() && start.resumes()) {
            LOG.info("Not warm-starting from {}: the run resumes from its own checkpoint", trainConfig.getWarmStartFrom());
        } else if (trainConfig.hasWarmStartFrom()) {
            warmStart = Optional.of(CheckpointReader.resolve(Locations.resolve(configDir, trainConfig.getWarmStartFrom())).warmStart(params));
        }
        String modelType = ModelFactory.typeName(config.getModelConfig());
        List<String> taskNames = model.tasks().stream().map(TaskSpec::name).toList();
        ConfiguredMetrics metrics = new ConfiguredMetrics(config.getEvalConfig().getMetricsList(), taskNames,
                config.getInputConfig().getUserIdField());
        CheckpointWriter checkpoints = new CheckpointWriter(runDir.resolve(RunDirectory.CHECKPOINTS), trainConfig.getCheckpoint().getKeep(),
                modelType, TextFormat.printer().printToString(config), start.runId());
        ModelExporter exporter = new ModelExporter(config, configDir, schema, model.tasks(), modelType, start.runId());
        Path historyFile = RunDirectory.history(runDir);
        LOG.info("Training {} on {} rows, evaluating on {} rows{}, run {} in {}", modelType, train.numRows(), eval.numRows(),
                test.map(t -> ", testing on " + t.numRows() + " rows").orElse(""), start.runId(), runDir);
        PeriodicEvaluator.Outcome outcome = null;
        double trainSeconds;
        long trainSamples;
        String profile;
        double stepSeconds;
        long steps;
        String stopReason;
        Optional<Path> resumedFrom = start.checkpoint();
        try (Trainer trainer = new Trainer(trainConfig, model, params, threads)) {
            long resumedStep = resume(trainer, group, resumedFrom, start.runId());
            try (MetricsHistory history = lead ? RunDirectory.openHistory(runDir, start, resumedStep) : null) {
                PeriodicEvaluator evaluator = null;
                ProgressTracker tracker = null;
                if (lead) {
                    trainer.withCheckpoints(checkpoints);
                    evaluator = new PeriodicEvaluator(config.getEvalConfig(), config.getExportConfig(), eval, model.tasks(),
                            metrics, exporter, runDir, history, trainConfig.getLogEverySteps()).observedBy(observer);
                    if (resumedFrom.isPresent()) {
                        evaluator.resume(readHistory(historyFile), trainer.state().globalStep(), start.runId());
                    }
                    if (progress != null) {
                        tracker = new ProgressTracker(trainer, evaluator, progress);
                    }
                }
                // Every worker must agree, or the others would wait in the training step's collectives.
                boolean stoppedEarlier = lead && resumedFrom.isPresent() && !evaluator.catchUp(trainer);
                boolean alreadyStopped = group != null ? group.anyOf(stoppedEarlier) : stoppedEarlier;
                if (alreadyStopped) {
                    LOG.info("Run {} had already stopped at step {}; not training further", start.runId(), trainer.state().globalStep());
                }
                long samplesBefore = trainer.state().samplesSeen();
                long fitStarted = System.nanoTime();
                if (!alreadyStopped) {
                    trainer.fit(train, tracker != null ? tracker : evaluator);
                }
                trainSeconds = (System.nanoTime() - fitStarted) / 1e9;
                trainSamples = trainer.state().samplesSeen() - samplesBefore;
                profile = trainer.profile().toString();
                stepSeconds = trainer.profile().totalSeconds();
                if (group != null) {
                    group.requireEqual(params.weightChecksum(), "the weights' checksum after training");
                }
                steps = trainer.state().globalStep();
                if (!lead) {
                    return Optional.empty();
                }
                checkpoints.write(trainer);
                outcome = evaluator.finish(trainer);
                if (tracker != null) {
                    tracker.report();
                }
                stopReason = outcome.stopReason() != null ? outcome.stopReason()
                        : trainConfig.getMaxSteps() > 0 && steps >= trainConfig.getMaxSteps()
                        ? "reached train_config.max_steps " + trainConfig.getMaxSteps()
                        : "completed train_config.num_epochs " + trainConfig.getNumEpochs();
                if (resumedFrom.isPresent()) {
                    stopReason += " (resumed from " + resumedFrom.get() + ")";
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics history " + historyFile, e);
        }
        LOG.info("Run ended: {}", stopReason);

        Optional<Path> exported = outcome.bestExports().isEmpty()
                ? outcome.finalExport().map(PeriodicEvaluator.Export::path) : Optional.of(outcome.bestExports().get(0).path());
        EvaluationData reportRows = test.orElse(eval);
        String testSplit = test.isPresent() ? "test" : "eval";
        Model reported = exported.map(p -> ExportBundle.open(p).load().model()).orElse(model);
        ScoredRows scored = Trainer.score(reported, reportRows, 4096);
        Map<String, Double> testMetrics = scored.numRows() == 0 ? Map.of()
                : metrics.compute(scored.predictions(), scored.labels(), scored.groupKeys());
        List<Path> plots = plot(historyFile, reported.tasks(), scored.predictions(), scored.labels());
        Path summaryFile = runDir.resolve(RunDirectory.SUMMARY);
        Summary summary = new Summary(runDir, stopReason, steps, outcome, exported, testSplit, scored.numRows(), testMetrics, plots,
                historyFile, summaryFile, warmStart, start.runId(), resumedFrom);
        JsonObject timing = new JsonObject();
        timing.addProperty("workers", group == null ? 1 : group.size());
        timing.addProperty("threads_per_worker", threads);
        timing.addProperty("train_seconds", trainSeconds);
        timing.addProperty("train_samples", trainSamples);
        timing.addProperty("step_seconds", stepSeconds);
        timing.addProperty("samples_per_second", trainSamples / stepSeconds);
        timing.addProperty("profile", profile);
        writeSummary(summary, modelType, timing);
        return Optional.of(summary);
    }

    /**
     * Restores the trainer from the checkpoint the run resumes from (every worker the same one),
     * and returns the step it continues after (0 for a fresh run).
     */
    private static long resume(Trainer trainer, WorkerGroup group, Optional<Path> checkpoint, String runId) {
        if (group != null) {
            trainer.withWorkers(group);
        }
        if (checkpoint.isPresent()) {
            CheckpointReader reader = CheckpointReader.open(checkpoint.get());
            if (!reader.manifest().getRunId().equals(runId)) {
                throw new IllegalStateException("checkpoint " + checkpoint.get() + " belongs to run '" + reader.manifest().getRunId()
                        + "', not to the resumed run " + runId);
            }
            reader.restore(trainer);
            LOG.info("resuming from checkpoint {} at step {}, epoch {} (run {})", checkpoint.get(), trainer.state().globalStep(),
                    trainer.state().epoch(), runId);
        }
        if (group != null) {
            group.requireEqual(trainer.state().globalStep(), "the step resumed from");
        }
        return trainer.state().globalStep();
    }

    private static List<MetricsRecord> readHistory(Path file) {
        try {
            return MetricsHistory.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the metrics history " + file + " to resume", e);
        }
    }

    private List<Path> plot(Path historyFile, List<TaskSpec> tasks, Map<String, float[]> predictions, Map<String, float[]> labels) {
        Path dir = runDir.resolve("plots");
        List<Path> out = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            var records = MetricsHistory.read(historyFile);
            RunPlots plots = new RunPlots();
            if (records.stream().anyMatch(r -> r.kind() == MetricsRecord.Kind.TRAIN)) {
                out.add(plots.lossCurve(records, dir.resolve("loss.png")));
            }
            out.add(plots.evalCurves(records, dir.resolve("eval_metrics.png")));
            Map<String, RocCurve> rocs = new LinkedHashMap<>();
            Map<String, CalibrationCurve> calibrations = new LinkedHashMap<>();
            for (TaskSpec task : tasks) {
                if (task.kind() == TaskSpec.OutputKind.VALUE) {
                    continue;
                }
                double[] p = doubles(predictions.get(task.name()));
                double[] y = doubles(labels.get(task.name()));
                if (hasBothClasses(y)) {
                    rocs.put(task.name(), RocCurve.of(p, y));
                }
                calibrations.put(task.name(), CalibrationCurve.of(p, y));
            }
            if (!rocs.isEmpty()) {
                out.add(plots.roc(rocs, dir.resolve("roc.png")));
            }
            if (!calibrations.isEmpty()) {
                out.add(plots.calibration(calibrations, dir.resolve("calibration.png")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plots under " + dir, e);
        }
        return out;
    }

    private static boolean hasBothClasses(double[] y) {
        boolean pos = false;
        boolean neg = false;
        for (double v : y) {
            pos |= v == 1;
            neg |= v == 0;
        }
        return pos && neg;
    }

    private static double[] doubles(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    /**
     * @param timing how long the training loop took (train_seconds, periodic evaluation included;
     *               step_seconds, the steps alone, which samples_per_second divides) and where the
     *               time went, worker 0's view
     */
    private void writeSummary(Summary s, String modelType, JsonObject timing) {
        JsonObject o = new JsonObject();
        o.addProperty("model", modelType);
        o.addProperty("run_id", s.runId());
        s.resumedFrom().ifPresent(p -> o.addProperty("resumed_from", p.toString()));
        o.addProperty("steps", s.steps());
        o.addProperty("stop_reason", s.stopReason());
        o.addProperty("early_stopped", s.outcome().stopReason() != null);
        s.outcome().best().ifPresent(b -> {
            JsonObject best = new JsonObject();
            best.addProperty("step", b.step());
            best.add("metrics", metricsJson(b.metrics()));
            o.add("best_evaluation", best);
        });
        JsonObject last = new JsonObject();
        last.addProperty("step", s.outcome().last().step());
        last.add("metrics", metricsJson(s.outcome().last().metrics()));
        o.add("last_evaluation", last);
        JsonObject exports = new JsonObject();
        s.outcome().finalExport().ifPresent(e -> exports.addProperty("final", e.path().toString()));
        exports.add("best", exportsJson(s.outcome().bestExports()));
        exports.add("latest", exportsJson(s.outcome().latestExports()));
        o.add("exports", exports);
        s.exported().ifPresent(p -> o.addProperty("reported_export", p.toString()));
        JsonObject test = new JsonObject();
        test.addProperty("split", s.testSplit());
        test.addProperty("rows", s.testRows());
        test.add("metrics", metricsJson(s.testMetrics()));
        o.add("test", test);
        JsonArray plots = new JsonArray();
        s.plots().forEach(p -> plots.add(p.toString()));
        o.add("plots", plots);
        o.addProperty("history", s.history().toString());
        o.add("training", timing);
        s.warmStart().ifPresent(w -> {
            JsonObject ws = new JsonObject();
            ws.addProperty("from", w.checkpoint().toString());
            ws.addProperty("loaded", w.loaded().size());
            JsonArray fresh = new JsonArray();
            w.fresh().forEach(fresh::add);
            ws.add("fresh", fresh);
            o.add("warm_start", ws);
        });
        try {
            AtomicFile.writeString(s.summaryFile(),
                    new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(o) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + s.summaryFile(), e);
        }
    }

    private static JsonObject metricsJson(Map<String, Double> metrics) {
        JsonObject o = new JsonObject();
        metrics.forEach(o::addProperty);
        return o;
    }

    private static JsonArray exportsJson(List<PeriodicEvaluator.Export> exports) {
        JsonArray a = new JsonArray();
        for (PeriodicEvaluator.Export e : exports) {
            JsonObject o = new JsonObject();
            o.addProperty("path", e.path().toString());
            o.addProperty("step", e.step());
            o.addProperty("metric", e.metric());
            a.add(o);
        }
        return a;
    }
}

package org.recspark.trainer.eval;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TrainConfig;
import org.recspark.config.proto.run.EvaluationSummary;
import org.recspark.config.proto.run.ExportSummary;
import org.recspark.config.proto.run.ExportsSummary;
import org.recspark.config.proto.run.TestSummary;
import org.recspark.config.proto.run.TrainingSummary;
import org.recspark.config.proto.run.TrainingTiming;
import org.recspark.config.proto.run.WarmStartSummary;
import org.recspark.evaluator.ConfiguredMetrics;
import org.recspark.evaluator.RankingMetric;
import org.recspark.evaluator.report.CalibrationCurve;
import org.recspark.evaluator.report.MetricsHistory;
import org.recspark.evaluator.report.MetricsRecord;
import org.recspark.evaluator.report.RocCurve;
import org.recspark.evaluator.report.RunPlots;
import org.recspark.features.FeatureSchema;
import org.recspark.model.FeatureGates;
import org.recspark.model.Model;
import org.recspark.model.SampledNegatives;
import org.recspark.model.TaskSpec;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.bundle.CheckpointException;
import org.recspark.model.bundle.CheckpointReader;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.ModelParameters;
import org.recspark.storage.Locations;
import org.recspark.trainer.data.Batches;
import org.recspark.trainer.data.EvaluationData;
import org.recspark.trainer.data.InMemoryEvaluationData;
import org.recspark.trainer.data.InMemoryTrainingData;
import org.recspark.trainer.data.TrainingData;
import org.recspark.trainer.export.ModelExporter;
import org.recspark.trainer.plan.PipelinePlan;
import org.recspark.trainer.retrieval.RetrievalCorpus;
import org.recspark.trainer.retrieval.RetrievalEvaluation;
import org.recspark.trainer.train.CheckpointLocator;
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
 * {@code summary.json} (a {@code TrainingSummary}, see {@link RunSummaryFile}), and with
 * model_config.variational_dropout the trained feature ranking ({@link FeatureRankingFiles}). A run directory
 * that already holds a run is resumed from its newest complete checkpoint, refused, or moved aside
 * ({@link RunDirectory}).
 *
 * <p>A run goes in four steps: prepare (model, warm start, metrics, checkpoint writer, exporter),
 * restore (the checkpoint a resumed run continues from), fit (training with periodic evaluation;
 * every worker) and report (worker 0: the exported model on the test rows, plots, summary.json).
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
    private Examples itemTable;
    private Examples hardNegatives;

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
     * The item table's rows (item features as build-samples computed them) for a model whose
     * negative sampler draws from it (dssm.negative_sampler.pool: ITEM_TABLE); ignored otherwise.
     */
    public TrainingRun drawingNegativesFrom(Examples items) {
        this.itemTable = items;
        return this;
    }

    /**
     * The hard-negative (user, item) rows (group key the user's, item features as build-samples
     * computed them) for dssm.negative_sampler.hard_negatives_per_user; ignored otherwise.
     */
    public TrainingRun withHardNegatives(Examples pairs) {
        this.hardNegatives = pairs;
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
        Prepared prepared = prepare(start);
        LOG.info("Training {} on {} rows, evaluating on {} rows{}, run {} in {}", prepared.modelType(), train.numRows(), eval.numRows(),
                test.map(t -> ", testing on " + t.numRows() + " rows").orElse(""), start.runId(), runDir);
        return fit(prepared, train, eval, group, start).map(fitted -> report(prepared, fitted, train, eval, test, start));
    }

    /** What a run trains and writes with, built from the config before any training. */
    private record Prepared(ModelParameters params, Model model, String modelType, Optional<CheckpointReader.WarmStartReport> warmStart,
                            ConfiguredMetrics metrics, CheckpointWriter checkpoints, ModelExporter exporter) {}

    /** What training ended with, on worker 0. */
    private record Fitted(PeriodicEvaluator.Outcome outcome, String stopReason, long steps, TrainingTiming timing) {}

    /**
     * Plans the config ({@link PipelinePlan}: every config problem is reported here, before any
     * step), builds the model (warm-started from train_config.warm_start_from unless the run resumes
     * from its own checkpoint), its metrics, checkpoint writer and exporter.
     */
    private Prepared prepare(RunDirectory.RunStart start) {
        TrainConfig trainConfig = config.getTrainConfig();
        PipelinePlan plan = PipelinePlan.compile(config, schema);
        ModelParameters params = new ModelParameters(trainConfig.getSeed());
        Model model = plan.buildModel(params);
        if (model instanceof SampledNegatives sampled) {
            if (itemTable != null && sampled.drawsFromItemTable()) {
                sampled.useItemTable(itemTable);
            }
            if (hardNegatives != null && sampled.usesHardNegatives()) {
                sampled.useHardNegatives(hardNegatives);
            }
        }
        Optional<CheckpointReader.WarmStartReport> warmStart = Optional.empty();
        if (trainConfig.hasWarmStartFrom() && start.resumes()) {
            LOG.info("Not warm-starting from {}: the run resumes from its own checkpoint", trainConfig.getWarmStartFrom());
        } else if (trainConfig.hasWarmStartFrom()) {
            warmStart = Optional.of(CheckpointLocator.resolve(Locations.resolve(configDir, trainConfig.getWarmStartFrom())).warmStart(params));
        }
        String modelType = plan.modelType();
        ConfiguredMetrics metrics = plan.metrics();
        CheckpointWriter checkpoints = new CheckpointWriter(runDir.resolve(RunDirectory.CHECKPOINTS), trainConfig.getCheckpoint().getKeep(),
                modelType, TextFormat.printer().printToString(config), start.runId());
        ModelExporter exporter = new ModelExporter(config, configDir, schema, model.tasks(), modelType, start.runId());
        return new Prepared(params, model, modelType, warmStart, metrics, checkpoints, exporter);
    }

    /**
     * Restores the run's checkpoint when it resumes, trains (worker 0 with checkpoints, periodic
     * evaluation and exporters), checks that every worker ends with the same weights and, on worker
     * 0, writes the last checkpoint and finishes the evaluation; the other workers return empty.
     */
    private Optional<Fitted> fit(Prepared prepared, TrainingData train, EvaluationData eval, WorkerGroup group,
                                 RunDirectory.RunStart start) {
        boolean lead = group == null || group.rank() == 0;
        TrainConfig trainConfig = config.getTrainConfig();
        Path historyFile = RunDirectory.history(runDir);
        Optional<Path> resumedFrom = start.checkpoint();
        try (Trainer trainer = new Trainer(trainConfig, prepared.model(), prepared.params(), threads)) {
            // Only the evaluation (worker 0's) stops training, and only at its steps or epoch ends.
            trainer.withStopPoints(config.getEvalConfig().getEverySteps());
            long resumedStep = restore(trainer, group, resumedFrom, start.runId());
            try (MetricsHistory history = lead ? RunDirectory.openHistory(runDir, start, resumedStep) : null) {
                PeriodicEvaluator evaluator = null;
                ProgressTracker tracker = null;
                if (lead) {
                    trainer.withCheckpoints(prepared.checkpoints());
                    if (group != null && group.size() > 1 && !prepared.metrics().rankingMetrics().isEmpty()) {
                        throw new IllegalArgumentException("ranking metrics " + prepared.metrics().rankingMetrics()
                                + " exclude each user's training items, which data-parallel training splits over " + group.size()
                                + " workers: train them with one worker, or evaluate the exported model with `recspark evaluate`");
                    }
                    Optional<RetrievalEvaluation> retrieval = retrieval(prepared, RetrievalCorpus.rows(eval),
                            List.of(RetrievalCorpus.rows(train)), "evaluation");
                    evaluator = new PeriodicEvaluator(config.getEvalConfig(), config.getExportConfig(), eval, prepared.model().tasks(),
                            prepared.metrics(), retrieval, prepared.exporter(), runDir, history, trainConfig.getLogEverySteps())
                            .observedBy(observer);
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
                double trainSeconds = (System.nanoTime() - fitStarted) / 1e9;
                long trainSamples = trainer.state().samplesSeen() - samplesBefore;
                double stepSeconds = trainer.profile().totalSeconds();
                TrainingTiming timing = TrainingTiming.newBuilder()
                        .setWorkers(group == null ? 1 : group.size())
                        .setThreadsPerWorker(threads)
                        .setTrainSeconds(trainSeconds)
                        .setTrainSamples(trainSamples)
                        .setStepSeconds(stepSeconds)
                        .setSamplesPerSecond(trainSamples / stepSeconds)
                        .setProfile(trainer.profile().toString())
                        .build();
                if (group != null) {
                    group.requireEqual(prepared.params().weightChecksum(), "the weights' checksum after training");
                }
                trainer.gatherOptimizerState();
                long steps = trainer.state().globalStep();
                if (!lead) {
                    return Optional.empty();
                }
                prepared.checkpoints().write(trainer);
                PeriodicEvaluator.Outcome outcome = evaluator.finish(trainer);
                if (tracker != null) {
                    tracker.report();
                }
                String stopReason = stopReason(outcome, steps, resumedFrom);
                LOG.info("Run ended: {}", stopReason);
                return Optional.of(new Fitted(outcome, stopReason, steps, timing));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the metrics history " + historyFile, e);
        }
    }

    /**
     * The ranking metrics' evaluation over a corpus read from the rows, or empty when the config
     * has no ranking metric.
     *
     * @param queries the rows whose positives are relevant
     * @param seen    the rows whose positives are excluded
     */
    private Optional<RetrievalEvaluation> retrieval(Prepared prepared, Supplier<Batches> queries, List<Supplier<Batches>> seen,
                                                    String split) {
        List<RankingMetric> ranking = prepared.metrics().rankingMetrics();
        if (ranking.isEmpty()) {
            return Optional.empty();
        }
        TwoTowerModel model = (TwoTowerModel) prepared.model();
        long started = System.nanoTime();
        RetrievalCorpus corpus = RetrievalCorpus.build(queries, seen, model.itemKeyFeature(), model.tasks().get(0).label());
        LOG.info("Ranking metrics {} on the {} rows: {} items, {} users with {} relevant items, {} training items excluded; "
                        + "{} rows without an item id left out; read in {} s", ranking.stream().map(RankingMetric::name).toList(), split,
                corpus.numItems(), corpus.numUsers(), corpus.relevantPairs(), corpus.excludedPairs(), corpus.rowsWithoutItem(),
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9));
        return Optional.of(new RetrievalEvaluation(corpus, ranking, threads));
    }

    private String stopReason(PeriodicEvaluator.Outcome outcome, long steps, Optional<Path> resumedFrom) {
        TrainConfig trainConfig = config.getTrainConfig();
        String stopReason = outcome.stopReason() != null ? outcome.stopReason()
                : trainConfig.getMaxSteps() > 0 && steps >= trainConfig.getMaxSteps()
                ? "reached train_config.max_steps " + trainConfig.getMaxSteps()
                : "completed train_config.num_epochs " + trainConfig.getNumEpochs();
        return resumedFrom.map(p -> stopReason + " (resumed from " + p + ")").orElse(stopReason);
    }

    /**
     * Loads the reported export back from its bundle (so what is reported is what a predictor
     * would serve), scores the test rows (the evaluation rows without a test split) with it, draws
     * the plots and writes summary.json.
     */
    private Summary report(Prepared prepared, Fitted fitted, TrainingData train, EvaluationData eval, Optional<EvaluationData> test,
                           RunDirectory.RunStart start) {
        PeriodicEvaluator.Outcome outcome = fitted.outcome();
        List<FeatureGates.FeatureKeep> featureRanking = FeatureGates.ranking(config.getModelConfig(), prepared.params());
        if (!featureRanking.isEmpty()) {
            FeatureRankingFiles.write(runDir, featureRanking);
        }
        Optional<Path> exported = outcome.bestExports().isEmpty()
                ? outcome.finalExport().map(PeriodicEvaluator.Export::path) : Optional.of(outcome.bestExports().get(0).path());
        EvaluationData reportRows = test.orElse(eval);
        String testSplit = test.isPresent() ? "test" : "eval";
        Model reported = exported.map(p -> ExportBundle.open(p).load().model()).orElse(prepared.model());
        ScoredRows scored = Trainer.score(reported, reportRows, 4096);
        Map<String, Double> testMetrics = Map.of();
        if (scored.numRows() > 0) {
            // On the test rows, the evaluation rows' interactions are history too.
            List<Supplier<Batches>> seen = test.isPresent() ? List.of(RetrievalCorpus.rows(train), RetrievalCorpus.rows(eval))
                    : List.of(RetrievalCorpus.rows(train));
            Map<String, Double> ranking = retrieval(prepared, RetrievalCorpus.rows(reportRows), seen, testSplit)
                    .map(r -> r.evaluate((TwoTowerModel) reported)).orElse(Map.of());
            testMetrics = prepared.metrics().inNameOrder(
                    prepared.metrics().compute(scored.predictions(), scored.labels(), scored.groupKeys()), ranking);
        }
        Path historyFile = RunDirectory.history(runDir);
        List<Path> plots = plot(historyFile, reported.tasks(), scored.predictions(), scored.labels());
        Path summaryFile = runDir.resolve(RunDirectory.SUMMARY);
        Summary summary = new Summary(runDir, fitted.stopReason(), fitted.steps(), outcome, exported, testSplit, scored.numRows(),
                testMetrics, plots, historyFile, summaryFile, prepared.warmStart(), start.runId(), start.checkpoint());
        RunSummaryFile.write(summaryFile, summaryMessage(summary, prepared.modelType(), fitted.timing()));
        return summary;
    }

    /**
     * Restores the trainer from the checkpoint the run resumes from (every worker the same one),
     * and returns the step it continues after (0 for a fresh run).
     */
    private static long restore(Trainer trainer, WorkerGroup group, Optional<Path> checkpoint, String runId) {
        if (group != null) {
            trainer.withWorkers(group);
        }
        if (checkpoint.isPresent()) {
            CheckpointReader reader;
            try {
                reader = CheckpointReader.open(checkpoint.get());
            } catch (CheckpointException e) {
                throw new CheckpointException(e.getMessage() + "; run " + runId + " cannot resume from it: remove " + checkpoint.get()
                        + " to resume from the complete checkpoint before it, or start a fresh run (train --overwrite)");
            }
            if (!reader.manifest().getRunId().equals(runId)) {
                throw new IllegalStateException("checkpoint " + checkpoint.get() + " belongs to run '" + reader.manifest().getRunId()
                        + "', not to the resumed run " + runId);
            }
            trainer.restore(reader);
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
                // With one class (positives-only samples: every label is 1) neither curve says anything.
                if (hasBothClasses(y)) {
                    rocs.put(task.name(), RocCurve.of(p, y));
                    calibrations.put(task.name(), CalibrationCurve.of(p, y));
                }
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

    /** The summary.json message of a finished run. */
    private static TrainingSummary summaryMessage(Summary s, String modelType, TrainingTiming timing) {
        TrainingSummary.Builder o = TrainingSummary.newBuilder()
                .setModel(modelType)
                .setRunId(s.runId());
        s.resumedFrom().ifPresent(p -> o.setResumedFrom(p.toString()));
        o.setSteps(s.steps())
                .setStopReason(s.stopReason())
                .setEarlyStopped(s.outcome().stopReason() != null);
        s.outcome().best().ifPresent(b -> o.setBestEvaluation(evaluation(b)));
        o.setLastEvaluation(evaluation(s.outcome().last()));
        ExportsSummary.Builder exports = ExportsSummary.newBuilder();
        s.outcome().finalExport().ifPresent(e -> exports.setFinal(e.path().toString()));
        s.outcome().bestExports().forEach(e -> exports.addBest(export(e)));
        s.outcome().latestExports().forEach(e -> exports.addLatest(export(e)));
        o.setExports(exports);
        s.exported().ifPresent(p -> o.setReportedExport(p.toString()));
        o.setTest(TestSummary.newBuilder().setSplit(s.testSplit()).setRows(s.testRows()).putAllMetrics(s.testMetrics()));
        s.plots().forEach(p -> o.addPlots(p.toString()));
        o.setHistory(s.history().toString());
        o.setTraining(timing);
        s.warmStart().ifPresent(w -> o.setWarmStart(WarmStartSummary.newBuilder()
                .setFrom(w.checkpoint().toString())
                .setLoaded(w.loaded().size())
                .addAllFresh(w.fresh())));
        return o.build();
    }

    private static EvaluationSummary evaluation(PeriodicEvaluator.Evaluation e) {
        return EvaluationSummary.newBuilder().setStep(e.step()).putAllMetrics(e.metrics()).build();
    }

    private static ExportSummary export(PeriodicEvaluator.Export e) {
        return ExportSummary.newBuilder().setPath(e.path().toString()).setStep(e.step()).setMetric(e.metric()).build();
    }
}

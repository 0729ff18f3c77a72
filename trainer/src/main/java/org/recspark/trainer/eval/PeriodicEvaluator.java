package org.recspark.trainer.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.EvalConfig;
import org.recspark.config.proto.ExportConfig;
import org.recspark.config.proto.MetricTarget;
import org.recspark.evaluator.ConfiguredMetrics;
import org.recspark.evaluator.report.MetricsHistory;
import org.recspark.evaluator.report.MetricsRecord;
import org.recspark.model.TaskSpec;
import org.recspark.model.TwoTowerModel;
import org.recspark.trainer.data.EvaluationData;
import org.recspark.trainer.export.ModelExporter;
import org.recspark.trainer.plan.EvaluationRules;
import org.recspark.trainer.retrieval.RetrievalEvaluation;
import org.recspark.trainer.train.ScoredRows;
import org.recspark.trainer.train.Trainer;
import org.recspark.trainer.train.TrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluation during training: every {@code eval_config.every_steps} steps (or at the end of each
 * epoch when 0) the model scores the held-out rows and the configured metrics are computed,
 * logged and appended to the run's history; then the export policy ({@code ExportPolicy}) writes
 * and prunes exports and early stopping ({@code EarlyStopping}) decides whether training goes on.
 * {@link #finish} evaluates the final weights when the last evaluation was earlier, writes the
 * final export and returns what happened and why.
 *
 * <p>Exports go to {@code <run>/export/final}, {@code <run>/export/latest/step-N} and
 * {@code <run>/export/best/step-N}. The evaluation rows are scored batch by batch as they are read
 * (streamed, or from memory); only each row's scores, labels and group key are kept for the exact
 * metrics. Ranking metrics (recall@K and friends) come from the retrieval evaluation, which ranks
 * the whole item corpus with the model's current towers at each evaluation. Not thread-safe: the
 * training loop calls it from one thread.
 */
public final class PeriodicEvaluator implements TrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicEvaluator.class);
    private static final int PREDICT_BATCH = 4096;

    private final EvalConfig evalConfig;
    private final EvaluationData eval;
    private final long evalRows;
    private final List<TaskSpec> tasks;
    private final ConfiguredMetrics metrics;
    private final MetricsHistory history;
    private final int logEverySteps;
    private final ExportPolicy exports;
    private final EarlyStopping earlyStopping;
    private final Optional<RetrievalEvaluation> retrieval;

    private double lossSum;
    private int lossSteps;
    private Evaluation lastEvaluation;
    private Evaluation bestEvaluation;
    private String stopReason;
    private EvaluationObserver observer = e -> Optional.empty();

    /** One evaluation: the step and its metrics. */
    public record Evaluation(long step, int epoch, Map<String, Double> metrics) {
        /** The value of the target's metric, which must have been computed. */
        double value(MetricTarget target) {
            Double v = metrics.get(target.getMetric());
            if (v == null) {
                throw new IllegalArgumentException("metric '" + target.getMetric() + "' is not computed; eval_config.metrics gives "
                        + metrics.keySet());
            }
            return v;
        }
    }

    /** An export the run wrote, with the metric that ranks it (NaN when none is configured). */
    public record Export(String exporter, Path path, long step, double metric) {}

    /**
     * What the run did: why it stopped (null when it ran its configured length), the evaluation
     * that ranked best, the last one, and every export still on disk.
     */
    public record Outcome(String stopReason, Optional<Evaluation> best, Evaluation last, Optional<Export> finalExport,
                          List<Export> bestExports, List<Export> latestExports) {}

    /**
     * @param retrieval computes the ranking metrics; required when {@code metrics} has any, and then
     *                  the trainer's model must be a {@link TwoTowerModel}
     */
    public PeriodicEvaluator(EvalConfig evalConfig, ExportConfig exportConfig, EvaluationData eval, List<TaskSpec> tasks,
                             ConfiguredMetrics metrics, Optional<RetrievalEvaluation> retrieval, ModelExporter exporter, Path runDir,
                             MetricsHistory history, int logEverySteps) {
        if (!metrics.rankingMetrics().isEmpty() && retrieval.isEmpty()) {
            throw new IllegalArgumentException("ranking metrics " + metrics.rankingMetrics() + " need a retrieval evaluation");
        }
        if (eval.numRows() == 0) {
            throw new IllegalArgumentException("periodic evaluation needs evaluation rows; the evaluation split is empty");
        }
        this.evalConfig = evalConfig;
        this.eval = eval;
        this.evalRows = evalConfig.getMaxEvalRows() > 0 ? Math.min(eval.numRows(), evalConfig.getMaxEvalRows()) : eval.numRows();
        this.tasks = List.copyOf(tasks);
        this.metrics = metrics;
        this.history = history;
        this.logEverySteps = logEverySteps;
        List<String> names = metrics.names();
        List<Violation> problems = EvaluationRules.check(exportConfig, names, tasks.stream().map(TaskSpec::name).toList());
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        this.exports = new ExportPolicy(exportConfig, exporter, runDir, names.get(0));
        this.earlyStopping = new EarlyStopping(exportConfig);
        this.retrieval = retrieval;
    }

    @Override
    public boolean afterStep(Trainer trainer, double loss) {
        lossSum += loss;
        lossSteps++;
        long step = trainer.state().globalStep();
        if (step % logEverySteps == 0) {
            recordTrainingLoss(trainer);
        }
        if (evalConfig.getEverySteps() > 0 && step % evalConfig.getEverySteps() == 0) {
            return evaluateAndDecide(trainer);
        }
        return true;
    }

    @Override
    public boolean afterEpoch(Trainer trainer) {
        if (evalConfig.getEverySteps() == 0) {
            return evaluateAndDecide(trainer);
        }
        return true;
    }

    private void recordTrainingLoss(Trainer trainer) {
        if (lossSteps == 0) {
            return;
        }
        record(new MetricsRecord(trainer.state().globalStep(), trainer.state().epoch(), MetricsRecord.Kind.TRAIN,
                System.currentTimeMillis(), Map.of("loss", lossSum / lossSteps)));
        lossSum = 0;
        lossSteps = 0;
    }

    private void record(MetricsRecord r) {
        try {
            history.record(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the metrics history " + history.file(), e);
        }
    }

    private Evaluation evaluate(Trainer trainer) {
        ScoredRows scored = trainer.score(eval, PREDICT_BATCH, evalRows);
        for (TaskSpec task : tasks) {
            if (!scored.labels().containsKey(task.name())) {
                throw new IllegalArgumentException("the evaluation rows have no label '" + task.label() + "' for task " + task.name());
            }
        }
        Map<String, Double> pointWise = metrics.compute(scored.predictions(), scored.labels(), scored.groupKeys());
        Map<String, Double> ranking = retrieval.map(r -> r.evaluate((TwoTowerModel) trainer.model())).orElse(Map.of());
        Map<String, Double> values = metrics.inNameOrder(pointWise, ranking);
        long step = trainer.state().globalStep();
        record(new MetricsRecord(step, trainer.state().epoch(), MetricsRecord.Kind.EVAL, System.currentTimeMillis(), values));
        LOG.info("eval at step {} (epoch {}, {} rows): {}", step, trainer.state().epoch(), scored.numRows(), format(values));
        lastEvaluation = new Evaluation(step, trainer.state().epoch(), values);
        return lastEvaluation;
    }

    /** The latest evaluation, resumed ones included; empty before the first. */
    public Optional<Evaluation> lastEvaluation() {
        return Optional.ofNullable(lastEvaluation);
    }

    private boolean evaluateAndDecide(Trainer trainer) {
        Evaluation evaluation = evaluate(trainer);
        runExporters(trainer, evaluation);
        Optional<String> earlyStop = earlyStopping.observe(evaluation);
        if (earlyStop.isPresent()) {
            stopReason = earlyStop.get();
            return false;
        }
        Optional<String> observerStop = observer.afterEvaluation(evaluation);
        if (observerStop.isPresent()) {
            stopReason = "stopped at step " + evaluation.step() + " by " + observerStop.get();
            LOG.info(stopReason);
            return false;
        }
        return true;
    }

    /**
     * Sees every periodic evaluation and may stop the run (a hyper-parameter search stopping a
     * trial that falls behind); returns the reason to stop, or empty to go on.
     */
    @FunctionalInterface
    public interface EvaluationObserver {
        Optional<String> afterEvaluation(Evaluation evaluation);
    }

    /** Sets the observer of periodic evaluations (none by default). */
    public PeriodicEvaluator observedBy(EvaluationObserver evaluationObserver) {
        this.observer = evaluationObserver;
        return this;
    }

    private void runExporters(Trainer trainer, Evaluation evaluation) {
        exports.afterEvaluation(trainer, evaluation);
        if (exports.ranksAbove(evaluation, bestEvaluation)) {
            bestEvaluation = evaluation;
        }
    }

    /**
     * Picks up where an interrupted run stood at {@code step} (the checkpoint it resumed from): its
     * evaluations up to that step (from the history) set the best evaluation and the
     * early-stopping state, and its exports up to that step are ranked again; its exports of later
     * steps, written after its last checkpoint, are deleted (the resumed run writes them again).
     * Exports of other runs are neither ranked nor deleted. When the replayed evaluations already
     * met the early-stopping rule, the run had stopped there: {@link #earlyStop()} says so.
     *
     * @param runId the run being resumed; only bundles whose manifest records it are considered
     */
    public void resume(List<MetricsRecord> history, long step, String runId) {
        for (MetricsRecord r : history) {
            if (r.kind() != MetricsRecord.Kind.EVAL || r.step() > step) {
                continue;
            }
            Evaluation e = new Evaluation(r.step(), r.epoch(), r.metrics());
            if (exports.ranksAbove(e, bestEvaluation)) {
                bestEvaluation = e;
            }
            if (stopReason == null) {
                stopReason = earlyStopping.observe(e).orElse(null);
            }
            lastEvaluation = e;
        }
        exports.resume(step, runId);
        LOG.info("Resumed evaluation state at step {}: best {}, exports best {} latest {}", step,
                bestEvaluation == null ? "none" : bestEvaluation.step(), exports.bestExports().stream().map(Export::step).toList(),
                exports.latestExports().stream().map(Export::step).toList());
    }

    /**
     * Runs the evaluation due at the step a run resumed at when the interrupted run did not record
     * it (a checkpoint is written before that step's evaluation, so a crash in between loses it);
     * returns whether training goes on, as {@link #afterStep} does.
     */
    public boolean catchUp(Trainer trainer) {
        long step = trainer.state().globalStep();
        boolean due = evalConfig.getEverySteps() > 0 ? step % evalConfig.getEverySteps() == 0
                : trainer.state().batchInEpoch() == 0;
        if (step == 0 || !due || stopReason != null || lastEvaluation != null && lastEvaluation.step() == step) {
            return stopReason == null;
        }
        LOG.info("The evaluation at step {} was not recorded before the interruption: evaluating now", step);
        return evaluateAndDecide(trainer);
    }

    /** Why the run stopped early (set while training, or by {@link #resume} when the run had already stopped). */
    public Optional<String> earlyStop() {
        return Optional.ofNullable(stopReason);
    }

    /**
     * Evaluates the final weights unless the last evaluation was at this step, writes the final
     * export when configured, records the last training loss, and says how the run ended.
     */
    public Outcome finish(Trainer trainer) {
        recordTrainingLoss(trainer);
        Evaluation last;
        if (lastEvaluation != null && lastEvaluation.step() == trainer.state().globalStep()) {
            last = lastEvaluation;
        } else {
            last = evaluate(trainer);
            runExporters(trainer, last);
        }
        Optional<Export> finalExport = exports.writeFinal(trainer, last);
        return new Outcome(stopReason, Optional.ofNullable(bestEvaluation), last, finalExport, exports.bestExports(),
                exports.latestExports());
    }

    static String format(Map<String, Double> metrics) {
        StringBuilder sb = new StringBuilder();
        metrics.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%.5f", v)));
        return sb.toString();
    }
}

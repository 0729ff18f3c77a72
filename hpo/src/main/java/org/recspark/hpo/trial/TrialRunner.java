package org.recspark.hpo.trial;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;
import org.recspark.config.proto.TrialStopping;
import org.recspark.evaluator.report.MetricsHistory;
import org.recspark.evaluator.report.MetricsRecord;
import org.recspark.features.FeatureGenerator;
import org.recspark.hpo.Objective;
import org.recspark.hpo.stopping.LearningCurve;
import org.recspark.hpo.stopping.StoppingRule;
import org.recspark.hpo.stopping.StoppingRules;
import org.recspark.trainer.eval.PeriodicEvaluator;
import org.recspark.trainer.eval.TrainingRun;
import org.recspark.trainer.train.CheckpointWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one trial with {@link TrainingRun} in a fresh run directory and turns what happened into a
 * {@link TrialOutcome}: the objective is the best value of the objective metric over the run's
 * evaluations, and the search's stopping rule sees every periodic evaluation and may end the run.
 * Any exception (an invalid config, rows that cannot be built, a diverged loss) becomes a FAILED
 * outcome with its message. Pure Java, serialisable by its settings alone: a Spark task builds one
 * from the same values. Thread-safe: each call has its own state.
 */
public final class TrialRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TrialRunner.class);

    private final Path configDir;
    private final int threads;
    private final Objective objective;
    private final TrialStopping stopping;
    private final long baseEvaluationExamples;

    /**
     * @param baseEvaluationExamples examples seen at the base config's first evaluation
     *                               ({@code every_steps x batch_size}), or 0 when it evaluates once
     *                               per epoch (then one epoch of the trial's rows)
     */
    public TrialRunner(Path configDir, int threads, Objective objective, TrialStopping stopping, long baseEvaluationExamples) {
        this.configDir = configDir;
        this.threads = threads;
        this.objective = objective;
        this.stopping = stopping;
        this.baseEvaluationExamples = baseEvaluationExamples;
    }

    /** The runner of a search over {@code base}: its objective, stopping rule and first evaluation. */
    public static TrialRunner forSearch(PipelineConfig base, SearchSpace search, Path configDir, int threads) {
        long everySteps = base.getEvalConfig().getEverySteps();
        return new TrialRunner(configDir, threads, Objective.of(search.getObjective()), search.getTrialStopping(),
                everySteps * base.getTrainConfig().getBatchSize());
    }

    public Path configDir() {
        return configDir;
    }

    public int threads() {
        return threads;
    }

    public Objective objective() {
        return objective;
    }

    public TrialStopping stopping() {
        return stopping;
    }

    public long baseEvaluationExamples() {
        return baseEvaluationExamples;
    }

    public TrialOutcome run(TrialSpec spec, Supplier<TrialData> rows, Path runDir) {
        long started = System.nanoTime();
        CurveObserver observer = null;
        try {
            clear(runDir);
            PipelineConfig config = spec.config();
            TrialData data = rows.get();
            long firstRung = baseEvaluationExamples > 0 ? baseEvaluationExamples : data.train().numRows();
            StoppingRule rule = StoppingRules.create(stopping, objective, firstRung);
            observer = new CurveObserver(rule, spec.earlierCurves(), config.getTrainConfig().getBatchSize());
            LOG.info("Trial {}: {} ({} training rows)", spec.number(), spec.params(), data.train().numRows());
            var schema = FeatureGenerator.compile(config.getFeatureConfig(), configDir).schema();
            TrainingRun.Summary summary = new TrainingRun(config, configDir, schema, runDir, threads).observedBy(observer)
                    .run(data.train(), data.eval(), data.test());
            LearningCurve curve = curve(summary.history(), config.getTrainConfig().getBatchSize());
            double seconds = seconds(started);
            double best = curve.best(objective);
            if (Double.isNaN(best)) {
                return TrialOutcome.failed("the objective " + objective.metric() + " is NaN at every evaluation", curve, seconds, runDir.toString());
            }
            TrialStatus status = observer.stopped() ? TrialStatus.STOPPED : TrialStatus.COMPLETED;
            LOG.info("Trial {} {}: {} in {} s; {}", spec.number(), status, objective.describe(best), Math.round(seconds), summary.stopReason());
            return new TrialOutcome(status, best, curve, summary.steps(), seconds, summary.stopReason(), null, runDir.toString());
        } catch (RuntimeException e) {
            String error = TrialOutcome.errorOf(e);
            LOG.warn("Trial {} failed: {}", spec.number(), error);
            return TrialOutcome.failed(error, observer == null ? LearningCurve.empty() : observer.curve(), seconds(started), runDir.toString());
        }
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** A rerun trial (a search restarted after a crash) starts from nothing, not from the crashed attempt's checkpoints. */
    private static void clear(Path runDir) {
        try {
            if (Files.exists(runDir)) {
                CheckpointWriter.deleteRecursively(runDir);
            }
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the trial directory " + runDir, e);
        }
    }

    /** Every evaluation of the run, the final one included (which the observer does not see). */
    private LearningCurve curve(Path history, int batchSize) {
        List<LearningCurve.Point> points = new ArrayList<>();
        try {
            for (MetricsRecord r : MetricsHistory.read(history)) {
                if (r.kind() == MetricsRecord.Kind.EVAL) {
                    points.add(new LearningCurve.Point(r.step(), r.step() * batchSize, value(r.metrics())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trial's metrics history " + history, e);
        }
        return new LearningCurve(points);
    }

    private double value(java.util.Map<String, Double> metrics) {
        Double v = metrics.get(objective.metric());
        if (v == null) {
            throw new IllegalStateException("the objective metric '" + objective.metric() + "' (hpo_config.objective.metric) is not computed; "
                    + "evaluations give " + metrics.keySet());
        }
        return v;
    }

    /** Collects the objective at each periodic evaluation and asks the stopping rule whether to go on. */
    private final class CurveObserver implements PeriodicEvaluator.EvaluationObserver {
        private final StoppingRule rule;
        private final List<LearningCurve> earlier;
        private final int batchSize;
        private volatile LearningCurve curve = LearningCurve.empty();
        private volatile boolean stopped;

        CurveObserver(StoppingRule rule, List<LearningCurve> earlier, int batchSize) {
            this.rule = rule;
            this.earlier = earlier;
            this.batchSize = batchSize;
        }

        @Override
        public Optional<String> afterEvaluation(PeriodicEvaluator.Evaluation evaluation) {
            curve = curve.plus(new LearningCurve.Point(evaluation.step(), evaluation.step() * batchSize, value(evaluation.metrics())));
            Optional<String> stop = rule.check(curve, earlier);
            stopped = stop.isPresent();
            return stop;
        }

        LearningCurve curve() {
            return curve;
        }

        boolean stopped() {
            return stopped;
        }
    }
}

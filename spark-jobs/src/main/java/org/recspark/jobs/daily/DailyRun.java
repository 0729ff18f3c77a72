package org.recspark.jobs.daily;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.DailyGuards;
import org.recspark.config.proto.ExporterType;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.ConfiguredMetrics;
import org.recspark.evaluator.drift.DailyGuardChecks;
import org.recspark.evaluator.drift.GuardCheck;
import org.recspark.features.FeatureSpec;
import org.recspark.jobs.samples.PartitionedOutputDirectory;
import org.recspark.jobs.samples.SampleBuildJob;
import org.recspark.jobs.training.ParquetSampleChunks;
import org.recspark.jobs.training.SamplePlanner;
import org.recspark.jobs.training.SampleSource;
import org.recspark.jobs.training.SampleSplit;
import org.recspark.model.TaskSpec;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.Locations;
import org.recspark.trainer.data.EvaluationData;
import org.recspark.trainer.data.TrainingData;
import org.recspark.trainer.eval.TrainingRun;
import org.recspark.trainer.plan.PipelinePlan;
import org.recspark.trainer.train.ScoredRows;
import org.recspark.trainer.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import static org.apache.spark.sql.functions.col;

/**
 * One day D of the daily incremental run, in a work directory ({@link DailyRegistry}): builds D's
 * samples (partition dt=D of the shared samples table, replaced on a rerun), checks the data guards
 * against the latest GOOD day before D (the reference), trains on D's training rows warm-started
 * from the reference's exported weights (cold, or from train_config.warm_start_from, when there is
 * no reference), scores D's held-out rows (the test split, else the evaluation split) with the new
 * and the reference model, and promotes the new model to current only when every guard passed.
 *
 * <p>Nothing collects the samples: the data guards' distributions are Spark aggregations
 * ({@link FeatureDistributions}), and training and scoring stream the day's rows from its Parquet
 * files, as {@code train} does.
 *
 * <p>Each step can be rerun: a GOOD day is not run again, any other day starts over in its own
 * directory, and nothing of an earlier day is written.
 */
public final class DailyRun {
    private static final Logger LOG = LoggerFactory.getLogger(DailyRun.class);
    private static final int PREDICT_BATCH = 4096;

    /** What a run of a day did; {@code alreadyGood} when the day had passed before and nothing ran. */
    public record Result(DayState state, Optional<GuardReport> report, Path reportFile, boolean alreadyGood) {}

    private final SparkSession spark;
    private final PipelineConfig config;
    private final Path configDir;
    private final DailyRegistry registry;
    private final int threads;
    private final DailyGuards guards;
    private final PipelinePlan plan;
    private final List<TaskSpec> tasks;
    private final ConfiguredMetrics metrics;
    private final FeatureDistributions distributions;

    /**
     * @throws ConfigException when the config cannot run daily: no held-out rows within a day, no
     *                         exported model, or a guard metric that is not computed
     */
    public DailyRun(SparkSession spark, PipelineConfig config, Path configDir, Path workDir, int threads) {
        this.spark = spark;
        this.config = config;
        this.configDir = configDir;
        this.registry = new DailyRegistry(workDir);
        this.threads = threads;
        this.guards = config.getDailyConfig().getGuards();
        this.plan = PipelinePlan.compile(config, configDir);
        this.tasks = plan.tasks();
        this.metrics = plan.metrics();
        checkConfig();
        List<String> guarded = guards.getFeaturesCount() > 0 ? guards.getFeaturesList()
                : plan.schema().features().stream().map(FeatureSpec::name).toList();
        this.distributions = new FeatureDistributions(spark, plan.schema(), guarded, binaryLabels());
    }

    private void checkConfig() {
        List<Violation> problems = new ArrayList<>();
        switch (config.getInputConfig().getSplit().getKindCase()) {
            case BY_TIME, RANDOM -> { }
            default -> problems.add(new Violation("input_config.split", "a daily run splits each day into training and held-out rows: "
                    + "use by_time or random, got " + config.getInputConfig().getSplit().getKindCase()));
        }
        boolean exports = config.getExportConfig().getExportersList().stream()
                .anyMatch(e -> e.getType() == ExporterType.FINAL || e.getType() == ExporterType.BEST);
        if (!exports) {
            problems.add(new Violation("export_config.exporters", "a daily run promotes an exported model: add a FINAL or BEST exporter"));
        }
        // The guard scores the held-out rows; ranking metrics (recall@K ...) rank a corpus instead.
        List<String> pointWise = metrics.names().stream()
                .filter(n -> metrics.rankingMetrics().stream().noneMatch(r -> r.name().equals(n))).toList();
        if (!pointWise.contains(guards.getAucMetric())) {
            boolean ranking = metrics.names().contains(guards.getAucMetric());
            problems.add(new Violation("daily_config.guards.auc_metric", "must be a metric eval_config computes " + pointWise
                    + ", got '" + guards.getAucMetric() + "'" + (ranking ? " (a ranking metric, which the guard cannot score rows with)" : "")));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /**
     * Runs the day holding the work directory's lock ({@link DirectoryLock}): a second run for the
     * same work directory, of any day, is refused naming this one.
     */
    public Result run(String date) {
        try (DirectoryLock lock = DirectoryLock.acquire(registry.workDir(), "daily --date " + date)) {
            return run(date, lock);
        }
    }

    private Result run(String date, DirectoryLock lock) {
        Optional<DayState> before = registry.state(date);
        if (before.isPresent() && before.get().status() == DayState.Status.GOOD) {
            // a crash after the state was written may have left the pointer behind
            registry.promote(before.get());
            LOG.info("Day {} is already GOOD ({}); nothing to do", date, before.get().bundle().orElseThrow());
            return new Result(before.get(), Optional.empty(), registry.report(date), true);
        }
        Optional<DayState> reference = registry.latestGoodBefore(date);
        Optional<String> referenceDay = reference.map(DayState::date);
        LOG.info("Daily run of {} in {}: {}", date, registry.dayDir(date),
                reference.map(r -> "reference (warm start and comparison) day " + r.date()).orElse("cold start, no earlier GOOD day"));
        registry.write(new DayState(date, DayState.Status.RUNNING, referenceDay, Optional.empty(), Optional.empty()));
        try {
            return runSteps(date, reference, lock);
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            registry.write(new DayState(date, DayState.Status.FAILED, referenceDay, Optional.empty(), Optional.of(reason)));
            LOG.error("Day {} FAILED; the current model is unchanged: {}", date, reason);
            throw e;
        }
    }

    private Result runSteps(String date, Optional<DayState> reference, DirectoryLock lock) {
        String samplesPath = Locations.uri(registry.samples());
        new SampleBuildJob(spark, config, configDir).run(samplesPath, Locations.uri(registry.rejects()), Optional.of(date));
        Dataset<Row> day = daySamples(date);
        List<GuardCheck> checks = new ArrayList<>();
        Optional<FeatureDistributions.Bins> bins = Optional.empty();
        Optional<FeatureDistributions.DayCounts> referenceCounts = Optional.empty();
        if (reference.isPresent()) {
            Dataset<Row> referenceDay = daySamples(reference.get().date());
            FeatureDistributions.DayCounts counts = distributions.count(referenceDay, Optional.empty());
            if (counts.rows() == 0) {
                throw new IllegalStateException("the reference day " + reference.get().date() + " has no samples in "
                        + registry.samples().resolve(SampleBuildJob.DT + "=" + reference.get().date())
                        + ": the drift guards cannot compare with it; rebuild that day's samples");
            }
            bins = Optional.of(distributions.bins(referenceDay, counts, guards.getNumericBins(), guards.getTopValues()));
            referenceCounts = Optional.of(distributions.count(referenceDay, bins));
        }
        FeatureDistributions.DayCounts dayCounts = distributions.count(day, bins);
        checks.addAll(positiveRates(dayCounts));
        if (referenceCounts.isPresent()) {
            checks.addAll(distributions.drift(bins.get(), referenceCounts.get(), dayCounts, guards.getMaxPsi(),
                    guards.getMaxMissingRateChange()));
        }
        if (checks.stream().anyMatch(c -> !c.passed())) {
            return refuse(date, reference, checks);
        }

        List<SampleSource> split = SamplePlanner.plan(spark, SampleSplit.parts(day, config.getInputConfig()));
        PipelineConfig trainingConfig = dayConfig(reference);
        var conf = spark.sparkContext().hadoopConfiguration();
        var input = config.getInputConfig();
        TrainingData train = ParquetSampleChunks.training(split.get(0), conf, plan.schema(), trainingConfig, 0);
        EvaluationData eval = ParquetSampleChunks.evaluation(split.get(1), conf, plan.schema(), input);
        Optional<EvaluationData> test = Optional.ofNullable(split.get(2)).map(t -> ParquetSampleChunks.evaluation(t, conf, plan.schema(), input));
        Path runDir = registry.runDir(date);
        registry.removeEarlierAttempt(date);
        TrainingRun.Summary summary = new TrainingRun(trainingConfig, configDir, plan.schema(), runDir, threads)
                .run(train, eval, test);
        Path bundle = summary.exported().orElseThrow(() -> new IllegalStateException("the run exported no model"));
        EvaluationData heldOut = test.orElse(eval);
        double newAuc = auc(ExportBundle.open(bundle), heldOut);
        if (reference.isPresent()) {
            double previousAuc = auc(ExportBundle.open(reference.get().bundle().orElseThrow()), heldOut);
            checks.add(DailyGuardChecks.aucDrop(guards.getAucMetric(), previousAuc, newAuc, guards.getMaxAucDrop()));
            if (!checks.get(checks.size() - 1).passed()) {
                return refuse(date, reference, checks);
            }
        }
        DayState good = new DayState(date, DayState.Status.GOOD, reference.map(DayState::date), Optional.of(bundle), Optional.empty());
        String line = String.format(Locale.ROOT, "day %s GOOD: %d checks passed; %s %.5f on %d held-out rows; model %s",
                date, checks.size(), guards.getAucMetric(), newAuc, heldOut.numRows(), bundle);
        GuardReport report = new GuardReport(date, DayState.Status.GOOD, reference.map(DayState::date), checks, line);
        AtomicJsonFile.write(registry.report(date), report.toJson());
        lock.checkHeld();
        registry.write(good);
        registry.promote(good);
        LOG.info("Daily run: {}", line);
        return new Result(good, Optional.of(report), registry.report(date), false);
    }

    private Result refuse(String date, Optional<DayState> reference, List<GuardCheck> checks) {
        List<GuardCheck> failed = checks.stream().filter(c -> !c.passed()).toList();
        String line = "day " + date + " REFUSED by " + failed.size() + " guard" + (failed.size() == 1 ? "" : "s") + "; the current model "
                + registry.current().map(c -> "stays day " + c.date()).orElse("is still none") + ": "
                + String.join("; ", failed.stream().map(GuardCheck::describe).toList());
        GuardReport report = new GuardReport(date, DayState.Status.REFUSED, reference.map(DayState::date), checks, line);
        AtomicJsonFile.write(registry.report(date), report.toJson());
        DayState refused = new DayState(date, DayState.Status.REFUSED, reference.map(DayState::date), Optional.empty(),
                Optional.of(failed.stream().map(c -> c.guard() + (c.feature() == null ? "" : " " + c.feature())).toList().toString()));
        registry.write(refused);
        failed.forEach(c -> LOG.warn("Day {}: {}", date, c.describe()));
        LOG.warn("Daily run: {}", line);
        return new Result(refused, Optional.of(report), registry.report(date), false);
    }

    /** The config of the day's training: warm-started from the reference's exported weights when there is one. */
    private PipelineConfig dayConfig(Optional<DayState> reference) {
        if (reference.isEmpty()) {
            return config;
        }
        Path weights = reference.get().bundle().orElseThrow().resolve("weights");
        PipelineConfig.Builder b = config.toBuilder();
        b.getTrainConfigBuilder().setWarmStartFrom(Locations.uri(weights));
        return b.build();
    }

    private Dataset<Row> daySamples(String date) {
        return PartitionedOutputDirectory.read(spark, Locations.uri(registry.samples())).where(col(SampleBuildJob.DT).cast("string").equalTo(date));
    }

    /** The labels of the binary tasks, whose positive rates are guarded. */
    private List<String> binaryLabels() {
        return tasks.stream().filter(t -> t.kind() != TaskSpec.OutputKind.VALUE).map(TaskSpec::label).distinct().toList();
    }

    private List<GuardCheck> positiveRates(FeatureDistributions.DayCounts day) {
        List<String> labels = binaryLabels();
        List<GuardCheck> out = new ArrayList<>();
        for (TaskSpec task : tasks) {
            if (task.kind() == TaskSpec.OutputKind.VALUE) {
                continue;
            }
            long positives = day.positives()[labels.indexOf(task.label())];
            GuardCheck c = DailyGuardChecks.positiveRate(positives, day.rows(), guards.getMinPositiveRate(), guards.getMaxPositiveRate());
            out.add(new GuardCheck(c.guard(), c.feature(), c.value(), c.limit(), c.passed(), "label " + task.label() + ": " + c.detail()));
        }
        return out;
    }

    /** The guard's AUC of an exported model on the rows; the bundle is verified (checksums) as it opens. */
    private double auc(ExportBundle bundle, EvaluationData rows) {
        ExportBundle.LoadedModel loaded = bundle.load();
        if (!loaded.generator().schema().features().equals(plan.schema().features())) {
            throw new IllegalStateException("the model in " + bundle.directory() + " has another feature schema than feature_config: "
                    + "it cannot be scored on today's samples; start a new work directory (cold start) after a feature change");
        }
        ScoredRows scored = Trainer.score(loaded.model(), rows, PREDICT_BATCH);
        return metrics.compute(scored.predictions(), scored.labels(), scored.groupKeys()).get(guards.getAucMetric());
    }
}

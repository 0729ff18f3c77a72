package org.recspark.jobs;

import com.google.gson.Gson;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.recspark.config.SampleRoles;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.LabelField;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.run.EvaluationSummary;
import org.recspark.config.proto.run.TestSummary;
import org.recspark.config.proto.run.TrainingSummary;
import org.recspark.config.proto.run.WarmStartSummary;
import org.recspark.features.FeatureSchema;
import org.recspark.jobs.samples.PartitionedOutputDirectory;
import org.recspark.jobs.samples.SampleBuildJob;
import org.recspark.jobs.training.DistributedTrainingJob;
import org.recspark.jobs.training.ParquetSampleChunks;
import org.recspark.jobs.training.SamplePlanner;
import org.recspark.jobs.training.SampleSource;
import org.recspark.jobs.training.SampleSplit;
import org.recspark.jobs.training.SampleTableReader;
import org.recspark.jobs.training.SamplesSchemaCheck;
import org.recspark.model.data.Examples;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.Locations;
import org.recspark.trainer.data.EvaluationData;
import org.recspark.trainer.data.TrainingData;
import org.recspark.trainer.eval.RunConflictException;
import org.recspark.trainer.eval.RunSummaryFile;
import org.recspark.trainer.eval.TrainingRun;
import org.recspark.trainer.plan.PipelinePlan;

/**
 * {@code recspark train --config CONFIG --samples PATH [--model-dir DIR] [--threads N]}: trains the
 * config's model on the samples the sample job wrote, in this process or data-parallel on Spark ({@code --workers}), split into
 * training, evaluation and (optionally) test rows by input_config.split, with periodic evaluation,
 * early stopping and exporters ({@link TrainingRun}); prints where the checkpoints, the exported
 * model, its test metrics, the plots and the summary are. Rows are streamed from the samples'
 * Parquet files (planned by {@link SamplePlanner}), never collected: memory does not grow with the
 * table. The config's {@link PipelinePlan} is compiled first, and the samples' schema checked against
 * it, so a config or a table training would refuse fails before any worker starts.
 */
final class TrainCommand extends OptionCommand {
    TrainCommand(PrintStream out) {
        super("train",
                "train the config's model on built samples (one process, or data-parallel Spark barrier tasks), with evaluation and exports",
                out, Set.of(ConfigOption.NAME, "samples", "model-dir", "threads", "workers"), Set.of("overwrite"));
    }

    @Override
    String usage() {
        return "usage: recspark train --config CONFIG --samples PATH [--model-dir DIR] [--threads N] [--workers W] [--overwrite]\n"
                + "  PATH is the output of build-samples. DIR defaults to runtime_config.model_dir (relative to the config);\n"
                + "  N defaults to runtime_config.threads_per_worker, W to runtime_config.num_workers: W > 1 trains data-parallel\n"
                + "  in W Spark barrier tasks (one per executor; DIR must be visible to every executor).\n"
                + "  train_config.warm_start_from starts from another run.\n"
                + "  A DIR holding a run resumes it from its newest complete checkpoint; a config changed in a way its\n"
                + "  checkpoints do not fit (features, model, optimizer kind, batch size, seed, shuffle, split, labels) is refused.\n"
                + "  --overwrite starts a fresh run instead, moving the earlier run's artifacts to DIR/overwritten/RUN_ID/.";
    }

    @Override
    int run(CommandLine cl) {
        boolean overwrite = cl.flag("overwrite");
        ConfigOption configOption = ConfigOption.of(cl);
        PipelinePlan plan = configOption.planRequiring("", "model_config");
        PipelineConfig config = plan.config();
        Path baseDir = configOption.baseDir();
        String modelDirText = cl.optional("model-dir").orElse(config.getRuntimeConfig().getModelDir());
        if (modelDirText.isEmpty()) {
            throw new UsageException("no model directory: pass --model-dir or set runtime_config.model_dir");
        }
        Path modelDir = cl.optional("model-dir").isPresent() ? Locations.of(modelDirText) : Locations.resolve(baseDir, modelDirText);
        int threads = cl.positiveInt("threads", config.getRuntimeConfig().getThreadsPerWorker());
        int workers = cl.positiveInt("workers", config.getRuntimeConfig().getNumWorkers());

        BuiltSamplesSplit.require(config.getInputConfig(), "train needs");
        String samplesPath = cl.required("samples");
        long started;
        TrainingSummary summary;
        // One writer per model directory: resuming, pruning and the clean-up of partial writes at start assume it.
        // Taken before Spark starts, so that a model directory in use (or a file in its place) is refused at once.
        try (DirectoryLock lock = DirectoryLock.acquire(modelDir, "train --config " + cl.required(ConfigOption.NAME))) {
            SparkSession spark = sparkSession(config.getName(), List.of());
            Dataset<Row> samples = PartitionedOutputDirectory.read(spark, samplesPath);
            SamplesSchemaCheck.require(samples.schema(), plan.samples(), samplesPath);
            List<SampleSource> split = SamplePlanner.plan(spark, SampleSplit.parts(samples, config.getInputConfig()));
            Optional<SampleSource> testRows = Optional.ofNullable(split.get(2));
            out.printf(Locale.ROOT, "train: %d training, %d evaluation and %s test samples%n", split.get(0).numRows(),
                    split.get(1).numRows(), testRows.map(t -> Long.toString(t.numRows())).orElse("no"));
            started = System.nanoTime();
            summary = train(spark, config, baseDir, modelDir, plan.schema(), split, testRows, threads, workers, overwrite, samplesPath);
        } catch (RunConflictException e) {
            // The model directory is a user choice like an option: exit 2 with the usage, which names --overwrite.
            throw new UsageException(e.getMessage());
        }
        print(summary, modelDir, (System.nanoTime() - started) / 1e9);
        return 0;
    }

    private TrainingSummary train(SparkSession spark, PipelineConfig config, Path baseDir, Path modelDir, FeatureSchema schema,
                         List<SampleSource> split, Optional<SampleSource> testRows, int threads, int workers, boolean overwrite,
                         String samplesPath) {
        if (workers > 1 && (SampleBuildJob.needsItemTable(config) || SampleBuildJob.needsHardNegatives(config))) {
            throw new UsageException("model_config.dssm: the item table (negative_sampler.pool: ITEM_TABLE, full_softmax) and hard negatives are read by "
                    + "train with one worker, not " + workers);
        }
        if (workers > 1) {
            out.printf(Locale.ROOT, "train: %d workers (barrier mode) x %d threads%n", workers, threads);
            String summaryJson = new DistributedTrainingJob(spark, config, baseDir, modelDir, workers, threads).overwriting(overwrite)
                    .run(split.get(0), split.get(1), testRows);
            return RunSummaryFile.parse(summaryJson, "worker 0's summary of " + modelDir);
        } else {
            var conf = spark.sparkContext().hadoopConfiguration();
            var input = config.getInputConfig();
            TrainingData train = ParquetSampleChunks.training(split.get(0), conf, schema, config, 0);
            EvaluationData eval = ParquetSampleChunks.evaluation(split.get(1), conf, schema, input);
            Optional<EvaluationData> test = testRows.map(t -> ParquetSampleChunks.evaluation(t, conf, schema, input));
            TrainingRun run = new TrainingRun(config, baseDir, schema, modelDir, threads).overwriting(overwrite);
            if (SampleBuildJob.needsItemTable(config)) {
                run.drawingNegativesFrom(itemRows(spark, SampleBuildJob.itemTableBeside(samplesPath), "the item table",
                        config.getModelConfig().getDssm().hasFullSoftmax() ? "model_config.dssm.full_softmax"
                        : "model_config.dssm.negative_sampler.pool: ITEM_TABLE", schema, input));
            }
            if (SampleBuildJob.needsHardNegatives(config)) {
                run.withHardNegatives(itemRows(spark, SampleBuildJob.hardNegativesBeside(samplesPath), "the hard negatives",
                        "model_config.dssm.negative_sampler.hard_negatives_per_user", schema, input));
            }
            TrainingRun.Summary summary = run.run(train, eval, test);
            return RunSummaryFile.read(summary.summaryFile());
        }
    }

    /**
     * Item rows build-samples wrote beside the samples (the item table, or the hard negatives with
     * their users), as rows of the trainer: labels 0, the group key of the user column when the
     * rows have one; only their item features are read.
     */
    private static Examples itemRows(SparkSession spark, String path, String what, String setting, FeatureSchema schema,
                                     InputConfig input) {
        if (!Files.isDirectory(Locations.of(path))) {
            throw new UsageException(setting + " draws negatives from " + what + " that build-samples writes beside the samples, but "
                    + path + " does not exist; build the samples with this config");
        }
        Dataset<Row> items = spark.read().parquet(path);
        for (LabelField label : input.getLabelsList()) {
            items = items.withColumn(label.getName(), functions.lit(0.0));
        }
        Optional<String> user = SampleRoles.userId(input);
        if (user.isPresent() && !List.of(items.columns()).contains(user.get())) {
            items = items.withColumn(user.get(), functions.lit(null).cast(DataTypes.StringType));
        }
        return SampleTableReader.read(items, schema, input);
    }

    /** What a run did, from its summary.json (written by worker 0 of a distributed run). */
    private void print(TrainingSummary s, Path modelDir, double seconds) {
        if (s.hasResumedFrom()) {
            out.printf(Locale.ROOT, "train: resumed run %s from %s%n", s.getRunId(), s.getResumedFrom());
        } else {
            out.printf(Locale.ROOT, "train: run %s%n", s.getRunId());
        }
        if (s.hasWarmStart()) {
            WarmStartSummary w = s.getWarmStart();
            out.printf(Locale.ROOT, "train: warm start from %s: %d loaded, fresh %s%n", w.getFrom(), w.getLoaded(),
                    new Gson().toJson(w.getFreshList()));
        }
        out.printf(Locale.ROOT, "train: %d steps in %.1f s; %s%n", s.getSteps(), seconds, s.getStopReason());
        if (s.hasBestEvaluation()) {
            EvaluationSummary b = s.getBestEvaluation();
            out.printf(Locale.ROOT, "train: best evaluation at step %d: %s%n", b.getStep(), format(b.getMetricsMap()));
        }
        out.printf(Locale.ROOT, "train: checkpoints under %s%n", modelDir.resolve("checkpoints"));
        out.printf(Locale.ROOT, "history: %s%nsummary: %s%n", s.getHistory(), modelDir.resolve("summary.json"));
        String exported = s.hasReportedExport() ? s.getReportedExport() : "none (export_config has no final or best exporter)";
        out.printf(Locale.ROOT, "exported model: %s%n", exported);
        TestSummary test = s.getTest();
        out.printf(Locale.ROOT, "%s metrics of the %s (%d samples): %s%n", test.getSplit(),
                s.hasReportedExport() ? "exported model" : "final model", test.getRows(), format(test.getMetricsMap()));
        for (String plot : s.getPlotsList()) {
            out.printf(Locale.ROOT, "plot: %s%n", plot);
        }
    }

    private static String format(Map<String, Double> metrics) {
        StringBuilder sb = new StringBuilder();
        metrics.forEach((name, value) -> sb.append(sb.length() == 0 ? "" : ", ").append(name).append(' ')
                .append(String.format(Locale.ROOT, "%.5f", value)));
        return sb.toString();
    }
}

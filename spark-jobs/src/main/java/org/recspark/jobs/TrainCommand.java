package org.recspark.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.rand;

import com.google.protobuf.TextFormat;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.DataSplit;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.AucAccumulator;
import org.recspark.evaluator.GaucAccumulator;
import org.recspark.evaluator.LogLossAccumulator;
import org.recspark.features.FeatureGenerator;
import org.recspark.jobs.samples.SparkSessions;
import org.recspark.jobs.training.SampleTableReader;
import org.recspark.trainer.data.Examples;
import org.recspark.trainer.model.Model;
import org.recspark.trainer.model.ModelContext;
import org.recspark.trainer.model.ModelFactory;
import org.recspark.trainer.model.TaskSpec;
import org.recspark.trainer.nn.ModelParameters;
import org.recspark.trainer.train.CheckpointReader;
import org.recspark.trainer.train.CheckpointWriter;
import org.recspark.trainer.train.Trainer;

/**
 * {@code recspark train --config CONFIG --samples PATH [--model-dir DIR] [--threads N]}: trains the
 * config's model on the samples the sample job wrote, in this process (one worker), split into
 * training and evaluation rows by input_config.split; writes checkpoints under
 * {@code <model_dir>/checkpoints} and prints the evaluation metrics of every task.
 */
final class TrainCommand implements Command {
    private final PrintStream out;

    TrainCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train the config's model on built samples (one worker), with checkpoints and evaluation";
    }

    @Override
    public String usage() {
        return "usage: recspark train --config CONFIG --samples PATH [--model-dir DIR] [--threads N]\n"
                + "  PATH is the output of build-samples. DIR defaults to runtime_config.model_dir (relative to the config);\n"
                + "  N defaults to runtime_config.threads_per_worker. train_config.warm_start_from starts from another run.";
    }

    @Override
    public int run(List<String> args) {
        CommandLine cl = CommandLine.parse(args, Set.of("config", "samples", "model-dir", "threads"));
        Path configFile = Path.of(cl.required("config"));
        PipelineConfig config = ConfigParser.load(configFile);
        Path baseDir = configFile.toAbsolutePath().getParent();
        if (!config.hasModelConfig()) {
            throw new UsageException(configFile + " has no model_config");
        }
        String modelDirText = cl.optional("model-dir").orElse(config.getRuntimeConfig().getModelDir());
        if (modelDirText.isEmpty()) {
            throw new UsageException("no model directory: pass --model-dir or set runtime_config.model_dir");
        }
        Path modelDir = cl.optional("model-dir").isPresent() ? Path.of(modelDirText) : baseDir.resolve(modelDirText);
        int threads = cl.optional("threads").map(Integer::parseInt).orElse(config.getRuntimeConfig().getThreadsPerWorker());

        switch (config.getInputConfig().getSplit().getKindCase()) {
            case KIND_NOT_SET -> throw new UsageException("input_config.split is not set: train needs held-out evaluation rows");
            case EVAL_TABLE -> throw new UsageException("input_config.split.eval_table is not supported by train on built samples; "
                    + "build the evaluation table's samples and use a by_date split");
            default -> {
            }
        }
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), baseDir);
        SparkSession spark = SparkSessions.getOrCreate("recspark train " + config.getName());
        Dataset<Row> samples = spark.read().parquet(cl.required("samples"));
        Dataset<Row>[] split = split(samples, config.getInputConfig());
        Examples train = SampleTableReader.read(split[0], generator.schema(), config.getInputConfig());
        Examples eval = SampleTableReader.read(split[1], generator.schema(), config.getInputConfig());
        out.printf(Locale.ROOT, "train: %d training and %d evaluation samples%n", train.numRows(), eval.numRows());

        ModelParameters params = new ModelParameters(config.getTrainConfig().getSeed());
        Model model = ModelFactory.create(new ModelContext(config, generator.schema(), params));
        if (config.getTrainConfig().hasWarmStartFrom()) {
            CheckpointReader.WarmStartReport report = CheckpointReader.resolve(baseDir.resolve(config.getTrainConfig().getWarmStartFrom()))
                    .warmStart(params);
            out.printf(Locale.ROOT, "train: warm start from %s: %d loaded, fresh %s%n", report.checkpoint(), report.loaded().size(), report.fresh());
        }
        CheckpointWriter checkpoints = new CheckpointWriter(modelDir.resolve("checkpoints"), config.getTrainConfig().getCheckpoint().getKeep(),
                ModelFactory.typeName(config.getModelConfig()), TextFormat.printer().printToString(config));
        long started = System.nanoTime();
        try (Trainer trainer = new Trainer(config.getTrainConfig(), model, params, threads).withCheckpoints(checkpoints)) {
            trainer.fit(train, null);
            Path last = checkpoints.write(trainer);
            out.printf(Locale.ROOT, "train: %s in %.1f s; checkpoint %s%n", trainer.state(), (System.nanoTime() - started) / 1e9, last);
            out.printf(Locale.ROOT, "train: %s%n", trainer.profile());
            if (eval.numRows() > 0) {
                Map<String, float[]> predictions = trainer.predict(eval, 4096);
                for (TaskSpec task : model.tasks()) {
                    printMetrics(task, predictions.get(task.name()), eval);
                }
            }
        }
        return 0;
    }

    private void printMetrics(TaskSpec task, float[] p, Examples eval) {
        float[] y = eval.label(task.label());
        AucAccumulator auc = new AucAccumulator();
        LogLossAccumulator logloss = new LogLossAccumulator();
        GaucAccumulator gauc = new GaucAccumulator();
        long[] users = eval.groupKeys();
        for (int i = 0; i < y.length; i++) {
            auc.add(p[i], y[i]);
            logloss.add(p[i], y[i]);
            gauc.add(Long.toString(users[i]), p[i], y[i]);
        }
        out.printf(Locale.ROOT, "eval %s: auc %.5f, gauc %.5f (%d users, %d single-class skipped), logloss %.5f over %d samples%n",
                task.name(), auc.value(), gauc.value(), gauc.users(), gauc.skippedUsers(), logloss.value(), y.length);
    }

    /** Training and evaluation rows as input_config.split says. */
    @SuppressWarnings("unchecked")
    static Dataset<Row>[] split(Dataset<Row> samples, InputConfig input) {
        DataSplit split = input.getSplit();
        return switch (split.getKindCase()) {
            case BY_DATE -> new Dataset[]{
                samples.where(col("dt").cast("string").isin(split.getByDate().getTrainDatesList().toArray())),
                samples.where(col("dt").cast("string").isin(split.getByDate().getEvalDatesList().toArray()))};
            case BY_TIME -> {
                Row range = samples.agg(min(col(input.getTimeField())), max(col(input.getTimeField()))).first();
                if (range.isNullAt(0)) {
                    throw new UsageException("the samples are empty");
                }
                double lo = ((Number) range.get(0)).doubleValue();
                double hi = ((Number) range.get(1)).doubleValue();
                double threshold = hi - split.getByTime().getEvalFraction() * (hi - lo);
                yield new Dataset[]{samples.where(col(input.getTimeField()).lt(threshold)),
                    samples.where(col(input.getTimeField()).geq(threshold))};
            }
            case RANDOM -> {
                Dataset<Row> marked = samples.withColumn("__eval", rand(split.getRandom().getSeed()).lt(split.getRandom().getEvalFraction()));
                yield new Dataset[]{marked.where(col("__eval").equalTo(false)).drop("__eval"), marked.where(col("__eval")).drop("__eval")};
            }
            case EVAL_TABLE, KIND_NOT_SET -> throw new IllegalStateException("checked before reading: " + split.getKindCase());
        };
    }
}

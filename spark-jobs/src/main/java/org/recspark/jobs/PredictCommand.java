package org.recspark.jobs;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.SampleRoles;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureSpec;
import org.recspark.jobs.prediction.Bundles;
import org.recspark.jobs.prediction.PredictionStage;
import org.recspark.jobs.samples.FeatureStage;
import org.recspark.jobs.samples.SampleBuildJob;
import org.recspark.predictor.Predictor;

/**
 * {@code recspark predict --config CONFIG --bundle DIR (--out PATH | --out-table TABLE) [--date YYYY-MM-DD]}: batch
 * prediction on Spark. The config's input tables are read, checked and joined exactly as for
 * build-samples (rejects included), with the bundle's feature config deciding the behaviour
 * statistics; each request is then scored by the online {@link Predictor}, once per request.
 * Output: the keys, labels and dt of every impression with one score column per task, Parquet or a
 * Hive table, partitioned by dt.
 */
final class PredictCommand extends OptionCommand {
    PredictCommand(PrintStream out) {
        super("predict",
                "Spark job: score the config's impressions with an exported model (the online predictor per request)",
                out, Set.of(ConfigOption.NAME, "bundle", OutputOption.PATH, OutputOption.TABLE, "date", "rejects", SplitOption.NAME), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark predict --config CONFIG --bundle DIR (--out PATH | --out-table [DB.]TABLE) [--date YYYY-MM-DD] [--rejects PATH]\n"
                + "       [--split train|eval|test|all]\n"
                + "  DIR is an export bundle (local path or Hadoop URI); the config's input_config names the tables to score.\n"
                + "  Rejects default to PATH_rejects; with --out-table, --rejects is required. TABLE is a Hive table, created when\n"
                + "  absent (Parquet, partitioned by dt). With --date only that day is scored and its partition replaced.\n"
                + "  --split scores only the rows of that part of input_config.split (the rows train held out for it),\n"
                + "  named in a split column that evaluate --split selects by; all (the default) scores every row.";
    }

    @Override
    int run(CommandLine cl) {
        ConfigOption configOption = ConfigOption.of(cl);
        Optional<String> date = cl.date("date");
        OutputOption output = OutputOption.parse(cl);
        // Not input_config.rejects.path: that is build-samples' (the same tables' rejects), which scoring would overwrite.
        String rejects = cl.optional("rejects").orElseGet(() -> output.rejectsBeside("--rejects PATH"));
        PipelineConfig config = configOption.loadRequiring("", "input_config");
        SplitOption split = SplitOption.of(cl, config.getInputConfig());
        if (split != SplitOption.ALL && date.isPresent() && config.getInputConfig().getSplit().hasByTime()) {
            throw new UsageException("--split " + split.value() + " with --date: input_config.split.by_time divides the time range "
                    + "of the whole samples table, which one day's rows do not show; score every day with --split");
        }
        String bundle = cl.required("bundle");
        Predictor predictor = Bundles.predictor(bundle);
        // The tables come from the config; features (and so the statistics replayed) from the bundle.
        PipelineConfig scoring = config.toBuilder().setFeatureConfig(predictor.config().getFeatureConfig()).build();
        Path baseDir = configOption.baseDir();
        InputConfig input = config.getInputConfig();
        List<String> tasks = predictor.tasks();
        SparkSession spark = sparkSession(config.getName(), output.hiveTables(input));
        long started = System.nanoTime();
        SampleBuildJob.Summary summary = new SampleBuildJob(spark, scoring, baseDir).run(output.sink(spark), rejects, date,
                rows -> split.select(rows, input), (joined, keep) -> PredictionStage.apply(joined, bundle, tasks, keep, requestKey(input, predictor, List.of(joined.columns()))));
        out.printf(Locale.ROOT, "predict: %d impressions%s scored with %s (%s, tasks %s) -> %s in %.1f s%n", summary.totalSamples(),
                split == SplitOption.ALL ? "" : " of the " + split.value() + " split", bundle, predictor.manifest().getModelType(), tasks,
                output, (System.nanoTime() - started) / 1e9);
        out.printf(Locale.ROOT, "predict: score columns %s; %d rejected impressions; rejects by reason %s -> %s%n",
                tasks.stream().map(t -> PredictionStage.scoreColumn(tasks, t)).toList(), summary.rejectedSamples(),
                summary.rejectsPerReason(), rejects);
        return 0;
    }

    /**
     * The columns whose values identify a request: the request id when configured, the user and
     * time (those the samples have), and every column a request-side feature reads, so the rows
     * scored as one 1 x N request share every request-side input by construction.
     */
    static List<String> requestKey(InputConfig input, Predictor predictor, List<String> columns) {
        Set<String> key = new LinkedHashSet<>();
        if (input.hasRequestIdField()) {
            key.add(input.getRequestIdField());
        }
        SampleRoles.userId(input).ifPresent(key::add);
        SampleRoles.time(input).ifPresent(key::add);
        for (FeatureSpec spec : predictor.schema().features()) {
            if (spec.perItem()) {
                continue;
            }
            for (String in : spec.inputs()) {
                int dot = in.indexOf('.');
                String side = in.substring(0, dot);
                String field = in.substring(dot + 1);
                String prefixed = FeatureStage.USER_PREFIX + field;
                if (side.equals("user") && columns.contains(prefixed)) {
                    key.add(prefixed);
                } else if (columns.contains(field)) {
                    key.add(field);
                }
            }
        }
        return new ArrayList<>(key);
    }
}

package org.recspark.jobs;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.jobs.evaluation.DistributedEvaluation;
import org.recspark.jobs.prediction.Bundles;
import org.recspark.jobs.prediction.PredictionStage;
import org.recspark.jobs.samples.PartitionedOutputDirectory;
import org.recspark.predictor.Predictor;
import org.recspark.storage.Locations;

/**
 * {@code recspark evaluate --bundle DIR --predictions PATH [--config CONFIG]}: the evaluation
 * metrics of a batch prediction's output (from {@code predict}), computed exactly on Spark; the
 * metrics are the config's eval_config (the bundle's own by default).
 */
final class EvaluateCommand extends OptionCommand {
    EvaluateCommand(PrintStream out) {
        super("evaluate",
                "Spark job: the eval_config metrics of predict's output, exact, for evaluation sets of any size",
                out, Set.of("bundle", "predictions", ConfigOption.NAME, SplitOption.NAME), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark evaluate --bundle DIR --predictions PATH [--config CONFIG] [--split train|eval|test|all]\n"
                + "  PATH is the output of predict (score and label columns); CONFIG's eval_config names the metrics "
                + "(default: the bundle's config).\n"
                + "  --split computes them on the rows of that part of input_config.split only (PATH from predict --split);\n"
                + "  all (the default) on every row of PATH.";
    }

    @Override
    int run(CommandLine cl) {
        Predictor predictor = Bundles.predictor(cl.required("bundle"));
        PipelineConfig config = cl.optional(ConfigOption.NAME).map(c -> ConfigParser.load(Locations.of(c))).orElse(predictor.config());
        SplitOption split = SplitOption.of(cl, config.getInputConfig());
        List<String> tasks = predictor.tasks();
        DistributedEvaluation evaluation = new DistributedEvaluation(config.getEvalConfig().getMetricsList(), tasks,
                config.getInputConfig().getUserIdField());
        String predictions = cl.required("predictions");
        Dataset<Row> scored = split.selectScored(PartitionedOutputDirectory.read(sparkSession("", List.of()), predictions), predictions);
        List<DistributedEvaluation.TaskColumns> columns = tasks.stream()
                .map(t -> new DistributedEvaluation.TaskColumns(t, PredictionStage.scoreColumn(tasks, t), predictor.label(t))).toList();
        long rows = scored.count();
        if (rows == 0 && split != SplitOption.ALL) {
            throw new UsageException("--split " + split.value() + ": the predictions at " + predictions + " hold no rows of the "
                    + split.value() + " split; score them with predict --split " + split.value());
        }
        Map<String, Double> metrics = JobDescriptions.run(scored.sparkSession(), "metrics", () -> evaluation.compute(scored, columns));
        StringBuilder sb = new StringBuilder();
        metrics.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format(Locale.ROOT, "%.6f", v)));
        out.printf(Locale.ROOT, "evaluate: %d rows%s: %s%n", rows, split == SplitOption.ALL ? "" : " of the " + split.value() + " split", sb);
        return 0;
    }
}

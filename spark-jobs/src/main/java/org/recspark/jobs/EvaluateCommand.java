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
                out, Set.of("bundle", "predictions", ConfigOption.NAME), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark evaluate --bundle DIR --predictions PATH [--config CONFIG]\n"
                + "  PATH is the output of predict (score and label columns); CONFIG's eval_config names the metrics "
                + "(default: the bundle's config).";
    }

    @Override
    int run(CommandLine cl) {
        Predictor predictor = Bundles.predictor(cl.required("bundle"));
        PipelineConfig config = cl.optional(ConfigOption.NAME).map(c -> ConfigParser.load(Locations.of(c))).orElse(predictor.config());
        List<String> tasks = predictor.tasks();
        DistributedEvaluation evaluation = new DistributedEvaluation(config.getEvalConfig().getMetricsList(), tasks,
                config.getInputConfig().getUserIdField());
        Dataset<Row> scored = PartitionedOutputDirectory.read(sparkSession("", List.of()), cl.required("predictions"));
        List<DistributedEvaluation.TaskColumns> columns = tasks.stream()
                .map(t -> new DistributedEvaluation.TaskColumns(t, PredictionStage.scoreColumn(tasks, t), predictor.label(t))).toList();
        long rows = scored.count();
        Map<String, Double> metrics = JobDescriptions.run(scored.sparkSession(), "metrics", () -> evaluation.compute(scored, columns));
        StringBuilder sb = new StringBuilder();
        metrics.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format(Locale.ROOT, "%.6f", v)));
        out.printf(Locale.ROOT, "evaluate: %d rows: %s%n", rows, sb);
        return 0;
    }
}

package org.recspark.jobs.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.Metric;
import org.recspark.evaluator.ConfiguredMetrics;
import org.recspark.evaluator.PrecisionRecallAccumulator;
import org.recspark.evaluator.RankingMetric;
import org.recspark.evaluator.RegressionErrors;

/**
 * The metrics of {@code eval_config.metrics} over a scored table on Spark, named as the
 * single-process {@link ConfiguredMetrics} names them ({@code auc}, {@code ctr/auc}, ...) and
 * equal to its values: for evaluation sets too large to score in one process.
 */
public final class DistributedEvaluation {
    private final List<Metric> metrics;
    private final List<String> tasks;
    private final String userColumn;

    /** A task's score and label columns in the scored table. */
    public record TaskColumns(String task, String scoreColumn, String labelColumn) {}

    public DistributedEvaluation(List<Metric> metrics, List<String> tasks, String userColumn) {
        // The same validation (and so the same errors) as the single-process evaluation.
        List<RankingMetric> ranking = new ConfiguredMetrics(metrics, tasks, userColumn).rankingMetrics();
        if (!ranking.isEmpty()) {
            throw new IllegalArgumentException("ranking metrics " + ranking.stream().map(RankingMetric::name).toList()
                    + " rank an item corpus by a model's embeddings, not a scored table: evaluate computes them with --samples");
        }
        this.metrics = List.copyOf(metrics);
        this.tasks = List.copyOf(tasks);
        this.userColumn = userColumn;
    }

    public Map<String, Double> compute(Dataset<Row> scored, List<TaskColumns> columns) {
        List<Violation> missing = new ArrayList<>();
        List<String> present = List.of(scored.columns());
        for (TaskColumns c : columns) {
            for (String name : List.of(c.scoreColumn(), c.labelColumn())) {
                if (!present.contains(name)) {
                    missing.add(new Violation("task " + c.task(), "needs column '" + name + "'; the table has " + present));
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException(missing);
        }
        scored = scored.cache();
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            for (TaskColumns c : columns) {
                String prefix = tasks.size() == 1 ? "" : c.task() + "/";
                for (Metric m : metrics) {
                    if (m.hasTask() && !m.getTask().equals(c.task())) {
                        continue;
                    }
                    String s = c.scoreColumn();
                    String y = c.labelColumn();
                    switch (m.getKindCase()) {
                        case AUC -> out.put(prefix + "auc", DistributedMetrics.auc(scored, s, y));
                        case GAUC -> out.put(prefix + "gauc", DistributedMetrics.gauc(scored, userColumn, s, y)[0]);
                        case LOGLOSS -> out.put(prefix + "logloss", DistributedMetrics.logLoss(scored, s, y));
                        case MSE, RMSE, MAE -> {
                            RegressionErrors e = DistributedMetrics.regressionErrors(scored, s, y);
                            double v = switch (m.getKindCase()) {
                                case MSE -> e.mse();
                                case RMSE -> e.rmse();
                                default -> e.mae();
                            };
                            out.put(prefix + m.getKindCase().name().toLowerCase(Locale.ROOT), v);
                        }
                        case CALIBRATION -> out.put(prefix + "calibration", DistributedMetrics.calibration(scored, s, y).value());
                        case PRECISION_RECALL -> {
                            double t = m.getPrecisionRecall().getThreshold();
                            PrecisionRecallAccumulator a = DistributedMetrics.precisionRecall(scored, s, y, t);
                            out.put(prefix + "precision@" + t, a.precision());
                            out.put(prefix + "recall@" + t, a.recall());
                        }
                        default -> throw new IllegalStateException("refused by ConfiguredMetrics: " + m.getKindCase());
                    }
                }
            }
        } finally {
            scored.unpersist();
        }
        return out;
    }
}

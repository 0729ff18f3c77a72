package org.recspark.trainer.plan;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.Violation;
import org.recspark.config.proto.ExportConfig;

/**
 * What periodic evaluation needs of the metrics a config computes: at least one, and every metric
 * that ranks exports or stops the run among them.
 */
public final class EvaluationRules {
    private EvaluationRules() {}

    /**
     * @param metricNames what evaluation reports for the model's tasks
     * @param taskNames   the model's tasks, named when no metric applies to them
     */
    public static List<Violation> check(ExportConfig exportConfig, List<String> metricNames, List<String> taskNames) {
        List<Violation> problems = new ArrayList<>();
        if (metricNames.isEmpty()) {
            problems.add(new Violation("eval_config.metrics", "no metric applies to the model's tasks " + taskNames));
        }
        if (exportConfig.hasBestMetric() && !metricNames.contains(exportConfig.getBestMetric().getMetric())) {
            problems.add(new Violation("export_config.best_metric.metric", "'" + exportConfig.getBestMetric().getMetric()
                    + "' is not computed; eval_config.metrics gives " + metricNames));
        }
        if (exportConfig.hasEarlyStop() && !metricNames.contains(exportConfig.getEarlyStop().getTarget().getMetric())) {
            problems.add(new Violation("export_config.early_stop.target.metric", "'" + exportConfig.getEarlyStop().getTarget().getMetric()
                    + "' is not computed; eval_config.metrics gives " + metricNames));
        }
        return problems;
    }
}

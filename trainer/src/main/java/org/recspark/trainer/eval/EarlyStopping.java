package org.recspark.trainer.eval;

import java.util.Locale;
import java.util.Optional;
import org.recspark.config.proto.Direction;
import org.recspark.config.proto.EarlyStop;
import org.recspark.config.proto.ExportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code export_config.early_stop}: training stops once the target metric has gone
 * {@code patience} evaluations in a row without improving on its best value by more than
 * {@code min_delta}. A NaN value never improves. Without the rule it never stops. Not
 * thread-safe: fed one evaluation at a time, in step order.
 */
final class EarlyStopping {
    private static final Logger LOG = LoggerFactory.getLogger(EarlyStopping.class);

    private final EarlyStop rule;
    private double best = Double.NaN;
    private int evaluationsWithoutImprovement;

    EarlyStopping(ExportConfig exportConfig) {
        this.rule = exportConfig.hasEarlyStop() ? exportConfig.getEarlyStop() : null;
    }

    /** Takes the next evaluation; returns why training stops at it, or empty to go on. */
    Optional<String> observe(PeriodicEvaluator.Evaluation evaluation) {
        if (rule == null) {
            return Optional.empty();
        }
        double value = evaluation.value(rule.getTarget());
        boolean improved = Double.isNaN(best)
                || (rule.getTarget().getDirection() == Direction.MAXIMIZE ? value > best + rule.getMinDelta()
                        : value < best - rule.getMinDelta());
        if (improved && !Double.isNaN(value)) {
            best = value;
            evaluationsWithoutImprovement = 0;
            return Optional.empty();
        }
        evaluationsWithoutImprovement++;
        if (evaluationsWithoutImprovement >= rule.getPatience()) {
            String reason = String.format(Locale.ROOT,
                    "early stop at step %d: %s did not improve on %.6f by more than %s in %d evaluations (patience %d)",
                    evaluation.step(), rule.getTarget().getMetric(), best, rule.getMinDelta(),
                    evaluationsWithoutImprovement, rule.getPatience());
            LOG.info(reason);
            return Optional.of(reason);
        }
        return Optional.empty();
    }
}

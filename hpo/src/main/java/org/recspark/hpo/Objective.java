package org.recspark.hpo;

import java.util.Locale;
import org.recspark.config.proto.Direction;
import org.recspark.config.proto.MetricTarget;

/**
 * What a search optimises: an evaluation metric by name ({@code auc}, {@code logloss},
 * {@code ctr/auc}) and a direction. Samplers and stopping rules compare losses, the metric oriented
 * so that lower is better; NaN (a failed or unevaluated trial) is worse than every number.
 */
public record Objective(String metric, Direction direction) {
    public static Objective of(MetricTarget target) {
        return new Objective(target.getMetric(), target.getDirection());
    }

    /** The metric value as a loss: itself when minimised, negated when maximised. */
    public double loss(double value) {
        return direction == Direction.MAXIMIZE ? -value : value;
    }

    /** Whether {@code candidate} is strictly better than {@code incumbent}; NaN is never better, and every number beats NaN. */
    public boolean better(double candidate, double incumbent) {
        if (Double.isNaN(candidate)) {
            return false;
        }
        return Double.isNaN(incumbent) || loss(candidate) < loss(incumbent);
    }

    /** {@code "auc 0.71234"}. */
    public String describe(double value) {
        return String.format(Locale.ROOT, "%s %.5f", metric, value);
    }
}

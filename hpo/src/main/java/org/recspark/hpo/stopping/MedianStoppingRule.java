package org.recspark.hpo.stopping;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.recspark.hpo.Objective;

/**
 * Median stopping (Golovin et al. 2017, Google Vizier): after an evaluation at {@code n} examples,
 * stop the trial when its best value so far is worse than the median of the earlier trials' best
 * values up to {@code n} examples. Only earlier trials that trained at least {@code n} examples
 * count, and at least {@value #MIN_TRIALS} of them must, so a rule with little evidence never stops
 * anything.
 */
public final class MedianStoppingRule implements StoppingRule {
    public static final int MIN_TRIALS = 3;

    private final Objective objective;

    public MedianStoppingRule(Objective objective) {
        this.objective = objective;
    }

    @Override
    public Optional<String> check(LearningCurve own, List<LearningCurve> earlier) {
        if (own.isEmpty()) {
            return Optional.empty();
        }
        long examples = own.lastExamples();
        double best = own.bestUpTo(examples, objective);
        List<Double> losses = new ArrayList<>();
        for (LearningCurve other : earlier) {
            double value = other.lastExamples() >= examples ? other.bestUpTo(examples, objective) : Double.NaN;
            if (!Double.isNaN(value)) {
                losses.add(objective.loss(value));
            }
        }
        if (losses.size() < MIN_TRIALS) {
            return Optional.empty();
        }
        losses.sort(Double::compare);
        int n = losses.size();
        double medianLoss = n % 2 == 1 ? losses.get(n / 2) : (losses.get(n / 2 - 1) + losses.get(n / 2)) / 2;
        double median = objective.loss(medianLoss); // the loss is its own inverse: negation or identity
        if (Double.isNaN(best) || objective.loss(best) > medianLoss) {
            return Optional.of(String.format(Locale.ROOT, "median stopping: best %s after %,d examples (step %d) is worse than the median %.5f of %d earlier trials",
                    objective.describe(best), examples, own.last().step(), median, n));
        }
        return Optional.empty();
    }
}

package org.recspark.hpo.stopping;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.recspark.hpo.Objective;

/**
 * Asynchronous successive halving (Li et al. 2020, "A System for Massively Parallel Hyperparameter
 * Tuning"): rungs at {@code minExamples * eta^k} examples. When a trial's evaluation first reaches
 * rung {@code k}, its best value so far is its value at the rung; it goes on only if that value is
 * in the top {@code 1/eta} of the values at rung {@code k} of the earlier trials that reached it and
 * its own. With fewer than {@code eta} trials at a rung only the best so far goes on (as Optuna's
 * successive-halving pruner does, since a stopped trial is never resumed). Evaluations between rungs
 * never stop a trial.
 */
public final class AshaStoppingRule implements StoppingRule {
    /** The reduction factor: one in {@code eta} trials goes on at each rung. */
    public static final int DEFAULT_ETA = 3;

    private final Objective objective;
    private final long minExamples;
    private final int eta;

    /**
     * @param minExamples the first rung: the examples at the first evaluation (the grace period every trial gets)
     */
    public AshaStoppingRule(Objective objective, long minExamples, int eta) {
        if (minExamples < 1 || eta < 2) {
            throw new IllegalArgumentException("ASHA needs minExamples >= 1 and eta >= 2, got " + minExamples + " and " + eta);
        }
        this.objective = objective;
        this.minExamples = minExamples;
        this.eta = eta;
    }

    /** The examples at rung {@code k}. */
    public long rung(int k) {
        double r = minExamples * Math.pow(eta, k);
        return r >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) r;
    }

    /** The highest rung at or below {@code examples}, or -1 below the first. */
    int rungAt(long examples) {
        int k = -1;
        while (k < 62 && rung(k + 1) <= examples) {
            k++;
        }
        return k;
    }

    @Override
    public Optional<String> check(LearningCurve own, List<LearningCurve> earlier) {
        if (own.isEmpty()) {
            return Optional.empty();
        }
        long examples = own.lastExamples();
        int k = rungAt(examples);
        long before = own.points().size() > 1 ? own.points().get(own.points().size() - 2).examples() : -1;
        if (k < 0 || rungAt(before) >= k) {
            return Optional.empty();
        }
        long rung = rung(k);
        double value = own.bestUpTo(examples, objective);
        List<Double> losses = new ArrayList<>();
        losses.add(objective.loss(value));
        for (LearningCurve other : earlier) {
            double v = valueAtRung(other, rung);
            if (!Double.isNaN(v)) {
                losses.add(objective.loss(v));
            }
        }
        losses.sort(Double::compare);
        int promotable = Math.max(losses.size() / eta - 1, 0);
        double cutoff = losses.get(promotable);
        if (Double.isNaN(value) || objective.loss(value) > cutoff) {
            return Optional.of(String.format(Locale.ROOT, "ASHA: %s at rung %d (%,d examples, step %d) is not in the top 1/%d of the %d trials there (cut-off %.5f)",
                    objective.describe(value), k, rung, own.last().step(), eta, losses.size(), objective.loss(cutoff)));
        }
        return Optional.empty();
    }

    /** A curve's value at a rung: its best so far at its first evaluation at or beyond the rung; NaN if it never got there. */
    private double valueAtRung(LearningCurve curve, long rung) {
        for (LearningCurve.Point p : curve.points()) {
            if (p.examples() >= rung) {
                return curve.bestUpTo(p.examples(), objective);
            }
        }
        return Double.NaN;
    }
}

package org.recspark.trainer.autocross;

import java.util.List;

/**
 * What a cross search found.
 *
 * @param baseAuc  validation AUC of the logistic regression on the single fields
 * @param rounds   each round's candidates, best first (the first round ranks the pairs)
 * @param selected the crosses chosen, in the order chosen; each gain is over the model with the earlier ones
 */
public record AutoCrossResult(double baseAuc, List<List<ScoredCross>> rounds, List<ScoredCross> selected) {
    public AutoCrossResult {
        rounds = rounds.stream().map(List::copyOf).toList();
        selected = List.copyOf(selected);
    }

    /** Validation AUC of the model with every selected cross. */
    public double finalAuc() {
        return selected.isEmpty() ? baseAuc : selected.get(selected.size() - 1).validationAuc();
    }
}

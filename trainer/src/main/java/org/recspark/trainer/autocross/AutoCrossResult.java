package org.recspark.trainer.autocross;

import java.util.List;

/**
 * What a cross search found.
 *
 * @param baseAuc  validation AUC of the logistic regression on the single fields
 * @param finalAuc validation AUC of that model with every selected cross, refitted
 * @param rounds   each round's candidates, best first (the first round ranks the pairs)
 * @param selected the crosses chosen, in the order chosen; each gain is over the model with the earlier ones
 */
public record AutoCrossResult(double baseAuc, double finalAuc, List<List<ScoredCross>> rounds, List<ScoredCross> selected) {
    public AutoCrossResult {
        rounds = rounds.stream().map(List::copyOf).toList();
        selected = List.copyOf(selected);
    }
}

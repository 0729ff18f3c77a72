package org.recspark.trainer.autocross;

import java.util.List;

/**
 * A candidate cross and its field-wise score against the model of its round.
 *
 * @param fields        the crossed fields, in the order of the search's fields
 * @param cardinality   distinct combinations in the training rows
 * @param validationAuc validation AUC of the round's model, held fixed, plus this cross
 * @param gain          that AUC minus the round's model's validation AUC
 */
public record ScoredCross(List<String> fields, int cardinality, double validationAuc, double gain) {
    public ScoredCross {
        fields = List.copyOf(fields);
    }

    public String name() {
        return String.join(" x ", fields);
    }
}

package org.recspark.model;

import org.recspark.config.proto.LossType;

/**
 * One prediction target of a model: its name (metrics of multi-task models are "<name>/<metric>"),
 * the label it learns, its loss and weight in the total loss, and what its output tensor holds.
 */
public record TaskSpec(String name, String label, LossType loss, float weight, OutputKind kind) {
    public enum OutputKind {
        /** A logit; the prediction is its sigmoid. */
        LOGIT,
        /** A probability already (ESMM's pCTCVR). */
        PROBABILITY,
        /** A real value (regression). */
        VALUE
    }
}

package org.recspark.model;

import org.recspark.model.data.RequestExamples;
import org.recspark.model.tensor.Workspace;

/**
 * A model that can score one request of 1 user x N items without repeating its request-side work
 * per item: embeddings of user and context features pooled once, and every term that depends on
 * them alone computed once and added to each item's. Optional: the predictor uses it when a model
 * has it and expands the request into N ordinary rows otherwise. Its outputs equal
 * {@link Model#forward} over {@link RequestExamples#expanded()} up to float rounding.
 */
public interface RequestScoring {
    /**
     * Inference-mode outputs (no dropout, running batch-norm statistics), N x 1 per task. Large
     * intermediate arrays come from {@code workspace} when given (null: allocated), so the outputs
     * are only valid until its next pass begins ({@link ModelOutput#predictions} copies them).
     */
    ModelOutput forwardRequest(RequestExamples request, Workspace workspace);
}

package org.recspark.model;

import org.recspark.model.data.Examples;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Tensor;

/**
 * What training minimises for a {@link Model}, and what it updates as the data goes by. A model
 * whose objective is its own (DSSM's in-batch sampled softmax and its item frequency estimates)
 * implements this interface beside {@code Model}; {@link #of} gives every other model the sum of
 * its tasks' losses. Only training calls it: scoring needs the {@code Model} alone.
 */
public interface TrainingObjective {
    /**
     * Called once per training step with the whole batch, before the shards' passes and on one
     * thread: for state that follows the data (DSSM's item frequency estimates). Does nothing by
     * default.
     */
    default void beforeStep(Examples batch, long step) {
    }

    /**
     * The loss of a batch shard, as a 1 x 1 tensor: per-row losses summed and multiplied by
     * {@code scale} (1 / global batch size), so shard gradients add up to the batch mean's gradient.
     */
    Tensor loss(Pass pass, ModelOutput output, float scale);

    /** The model's own objective if it defines one, else the weighted sum of its tasks' losses. */
    static TrainingObjective of(Model model) {
        return model instanceof TrainingObjective own ? own : new TaskLosses(model.tasks());
    }
}

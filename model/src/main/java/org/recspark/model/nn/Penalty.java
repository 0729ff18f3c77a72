package org.recspark.model.nn;

import org.recspark.model.tensor.Tensor;

/**
 * A term a model adds to its training loss beside its tasks' (a regulariser of its own parameters),
 * registered in {@link ModelParameters#addPenalty} so training picks it up whatever the model.
 */
@FunctionalInterface
public interface Penalty {
    /**
     * The term's share for a batch shard, 1 x 1: the whole step's term times {@code pass.rows() *
     * scale}, so the shards' shares add up to the term once per step.
     */
    Tensor loss(Pass pass, float scale);
}

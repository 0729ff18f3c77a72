package org.recspark.trainer.train;

/** Hooks into the training loop (periodic evaluation, early stopping); return false to stop training. */
public interface TrainingListener {
    default boolean afterStep(Trainer trainer, double loss) {
        return true;
    }

    default boolean afterEpoch(Trainer trainer) {
        return true;
    }
}

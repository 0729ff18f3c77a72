package org.recspark.trainer.eval;

/**
 * Receives a {@link TrainingProgress} snapshot after every step and every epoch of the lead worker
 * (so after every periodic evaluation, which ends a step or an epoch), and once more after the
 * run's final evaluation. Called on the training thread: it must be quick, and it decides itself
 * how often to pass a snapshot on.
 */
@FunctionalInterface
public interface ProgressListener {
    void progress(TrainingProgress progress);
}

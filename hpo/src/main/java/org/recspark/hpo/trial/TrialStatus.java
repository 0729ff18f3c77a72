package org.recspark.hpo.trial;

/** How a trial ended. */
public enum TrialStatus {
    /** Trained as its config says (its epochs, max_steps or its own early stopping). */
    COMPLETED,
    /** Stopped early by the search's stopping rule because it fell behind the earlier trials. */
    STOPPED,
    /** Did not produce an objective value: an invalid sampled config, an exception, a diverged (NaN) loss. */
    FAILED
}

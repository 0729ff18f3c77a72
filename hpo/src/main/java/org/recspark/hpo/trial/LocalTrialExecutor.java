package org.recspark.hpo.trial;

import java.nio.file.Path;

/** Runs trials in the calling thread on rows from a {@link TrialDataSource}; the search's thread pool runs several at once. */
public final class LocalTrialExecutor implements TrialExecutor {
    private final TrialDataSource data;
    private final TrialRunner runner;

    public LocalTrialExecutor(TrialDataSource data, TrialRunner runner) {
        this.data = data;
        this.runner = runner;
    }

    @Override
    public TrialOutcome run(TrialSpec spec, Path runDir) {
        return runner.run(spec, () -> data.forConfig(spec.config()), runDir);
    }
}

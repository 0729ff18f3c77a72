package org.recspark.hpo.trial;

import java.nio.file.Path;

/**
 * Runs one trial somewhere: in this process ({@link LocalTrialExecutor}) or as a Spark task (in
 * spark-jobs). Called from several threads at once, one trial each. A trial's own failure is an
 * outcome with status FAILED, not an exception; an exception means the executor itself broke.
 */
public interface TrialExecutor {
    TrialOutcome run(TrialSpec spec, Path runDir);
}

package org.recspark.hpo.trial;

import org.recspark.config.proto.PipelineConfig;

/**
 * Supplies a trial's rows for its config: the same rows for every trial, through the trial's own
 * feature config (a searched {@code hash_bucket_size} changes the ids). Thread-safe.
 */
public interface TrialDataSource {
    TrialData forConfig(PipelineConfig config);
}

package org.recspark.hpo.trial;

import java.util.List;
import java.util.Map;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.hpo.stopping.LearningCurve;

/**
 * One trial to run: its number, its parameters as config text by path, the validated config they
 * make, and the learning curves of the earlier trials its stopping rule compares it with.
 */
public record TrialSpec(int number, Map<String, String> params, PipelineConfig config, List<LearningCurve> earlierCurves) {
    public TrialSpec {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        earlierCurves = List.copyOf(earlierCurves);
    }
}

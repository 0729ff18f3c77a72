package org.recspark.hpo.trial;

import java.util.Map;

/** A finished trial: its number, its parameters as config text by path, and its outcome. */
public record TrialRecord(int number, Map<String, String> params, TrialOutcome outcome) {
    public TrialRecord {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
    }
}

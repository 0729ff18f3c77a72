package org.recspark.bench.retrieval;

import java.util.List;
import java.util.Map;

/**
 * What a {@link RetrievalPeer} reports.
 *
 * @param settings      the settings it chose on validation, as text
 * @param validation    its metrics on the validation task with those settings
 * @param test          its metrics on the test task
 * @param trainSeconds  wall time of the final fit on the test task's training ratings (data preparation and scoring excluded)
 * @param tuningSeconds wall time of the search on validation (every fit and its scoring)
 * @param trials        one line per setting tried on validation, with its validation metric
 */
public record PeerResult(String method, String settings, Map<String, Double> validation, Map<String, Double> test,
                         double trainSeconds, double tuningSeconds, List<String> trials) {
    public PeerResult {
        validation = Map.copyOf(validation);
        test = Map.copyOf(test);
        trials = List.copyOf(trials);
    }
}

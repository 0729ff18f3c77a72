package org.recspark.hpo.trial;

import java.util.Optional;
import org.recspark.model.data.Examples;

/** The rows a trial trains on, evaluates on (the objective) and reports on (the exported model's test metrics, when present). */
public record TrialData(Examples train, Examples eval, Optional<Examples> test) {}

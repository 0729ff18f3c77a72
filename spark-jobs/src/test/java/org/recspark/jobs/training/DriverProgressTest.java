package org.recspark.jobs.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recspark.trainer.eval.TrainingProgress;

/** The driver's progress line (no Spark started). */
class DriverProgressTest {
    @Test
    void aLineHasTheStepOfPlannedRatesSinceTheLastLineTheEtaAndTheLatestEvaluation() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("auc", 0.712345);
        metrics.put("logloss", 0.4);
        TrainingProgress earlier = new TrainingProgress(100, 400, 0, 12_800, 100, 12_800, 20, 60, -1, Map.of());
        TrainingProgress now = new TrainingProgress(150, 400, 1, 19_200, 150, 19_200, 30, 80, 150, metrics);
        assertEquals("step 150 of 400 (38%), epoch 1, 640 samples/s, loss 0.40000, ETA 50s; evaluation at step 150: auc 0.71235, logloss 0.40000",
                DriverProgress.describe(now, earlier));
        assertEquals("step 100 of 400 (25%), epoch 0, 640 samples/s, loss 0.60000, ETA 1m 00s", DriverProgress.describe(earlier, null));
    }

    @Test
    void theFinalEvaluationAfterTheLastStepHasNoRates() {
        TrainingProgress trained = new TrainingProgress(400, 400, 3, 51_200, 400, 51_200, 80, 120, 380, Map.of("auc", 0.7));
        TrainingProgress evaluated = new TrainingProgress(400, 400, 4, 51_200, 400, 51_200, 81, 120, 400, Map.of("auc", 0.75));
        assertEquals("step 400 of 400 (100%), epoch 4, ETA 0s; evaluation at step 400: auc 0.75000", DriverProgress.describe(evaluated, trained));
    }

    @Test
    void aRetriedAttemptSaysWhereItResumed() {
        TrainingProgress failed = new TrainingProgress(250, 400, 2, 32_000, 250, 32_000, 50, 75, 200, Map.of("auc", 0.7));
        TrainingProgress resumed = new TrainingProgress(210, 400, 1, 26_880, 10, 1_280, 4, 3, 200, Map.of("auc", 0.7));
        assertEquals("step 210 of 400 (53%), epoch 1, 320 samples/s, loss 0.30000, ETA 1m 16s (a new attempt, resumed at step 200);"
                + " evaluation at step 200: auc 0.70000", DriverProgress.describe(resumed, failed));
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertEquals("59s", DriverProgress.duration(59));
        assertEquals("1m 05s", DriverProgress.duration(65));
        assertEquals("2h 03m", DriverProgress.duration(2 * 3600 + 3 * 60 + 59));
    }
}

package org.recspark.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.Direction;
import org.recspark.config.proto.EarlyStop;
import org.recspark.config.proto.ExportConfig;
import org.recspark.config.proto.MetricTarget;

class EarlyStoppingTest {

    private static EarlyStopping rule(Direction direction, int patience, double minDelta) {
        return new EarlyStopping(ExportConfig.newBuilder().setEarlyStop(EarlyStop.newBuilder()
                .setTarget(MetricTarget.newBuilder().setMetric("auc").setDirection(direction))
                .setPatience(patience).setMinDelta(minDelta)).build());
    }

    /** The step (1-based evaluation index) at which the rule stops on these values, or -1. */
    private static long stopStep(EarlyStopping stopping, double... values) {
        for (int i = 0; i < values.length; i++) {
            Optional<String> reason = stopping.observe(new PeriodicEvaluator.Evaluation(i + 1, 0, Map.of("auc", values[i])));
            if (reason.isPresent()) {
                return i + 1;
            }
        }
        return -1;
    }

    @Test
    void stopsAfterPatienceEvaluationsWithoutImprovement() {
        assertEquals(4, stopStep(rule(Direction.MAXIMIZE, 2, 0), 0.70, 0.72, 0.71, 0.72, 0.80));
    }

    @Test
    void anImprovementResetsTheCount() {
        assertEquals(5, stopStep(rule(Direction.MAXIMIZE, 2, 0), 0.70, 0.69, 0.71, 0.70, 0.70, 0.80));
    }

    @Test
    void improvementsWithinMinDeltaDoNotCount() {
        assertEquals(3, stopStep(rule(Direction.MAXIMIZE, 2, 0.01), 0.70, 0.705, 0.709, 0.80));
    }

    @Test
    void minimisedTargetImprovesDownwards() {
        assertEquals(-1, stopStep(rule(Direction.MINIMIZE, 1, 0), 0.5, 0.4, 0.3));
        assertEquals(2, stopStep(rule(Direction.MINIMIZE, 1, 0), 0.5, 0.6));
    }

    @Test
    void nanNeverImproves() {
        assertEquals(3, stopStep(rule(Direction.MAXIMIZE, 2, 0), 0.7, Double.NaN, Double.NaN));
        assertEquals(2, stopStep(rule(Direction.MAXIMIZE, 2, 0), Double.NaN, Double.NaN));
    }

    @Test
    void reasonNamesStepMetricBestAndPatience() {
        EarlyStopping stopping = rule(Direction.MAXIMIZE, 1, 0);
        stopping.observe(new PeriodicEvaluator.Evaluation(100, 0, Map.of("auc", 0.75)));
        String reason = stopping.observe(new PeriodicEvaluator.Evaluation(200, 1, Map.of("auc", 0.74))).orElseThrow();
        assertEquals("early stop at step 200: auc did not improve on 0.750000 by more than 0.0 in 1 evaluations (patience 1)", reason);
    }

    @Test
    void withoutARuleNeverStops() {
        EarlyStopping stopping = new EarlyStopping(ExportConfig.getDefaultInstance());
        List<Optional<String>> reasons = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            reasons.add(stopping.observe(new PeriodicEvaluator.Evaluation(i, 0, Map.of("auc", 0.5))));
        }
        assertTrue(reasons.stream().allMatch(Optional::isEmpty), reasons.toString());
    }

    @Test
    void aTargetThatIsNotComputedIsAnError() {
        EarlyStopping stopping = rule(Direction.MAXIMIZE, 1, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stopping.observe(new PeriodicEvaluator.Evaluation(1, 0, Map.of("logloss", 0.5))));
        assertTrue(e.getMessage().contains("'auc' is not computed"), e.getMessage());
    }
}

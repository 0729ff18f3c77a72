package org.recspark.hpo.stopping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.Direction;
import org.recspark.config.proto.TrialStopping;
import org.recspark.hpo.Objective;

/** Median stopping and ASHA on fake metric streams: evaluations every 1,000 examples. */
class StoppingRulesTest {
    private static final Objective AUC = new Objective("auc", Direction.MAXIMIZE);
    private static final Objective LOGLOSS = new Objective("logloss", Direction.MINIMIZE);

    /** A curve with one evaluation per 1,000 examples (batch 100, every 10 steps). */
    private static LearningCurve curve(double... values) {
        List<LearningCurve.Point> points = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            points.add(new LearningCurve.Point(10L * (i + 1), 1000L * (i + 1), values[i]));
        }
        return new LearningCurve(points);
    }

    /** Feeds the stream to the rule one evaluation at a time, as the trainer does; the index of the evaluation that stopped it, or -1. */
    private static int stopsAt(StoppingRule rule, List<LearningCurve> earlier, double... stream) {
        LearningCurve own = LearningCurve.empty();
        for (int i = 0; i < stream.length; i++) {
            own = own.plus(new LearningCurve.Point(10L * (i + 1), 1000L * (i + 1), stream[i]));
            if (rule.check(own, earlier).isPresent()) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void medianStopsATrialWhoseBestSoFarIsBelowTheMedianOfEarlierTrials() {
        MedianStoppingRule rule = new MedianStoppingRule(AUC);
        List<LearningCurve> earlier = List.of(curve(0.60, 0.65, 0.70), curve(0.62, 0.66, 0.69), curve(0.58, 0.64, 0.71));
        // medians of best-so-far: 0.60, 0.65, 0.70
        assertEquals(-1, stopsAt(rule, earlier, 0.61, 0.66, 0.72), "always above the median");
        assertEquals(1, stopsAt(rule, earlier, 0.61, 0.62, 0.80), "0.62 after 2,000 examples is below 0.65");
        assertEquals(0, stopsAt(rule, earlier, 0.55), "stops at the first evaluation");
        // a trial that fell back below its own earlier best is judged by that best: 0.66 >= 0.65 at step 2
        assertEquals(-1, stopsAt(rule, earlier, 0.66, 0.50));
        Optional<String> reason = rule.check(curve(0.61, 0.62), earlier);
        assertEquals(Optional.of("median stopping: best auc 0.62000 after 2,000 examples (step 20) is worse than the median 0.65000 of 3 earlier trials"),
                reason);
    }

    @Test
    void medianNeedsThreeEarlierTrialsThatTrainedAsFar() {
        MedianStoppingRule rule = new MedianStoppingRule(AUC);
        assertEquals(-1, stopsAt(rule, List.of(curve(0.9, 0.9), curve(0.9, 0.9)), 0.5, 0.5), "two earlier trials are too few");
        List<LearningCurve> shortOnes = List.of(curve(0.9), curve(0.9), curve(0.9), curve(0.5, 0.5, 0.5));
        assertEquals(0, stopsAt(rule, shortOnes, 0.5, 0.5), "at 1,000 examples four trials count, median 0.9");
        assertEquals(-1, stopsAt(rule, shortOnes, 0.95, 0.4), "at 2,000 only one earlier trial got there; 0.95 was fine at 1,000");
    }

    @Test
    void medianComparesLossesTheRightWayRound() {
        MedianStoppingRule rule = new MedianStoppingRule(LOGLOSS);
        List<LearningCurve> earlier = List.of(curve(0.50, 0.45), curve(0.52, 0.47), curve(0.51, 0.46));
        assertEquals(-1, stopsAt(rule, earlier, 0.49, 0.44));
        assertEquals(1, stopsAt(rule, earlier, 0.49, 0.48), "0.48 is worse than the median loss 0.46");
    }

    @Test
    void ashaPromotesTheTopThirdAtEachRung() {
        AshaStoppingRule rule = new AshaStoppingRule(AUC, 1000, 3);
        assertEquals(1000, rule.rung(0));
        assertEquals(3000, rule.rung(1));
        assertEquals(9000, rule.rung(2));
        List<LearningCurve> earlier = new ArrayList<>();
        // the first trial is alone at every rung and goes on
        assertEquals(-1, stopsAt(rule, earlier, 0.60, 0.62, 0.64, 0.65));
        earlier.add(curve(0.60, 0.62, 0.64, 0.65));
        // with fewer than eta trials at a rung, only the best so far goes on
        assertEquals(0, stopsAt(rule, earlier, 0.59));
        assertEquals(-1, stopsAt(rule, earlier, 0.61, 0.50, 0.66), "0.61 leads rung 0; at rung 1 (3,000) its best 0.66 beats 0.64");
        earlier.add(curve(0.61, 0.50, 0.66));
        earlier.add(curve(0.55));
        earlier.add(curve(0.57));
        earlier.add(curve(0.58));
        // rung 0 now holds 0.60, 0.61, 0.55, 0.57, 0.58 and the newcomer: 6 trials, top 6/3 = 2 go on
        assertEquals(-1, stopsAt(rule, earlier, 0.62, 0.63), "0.62 is the best at rung 0");
        assertEquals(0, stopsAt(rule, earlier, 0.595), "0.595 is third of six at rung 0");
        // between rungs nothing stops: evaluations at 2,000 examples are not checked
        LearningCurve own = curve(0.62, 0.10);
        assertFalse(rule.check(own, earlier).isPresent());
    }

    @Test
    void ashaReasonNamesTheRungAndCutOff() {
        AshaStoppingRule rule = new AshaStoppingRule(AUC, 1000, 3);
        Optional<String> reason = rule.check(curve(0.5), List.of(curve(0.7), curve(0.6)));
        assertTrue(reason.isPresent());
        assertEquals("ASHA: auc 0.50000 at rung 0 (1,000 examples, step 10) is not in the top 1/3 of the 3 trials there (cut-off 0.70000)",
                reason.get());
    }

    @Test
    void rulesComeFromTheConfigEnum() {
        assertEquals(StoppingRules.NONE, StoppingRules.create(TrialStopping.NO_STOPPING, AUC, 1000));
        assertTrue(StoppingRules.create(TrialStopping.MEDIAN, AUC, 1000) instanceof MedianStoppingRule);
        AshaStoppingRule asha = (AshaStoppingRule) StoppingRules.create(TrialStopping.ASHA, AUC, 4096);
        assertEquals(4096, asha.rung(0));
        assertEquals(-1, stopsAt(StoppingRules.NONE, List.of(curve(0.9, 0.9, 0.9)), 0.1, 0.1, 0.1));
    }
}

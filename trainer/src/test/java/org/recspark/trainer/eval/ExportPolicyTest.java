package org.recspark.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.proto.Direction;
import org.recspark.config.proto.EarlyStop;
import org.recspark.config.proto.ExportConfig;
import org.recspark.config.proto.MetricTarget;

/** The ranking side of the export policy; writing and pruning bundles is covered by TrainingRunTest and RunResumeTest. */
class ExportPolicyTest {
    @TempDir
    Path runDir;

    private static MetricTarget target(String metric, Direction direction) {
        return MetricTarget.newBuilder().setMetric(metric).setDirection(direction).build();
    }

    private static PeriodicEvaluator.Evaluation eval(long step, double auc, double logloss) {
        return new PeriodicEvaluator.Evaluation(step, 0, Map.of("auc", auc, "logloss", logloss));
    }

    @Test
    void rankingMetricIsBestMetricElseEarlyStopTargetElseDefaultMaximised() {
        MetricTarget best = target("logloss", Direction.MINIMIZE);
        MetricTarget stop = target("gauc", Direction.MAXIMIZE);
        ExportConfig both = ExportConfig.newBuilder().setBestMetric(best).setEarlyStop(EarlyStop.newBuilder().setTarget(stop)).build();
        assertEquals(best, ExportPolicy.rankingMetric(both, "auc"));
        assertEquals(stop, ExportPolicy.rankingMetric(both.toBuilder().clearBestMetric().build(), "auc"));
        assertEquals(target("auc", Direction.MAXIMIZE), ExportPolicy.rankingMetric(ExportConfig.getDefaultInstance(), "auc"));
    }

    @Test
    void ranksByTheRankingMetricsDirection() {
        ExportPolicy byLoss = new ExportPolicy(ExportConfig.newBuilder().setBestMetric(target("logloss", Direction.MINIMIZE)).build(),
                null, runDir, "auc");
        assertTrue(byLoss.ranksAbove(eval(2, 0.6, 0.40), eval(1, 0.7, 0.45)));
        assertFalse(byLoss.ranksAbove(eval(2, 0.8, 0.50), eval(1, 0.7, 0.45)));
        ExportPolicy byAuc = new ExportPolicy(ExportConfig.getDefaultInstance(), null, runDir, "auc");
        assertTrue(byAuc.ranksAbove(eval(2, 0.8, 0.50), eval(1, 0.7, 0.45)));
        assertFalse(byAuc.ranksAbove(eval(2, 0.7, 0.40), eval(1, 0.7, 0.45)), "a tie keeps the earlier evaluation");
    }

    @Test
    void nanNeverRanksAboveButAnythingRanksAboveNothingOrNan() {
        ExportPolicy policy = new ExportPolicy(ExportConfig.getDefaultInstance(), null, runDir, "auc");
        assertTrue(policy.ranksAbove(eval(1, 0.5, 0.5), null));
        assertFalse(policy.ranksAbove(eval(2, Double.NaN, 0.5), eval(1, 0.5, 0.5)));
        assertTrue(policy.ranksAbove(eval(2, 0.1, 0.5), eval(1, Double.NaN, 0.5)));
    }

    @Test
    void resumeWithoutExportsOnDiskKeepsNone() {
        ExportPolicy policy = new ExportPolicy(ExportConfig.getDefaultInstance(), null, runDir, "auc");
        policy.resume(100, "run-1");
        assertTrue(policy.bestExports().isEmpty());
        assertTrue(policy.latestExports().isEmpty());
    }
}

package org.recspark.evaluator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recspark.config.ConfigException;
import org.recspark.config.proto.Auc;
import org.recspark.config.proto.Calibration;
import org.recspark.config.proto.Gauc;
import org.recspark.config.proto.LogLoss;
import org.recspark.config.proto.Metric;
import org.recspark.config.proto.PrecisionRecall;
import org.recspark.config.proto.TopK;

class ConfiguredMetricsTest {
    private static final Metric AUC = Metric.newBuilder().setAuc(Auc.getDefaultInstance()).build();
    private static final Metric LOGLOSS = Metric.newBuilder().setLogloss(LogLoss.getDefaultInstance()).build();

    @Test
    void singleTaskMetricsHaveHandComputedValuesAndPlainNames() {
        List<Metric> metrics = List.of(AUC, Metric.newBuilder().setGauc(Gauc.getDefaultInstance()).build(), LOGLOSS,
                Metric.newBuilder().setCalibration(Calibration.getDefaultInstance()).build(),
                Metric.newBuilder().setPrecisionRecall(PrecisionRecall.newBuilder().setThreshold(0.5)).build());
        ConfiguredMetrics m = new ConfiguredMetrics(metrics, List.of("click"), "user_id");
        float[] p = {0.9f, 0.2f, 0.6f, 0.4f};
        float[] y = {1, 0, 0, 1};
        long[] users = {1, 1, 2, 2};
        Map<String, Double> v = m.compute(Map.of("click", p), Map.of("click", y), users);
        assertEquals(List.of("auc", "gauc", "logloss", "calibration", "precision@0.5", "recall@0.5"), List.copyOf(v.keySet()));
        assertEquals(m.names(), List.copyOf(v.keySet()));
        // pairs (positive, negative): (0.9, 0.2) (0.9, 0.6) (0.4, 0.2) win, (0.4, 0.6) loses: 3/4
        assertEquals(0.75, v.get("auc"), 1e-12);
        // user 1: 1.0 over 2 impressions, user 2: 0.0 over 2
        assertEquals(0.5, v.get("gauc"), 1e-12);
        double logloss = -(Math.log(0.9f) + Math.log(1 - 0.2f) + Math.log(1 - 0.6f) + Math.log(0.4f)) / 4;
        assertEquals(logloss, v.get("logloss"), 1e-7);
        assertEquals((0.9f + 0.2f + 0.6f + 0.4f) / 4 / 0.5, v.get("calibration"), 1e-7);
        assertEquals(0.5, v.get("precision@0.5"), 1e-12);
        assertEquals(0.5, v.get("recall@0.5"), 1e-12);
    }

    @Test
    void multiTaskMetricsArePrefixedAndATaskMetricIsComputedForItsTaskOnly() {
        Metric cvrLogloss = LOGLOSS.toBuilder().setTask("cvr").build();
        ConfiguredMetrics m = new ConfiguredMetrics(List.of(AUC, cvrLogloss), List.of("ctr", "cvr"), "user_id");
        assertEquals(List.of("ctr/auc", "cvr/auc", "cvr/logloss"), m.names());
        Map<String, Double> v = m.compute(Map.of("ctr", new float[]{0.8f, 0.1f}, "cvr", new float[]{0.3f, 0.6f}),
                Map.of("ctr", new float[]{1, 0}, "cvr", new float[]{1, 0}), new long[]{1, 2});
        assertEquals(1.0, v.get("ctr/auc"));
        assertEquals(0.0, v.get("cvr/auc"));
        assertEquals(List.of("ctr/auc", "cvr/auc", "cvr/logloss"), List.copyOf(v.keySet()));
    }

    @Test
    void rankingMetricsWithATaskUnknownTasksAndAnotherGaucFieldAreRefusedAllAtOnce() {
        List<Metric> metrics = List.of(Metric.newBuilder().setRecallAtK(TopK.newBuilder().setK(10)).setTask("ctr").build(),
                AUC.toBuilder().setTask("ctcvr").build(),
                Metric.newBuilder().setGauc(Gauc.newBuilder().setUserField("uid")).build());
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfiguredMetrics(metrics, List.of("ctr"), "user_id"));
        String message = e.getMessage();
        assertTrue(message.contains("eval_config.metrics[0].task: recall_at_k ranks the item corpus by the model's user and item "
                + "embeddings, not by a task's output: remove task 'ctr'"), message);
        assertTrue(message.contains("eval_config.metrics[1].task: no task 'ctcvr'"), message);
        assertTrue(message.contains("eval_config.metrics[2].gauc.user_field: must be input_config.user_id_field 'user_id'"), message);
    }

    @Test
    void rankingMetricsAreNamedInConfigOrderButLeftToTheRetrievalEvaluation() {
        List<Metric> metrics = List.of(Metric.newBuilder().setRecallAtK(TopK.newBuilder().setK(20)).build(), AUC,
                Metric.newBuilder().setNdcgAtK(TopK.newBuilder().setK(5)).build(),
                Metric.newBuilder().setMrrAtK(TopK.newBuilder().setK(20)).build(),
                Metric.newBuilder().setHitRateAtK(TopK.newBuilder().setK(50)).build());
        ConfiguredMetrics m = new ConfiguredMetrics(metrics, List.of("ctr"), "user_id");
        assertEquals(List.of("recall@20", "auc", "ndcg@5", "mrr@20", "hit_rate@50"), m.names());
        assertEquals(List.of(new RankingMetric(RankingMetric.Kind.RECALL, 20), new RankingMetric(RankingMetric.Kind.NDCG, 5),
                new RankingMetric(RankingMetric.Kind.MRR, 20), new RankingMetric(RankingMetric.Kind.HIT_RATE, 50)), m.rankingMetrics());
        Map<String, Double> pointWise = m.compute(Map.of("ctr", new float[]{0.8f, 0.1f}), Map.of("ctr", new float[]{1, 0}), null);
        assertEquals(List.of("auc"), List.copyOf(pointWise.keySet()));
        Map<String, Double> all = m.inNameOrder(pointWise, Map.of("hit_rate@50", 0.4, "mrr@20", 0.3, "ndcg@5", 0.2, "recall@20", 0.1));
        assertEquals(List.of("recall@20", "auc", "ndcg@5", "mrr@20", "hit_rate@50"), List.copyOf(all.keySet()));
        assertEquals(0.1, all.get("recall@20"));
        assertEquals(1.0, all.get("auc"));
        assertThrows(IllegalArgumentException.class, () -> m.inNameOrder(pointWise, Map.of("recall@20", 0.1)));
    }
}

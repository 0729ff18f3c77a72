package org.recspark.evaluator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.recspark.config.proto.Metric;

/**
 * A ranking metric at K of {@code eval_config.metrics} ({@code recall_at_k}, {@code hit_rate_at_k},
 * {@code ndcg_at_k}, {@code mrr_at_k}), named as reports, early stopping and best exports refer to
 * it: {@code recall@20}, {@code hit_rate@20}, {@code ndcg@20}, {@code mrr@20}. Its value is the
 * mean over queries (users) with at least one relevant item, from {@link RankingAccumulator}.
 */
public record RankingMetric(Kind kind, int k) {
    /** The four ranking metrics, by the name prefix they report under. */
    public enum Kind {
        RECALL("recall"), HIT_RATE("hit_rate"), NDCG("ndcg"), MRR("mrr");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }
    }

    public RankingMetric {
        if (k < 1) {
            throw new IllegalArgumentException("K must be >= 1, got " + k);
        }
    }

    /** The ranking metric a config metric names, or empty for a point-wise one. */
    public static Optional<RankingMetric> of(Metric m) {
        return switch (m.getKindCase()) {
            case RECALL_AT_K -> Optional.of(new RankingMetric(Kind.RECALL, m.getRecallAtK().getK()));
            case HIT_RATE_AT_K -> Optional.of(new RankingMetric(Kind.HIT_RATE, m.getHitRateAtK().getK()));
            case NDCG_AT_K -> Optional.of(new RankingMetric(Kind.NDCG, m.getNdcgAtK().getK()));
            case MRR_AT_K -> Optional.of(new RankingMetric(Kind.MRR, m.getMrrAtK().getK()));
            default -> Optional.empty();
        };
    }

    public String name() {
        return kind.prefix + "@" + k;
    }

    /** The metric's value over the queries the accumulator saw; the accumulator's K must be this metric's. */
    public double value(RankingAccumulator a) {
        if (a.k() != k) {
            throw new IllegalArgumentException(name() + " needs an accumulator at K = " + k + ", got K = " + a.k());
        }
        return switch (kind) {
            case RECALL -> a.recall();
            case HIT_RATE -> a.hitRate();
            case NDCG -> a.ndcg();
            case MRR -> a.mrr();
        };
    }

    /** The largest K of the metrics: a ranking of that length serves them all. */
    public static int maxK(List<RankingMetric> metrics) {
        return metrics.stream().mapToInt(RankingMetric::k).max().orElse(0);
    }

    /**
     * Every metric over the queries, by name in the metrics' order.
     *
     * @param rankings per query, item indices best first, at least {@link #maxK} long unless fewer items could be ranked
     * @param relevant per query, the indices of its relevant items (queries without any are skipped)
     */
    public static Map<String, Double> compute(List<RankingMetric> metrics, int[][] rankings, int[][] relevant) {
        if (rankings.length != relevant.length) {
            throw new IllegalArgumentException(rankings.length + " rankings for " + relevant.length + " queries");
        }
        Map<Integer, RankingAccumulator> byK = new LinkedHashMap<>();
        for (RankingMetric m : metrics) {
            byK.computeIfAbsent(m.k(), RankingAccumulator::new);
        }
        for (RankingAccumulator a : byK.values()) {
            for (int q = 0; q < rankings.length; q++) {
                a.addRanking(rankings[q], relevant[q]);
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (RankingMetric m : metrics) {
            out.put(m.name(), m.value(byK.get(m.k())));
        }
        return out;
    }
}

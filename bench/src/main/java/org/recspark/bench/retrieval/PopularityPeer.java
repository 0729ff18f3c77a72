package org.recspark.bench.retrieval;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.recspark.evaluator.RankingMetric;
import org.recspark.sampledata.MovieLens100k.Rating;

/**
 * The popularity baseline: every user gets the items with the most training positives, their own
 * training items left out. As vectors: a user is [1], an item is [its positive count].
 */
public final class PopularityPeer implements RetrievalPeer {
    private final List<RankingMetric> metrics;
    private final int threads;

    public PopularityPeer(List<RankingMetric> metrics, int threads) {
        this.metrics = List.copyOf(metrics);
        this.threads = threads;
    }

    @Override
    public String name() {
        return "popularity";
    }

    @Override
    public PeerResult run(HeldOutRanking validation, HeldOutRanking test) {
        Map<String, Double> onValidation = validation.evaluate(embed(validation), metrics, threads);
        long started = System.nanoTime();
        Embeddings e = embed(test);
        double seconds = (System.nanoTime() - started) / 1e9;
        return new PeerResult(name(), "training positive count", onValidation, test.evaluate(e, metrics, threads), seconds, 0, List.of());
    }

    static Embeddings embed(HeldOutRanking task) {
        float[] items = new float[task.itemIds().length];
        for (Rating r : task.trainingPositives()) {
            items[task.itemIndex(r.itemId())]++;
        }
        float[] users = new float[task.queryUsers().length];
        Arrays.fill(users, 1f);
        return new Embeddings(users, items, 1);
    }
}

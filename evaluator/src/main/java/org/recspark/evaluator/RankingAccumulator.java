package org.recspark.evaluator;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * Retrieval metrics at K over the full item corpus, averaged over queries (users): Recall@K (share
 * of a query's relevant items in its top K), HitRate@K (whether any is), and NDCG@K with binary
 * relevance (DCG of the top K over the ideal DCG), and MRR@K (the reciprocal rank of the first
 * relevant item in the top K, 0 when none is there). The top K of a query's scores is exact
 * (a size-K heap over every item); equal scores rank the lower item index first, so results are
 * deterministic. Queries without relevant items are skipped and counted.
 */
public final class RankingAccumulator {
    private final int k;
    private double recall;
    private double hits;
    private double ndcg;
    private double reciprocalRanks;
    private long queries;
    private long skipped;

    public RankingAccumulator(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("K must be >= 1, got " + k);
        }
        this.k = k;
    }

    /** Scores every corpus item for one query; {@code relevant} holds the indices of its relevant items. */
    public void addQuery(float[] scores, int[] relevant) {
        addRanking(topK(scores, k), relevant);
    }

    /** Adds a query whose ranking (item indices, best first; at least its first K are used) is already known. */
    public void addRanking(int[] ranking, int[] relevant) {
        int[] wanted = Arrays.stream(relevant).distinct().sorted().toArray();
        if (wanted.length == 0) {
            skipped++;
            return;
        }
        int found = 0;
        double dcg = 0;
        double reciprocalRank = 0;
        for (int r = 0; r < Math.min(k, ranking.length); r++) {
            if (Arrays.binarySearch(wanted, ranking[r]) >= 0) {
                if (found == 0) {
                    reciprocalRank = 1.0 / (r + 1);
                }
                found++;
                dcg += 1 / log2(r + 2);
            }
        }
        double ideal = 0;
        for (int r = 0; r < Math.min(k, wanted.length); r++) {
            ideal += 1 / log2(r + 2);
        }
        recall += (double) found / wanted.length;
        hits += found > 0 ? 1 : 0;
        ndcg += dcg / ideal;
        reciprocalRanks += reciprocalRank;
        queries++;
    }

    public void merge(RankingAccumulator other) {
        if (other.k != k) {
            throw new IllegalArgumentException("cannot merge K = " + k + " and K = " + other.k);
        }
        recall += other.recall;
        hits += other.hits;
        ndcg += other.ndcg;
        reciprocalRanks += other.reciprocalRanks;
        queries += other.queries;
        skipped += other.skipped;
    }

    public int k() {
        return k;
    }

    public double recall() {
        return queries == 0 ? Double.NaN : recall / queries;
    }

    public double hitRate() {
        return queries == 0 ? Double.NaN : hits / queries;
    }

    public double ndcg() {
        return queries == 0 ? Double.NaN : ndcg / queries;
    }

    public double mrr() {
        return queries == 0 ? Double.NaN : reciprocalRanks / queries;
    }

    public long queries() {
        return queries;
    }

    /** Queries left out because they had no relevant item. */
    public long skippedQueries() {
        return skipped;
    }

    /** Indices of the K highest scores, best first; ties rank the lower index first. */
    static int[] topK(float[] scores, int k) {
        int n = Math.min(k, scores.length);
        // Min-heap on (score, -index): its head is the weakest of the current top K.
        PriorityQueue<Integer> heap = new PriorityQueue<>(n + 1, (a, b) -> {
            int c = Float.compare(scores[a], scores[b]);
            return c != 0 ? c : Integer.compare(b, a);
        });
        for (int i = 0; i < scores.length; i++) {
            if (Float.isNaN(scores[i])) {
                throw new IllegalArgumentException("score of item " + i + " is NaN");
            }
            heap.add(i);
            if (heap.size() > n) {
                heap.poll();
            }
        }
        int[] top = new int[heap.size()];
        for (int r = top.length - 1; r >= 0; r--) {
            top[r] = heap.poll();
        }
        return top;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}

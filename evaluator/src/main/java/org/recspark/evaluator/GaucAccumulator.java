package org.recspark.evaluator;

import java.util.HashMap;
import java.util.Map;

/**
 * Group AUC: the AUC of each user's impressions, averaged with the user's impression count as
 * weight. Users whose impressions are all of one class have no AUC: they are skipped and counted
 * ({@link #skippedUsers()}).
 */
public final class GaucAccumulator {
    private final Map<String, AucAccumulator> byUser = new HashMap<>();
    private long count;

    public void add(String user, double prediction, double label) {
        byUser.computeIfAbsent(user, u -> new AucAccumulator()).add(prediction, label);
        count++;
    }

    public void merge(GaucAccumulator other) {
        other.byUser.forEach((user, auc) -> byUser.computeIfAbsent(user, u -> new AucAccumulator()).merge(auc));
        count += other.count;
    }

    public long count() {
        return count;
    }

    /** Impression-weighted mean of the per-user AUCs; NaN when no user has both classes. */
    public double value() {
        double weighted = 0;
        long weight = 0;
        for (AucAccumulator auc : byUser.values()) {
            double v = auc.value();
            if (!Double.isNaN(v)) {
                weighted += v * auc.count();
                weight += auc.count();
            }
        }
        return weight == 0 ? Double.NaN : weighted / weight;
    }

    public long users() {
        return byUser.size();
    }

    /** Users without both a positive and a negative impression, left out of the average. */
    public long skippedUsers() {
        return byUser.values().stream().filter(a -> Double.isNaN(a.value())).count();
    }
}

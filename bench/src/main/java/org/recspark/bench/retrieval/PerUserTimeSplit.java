package org.recspark.bench.retrieval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.recspark.sampledata.MovieLens100k.Rating;

/**
 * A per-user by-time split for retrieval: each user's ratings sorted by timestamp (ties keep their
 * input order); the user's last {@code testFraction} of them are test, the {@code
 * validationFraction} (of the user's ratings) just before those are validation, carved out of
 * training. Counts are rounded down per user, so a user with few ratings may have an empty period.
 * Unlike a global time cut every active user has held-out items (a global cut leaves most users of
 * a short log wholly on one side); the price is that training holds other users' ratings from after
 * a user's held-out period, as in leave-last-out evaluation. The validation task learns from the
 * ratings before each user's validation period, the test task from those before each user's test
 * period (validation included); training lists are in global time order.
 */
public final class PerUserTimeSplit implements RetrievalSplit {
    private final List<Rating> byTime;
    /** Per rating of {@link #byTime}: 0 training, 1 validation, 2 test. */
    private final byte[] period;

    public PerUserTimeSplit(List<Rating> ratings, double testFraction, double validationFraction) {
        if (!(testFraction > 0 && validationFraction > 0 && testFraction + validationFraction < 1)) {
            throw new IllegalArgumentException("test and validation fractions must be > 0 and sum below 1, got " + testFraction
                    + " and " + validationFraction);
        }
        this.byTime = new ArrayList<>(ratings);
        byTime.sort(Comparator.comparingLong(Rating::timestamp));
        Map<Integer, List<Integer>> byUser = new LinkedHashMap<>();
        for (int i = 0; i < byTime.size(); i++) {
            byUser.computeIfAbsent(byTime.get(i).userId(), u -> new ArrayList<>()).add(i);
        }
        this.period = new byte[byTime.size()];
        for (List<Integer> own : byUser.values()) {
            int n = own.size();
            int testStart = n - (int) Math.floor(testFraction * n);
            int validationStart = testStart - (int) Math.floor(validationFraction * n);
            for (int k = validationStart; k < n; k++) {
                period[own.get(k)] = (byte) (k < testStart ? 1 : 2);
            }
        }
    }

    @Override
    public HeldOutRanking validation(int[] catalogue, int positiveThreshold) {
        return new HeldOutRanking(select(0, 0), select(1, 1), catalogue, positiveThreshold);
    }

    @Override
    public HeldOutRanking test(int[] catalogue, int positiveThreshold) {
        return new HeldOutRanking(select(0, 1), select(2, 2), catalogue, positiveThreshold);
    }

    /** The ratings whose period is within [from, to], in time order. */
    private List<Rating> select(int from, int to) {
        List<Rating> out = new ArrayList<>();
        for (int i = 0; i < byTime.size(); i++) {
            if (period[i] >= from && period[i] <= to) {
                out.add(byTime.get(i));
            }
        }
        return out;
    }

    @Override
    public String describe() {
        int[] counts = new int[3];
        for (byte p : period) {
            counts[p]++;
        }
        return String.format(Locale.ROOT, "per user by time: %d training, %d validation, %d test ratings", counts[0], counts[1], counts[2]);
    }
}

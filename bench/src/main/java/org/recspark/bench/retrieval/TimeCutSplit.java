package org.recspark.bench.retrieval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.recspark.sampledata.MovieLens100k.Rating;

/**
 * A global by-time split for retrieval: all ratings sorted by timestamp (ties keep their input
 * order), the last {@code testFraction} of them are the test period, and the
 * {@code validationFraction} (of all ratings) just before it is the validation period, carved out
 * of training. Two {@link HeldOutRanking}s come out of it: validation (learn from the ratings
 * before the validation period, rank for the validation period), where settings are chosen, and
 * test (learn from every rating before the test period, validation period included, rank for the
 * test period), where they are reported. Fractions are of the rating count, rounded down.
 */
public final class TimeCutSplit implements RetrievalSplit {
    private final List<Rating> byTime;
    private final int validationStart;
    private final int testStart;

    public TimeCutSplit(List<Rating> ratings, double testFraction, double validationFraction) {
        if (!(testFraction > 0 && validationFraction > 0 && testFraction + validationFraction < 1)) {
            throw new IllegalArgumentException("test and validation fractions must be > 0 and sum below 1, got " + testFraction
                    + " and " + validationFraction);
        }
        this.byTime = new ArrayList<>(ratings);
        byTime.sort(Comparator.comparingLong(Rating::timestamp));
        int n = byTime.size();
        this.testStart = n - (int) Math.floor(testFraction * n);
        this.validationStart = testStart - (int) Math.floor(validationFraction * n);
    }

    @Override
    public HeldOutRanking validation(int[] catalogue, int positiveThreshold) {
        return new HeldOutRanking(byTime.subList(0, validationStart), byTime.subList(validationStart, testStart), catalogue,
                positiveThreshold);
    }

    @Override
    public HeldOutRanking test(int[] catalogue, int positiveThreshold) {
        return new HeldOutRanking(byTime.subList(0, testStart), byTime.subList(testStart, byTime.size()), catalogue,
                positiveThreshold);
    }

    @Override
    public String describe() {
        return "global time cut: validation from " + validationCut() + ", test from " + testCut() + " (unix s)";
    }

    /** The timestamp of the first validation rating. */
    public long validationCut() {
        return byTime.get(validationStart).timestamp();
    }

    /** The timestamp of the first test rating. */
    public long testCut() {
        return byTime.get(testStart).timestamp();
    }
}

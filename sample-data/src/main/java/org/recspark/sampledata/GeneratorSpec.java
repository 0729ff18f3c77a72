package org.recspark.sampledata;

import java.time.LocalDate;
import java.util.Optional;

/**
 * Size and seed of a synthetic log. The same spec always generates byte-identical files.
 *
 * @param startDate the first impression day (UTC); the behaviour log starts one warm-up day earlier
 * @param impressionsPerDay exact number of impressions each day, in requests of
 *     {@value #MIN_REQUEST_SIZE} to {@value #MAX_REQUEST_SIZE} distinct items
 * @param drift a shift planted on one of the days, or empty for none
 */
public record GeneratorSpec(long seed, int numUsers, int numItems, int numCategories, LocalDate startDate,
                            int numDays, int impressionsPerDay, Optional<PlantedDrift> drift) {
    public static final int MIN_REQUEST_SIZE = 5;
    public static final int MAX_REQUEST_SIZE = 20;
    /** Items are published up to a year before the start and timestamps must stay positive. */
    private static final LocalDate EARLIEST_START = LocalDate.of(1971, 1, 2);

    public GeneratorSpec {
        require(numUsers >= 1, "numUsers must be >= 1, got " + numUsers);
        require(numItems >= MAX_REQUEST_SIZE, "numItems must be >= " + MAX_REQUEST_SIZE
                + " (a request shows up to " + MAX_REQUEST_SIZE + " distinct items), got " + numItems);
        require(numCategories >= 1 && numCategories <= numItems, "numCategories must be in [1, numItems = " + numItems
                + "], got " + numCategories);
        require(startDate != null && !startDate.isBefore(EARLIEST_START), "startDate must be " + EARLIEST_START
                + " or later, got " + startDate);
        require(numDays >= 1, "numDays must be >= 1, got " + numDays);
        require(impressionsPerDay >= MIN_REQUEST_SIZE, "impressionsPerDay must be >= " + MIN_REQUEST_SIZE
                + " (one request), got " + impressionsPerDay);
        require(drift != null, "drift must be given (Optional.empty() for none)");
        drift.ifPresent(d -> require(!d.day().isBefore(startDate) && d.day().isBefore(startDate.plusDays(numDays)),
                "the drift's day must be one of the impression days " + startDate + " .. " + startDate.plusDays(numDays - 1)
                        + ", got " + d.day()));
    }

    /** The committed sample in sample-data/small: 1,000 users, 300 items, 20 categories, 4 days of 5,000 impressions. */
    public static GeneratorSpec small() {
        return new GeneratorSpec(20261125L, 1000, 300, 20, LocalDate.of(2026, 11, 1), 4, 5000, Optional.empty());
    }

    public GeneratorSpec withSeed(long value) {
        return new GeneratorSpec(value, numUsers, numItems, numCategories, startDate, numDays, impressionsPerDay, drift);
    }

    public GeneratorSpec withUsers(int value) {
        return new GeneratorSpec(seed, value, numItems, numCategories, startDate, numDays, impressionsPerDay, drift);
    }

    public GeneratorSpec withItems(int value) {
        return new GeneratorSpec(seed, numUsers, value, numCategories, startDate, numDays, impressionsPerDay, drift);
    }

    public GeneratorSpec withCategories(int value) {
        return new GeneratorSpec(seed, numUsers, numItems, value, startDate, numDays, impressionsPerDay, drift);
    }

    public GeneratorSpec withStartDate(LocalDate value) {
        return new GeneratorSpec(seed, numUsers, numItems, numCategories, value, numDays, impressionsPerDay, drift);
    }

    public GeneratorSpec withDays(int value) {
        return new GeneratorSpec(seed, numUsers, numItems, numCategories, startDate, value, impressionsPerDay, drift);
    }

    public GeneratorSpec withImpressionsPerDay(int value) {
        return new GeneratorSpec(seed, numUsers, numItems, numCategories, startDate, numDays, value, drift);
    }

    public GeneratorSpec withDrift(PlantedDrift value) {
        return new GeneratorSpec(seed, numUsers, numItems, numCategories, startDate, numDays, impressionsPerDay, Optional.of(value));
    }

    /** Total impressions of the log. */
    public long totalImpressions() {
        return (long) numDays * impressionsPerDay;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}

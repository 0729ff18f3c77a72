package org.recspark.sampledata;

import java.time.LocalDate;

/**
 * Size and seed of a synthetic log. The same spec always generates byte-identical files.
 *
 * @param startDate the first impression day (UTC); the behaviour log starts one warm-up day earlier
 */
public record GeneratorSpec(long seed, int numUsers, int numItems, int numCategories, LocalDate startDate,
                            int numDays, int impressionsPerDay) {

    public GeneratorSpec {
        require(numUsers >= 1, "numUsers must be >= 1, got " + numUsers);
        require(numItems >= 1, "numItems must be >= 1, got " + numItems);
        require(numCategories >= 1 && numCategories <= numItems, "numCategories must be in [1, numItems], got " + numCategories);
        require(numDays >= 1, "numDays must be >= 1, got " + numDays);
        require(impressionsPerDay >= 1, "impressionsPerDay must be >= 1, got " + impressionsPerDay);
    }

    /** The committed sample in sample-data/small. */
    public static GeneratorSpec small() {
        return new GeneratorSpec(20261125L, 1000, 300, 20, LocalDate.of(2026, 11, 1), 4, 5000);
    }

    public GeneratorSpec withSeed(long value) {
        return new GeneratorSpec(value, numUsers, numItems, numCategories, startDate, numDays, impressionsPerDay);
    }

    public GeneratorSpec withUsers(int value) {
        return new GeneratorSpec(seed, value, numItems, numCategories, startDate, numDays, impressionsPerDay);
    }

    public GeneratorSpec withItems(int value) {
        return new GeneratorSpec(seed, numUsers, value, numCategories, startDate, numDays, impressionsPerDay);
    }

    public GeneratorSpec withDays(int value) {
        return new GeneratorSpec(seed, numUsers, numItems, numCategories, startDate, value, impressionsPerDay);
    }

    public GeneratorSpec withImpressionsPerDay(int value) {
        return new GeneratorSpec(seed, numUsers, numItems, numCategories, startDate, numDays, value);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}

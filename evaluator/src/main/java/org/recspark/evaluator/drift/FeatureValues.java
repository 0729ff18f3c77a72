package org.recspark.evaluator.drift;

/**
 * One feature's values over one day's rows, as the drift guards read them: numbers for a dense
 * feature (every component of every row), ids for a sparse one (every id of every row), and how
 * many rows had no value at all.
 *
 * @param numeric the values of a dense feature, or null for a sparse one
 * @param ids     the ids of a sparse feature, or null for a dense one
 */
public record FeatureValues(String feature, int rows, int missingRows, double[] numeric, long[] ids) {
    public FeatureValues {
        if ((numeric == null) == (ids == null)) {
            throw new IllegalArgumentException("feature '" + feature + "' needs exactly one of numeric values or ids");
        }
        if (missingRows < 0 || missingRows > rows) {
            throw new IllegalArgumentException("feature '" + feature + "': " + missingRows + " missing of " + rows + " rows");
        }
    }

    public static FeatureValues numeric(String feature, int rows, int missingRows, double[] values) {
        return new FeatureValues(feature, rows, missingRows, values, null);
    }

    public static FeatureValues ids(String feature, int rows, int missingRows, long[] ids) {
        return new FeatureValues(feature, rows, missingRows, null, ids);
    }

    public boolean isNumeric() {
        return numeric != null;
    }

    /** The fraction of rows without a value; 0 for no rows. */
    public double missingRate() {
        return rows == 0 ? 0 : (double) missingRows / rows;
    }

    boolean hasValues() {
        return isNumeric() ? java.util.Arrays.stream(numeric).anyMatch(v -> !Double.isNaN(v)) : ids.length > 0;
    }
}

package org.recspark.trainer.autocross;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import java.util.List;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;

/**
 * The categorical columns a cross search reads: per field, each row's value as a dense code
 * (0..cardinality-1, numbered by the training rows; a value first seen in the validation rows is
 * -1, which no weight covers), and the binary labels of the training and validation rows.
 * Immutable once built.
 */
public final class CrossSearchData {
    private final List<String> fields;
    private final int[][] trainCodes;
    private final int[][] validationCodes;
    private final int[] cardinalities;
    private final float[] trainLabels;
    private final float[] validationLabels;

    private CrossSearchData(List<String> fields, int[][] trainCodes, int[][] validationCodes, int[] cardinalities,
                            float[] trainLabels, float[] validationLabels) {
        this.fields = List.copyOf(fields);
        this.trainCodes = trainCodes;
        this.validationCodes = validationCodes;
        this.cardinalities = cardinalities;
        this.trainLabels = trainLabels;
        this.validationLabels = validationLabels;
    }

    /**
     * Fields given as raw values per row (any longs; equal values are equal categories).
     *
     * @param trainValues      [field][row]
     * @param validationValues [field][row]
     */
    public static CrossSearchData of(List<String> fields, long[][] trainValues, float[] trainLabels,
                                     long[][] validationValues, float[] validationLabels) {
        if (fields.size() != trainValues.length || fields.size() != validationValues.length) {
            throw new IllegalArgumentException(fields.size() + " fields but " + trainValues.length + " training and "
                    + validationValues.length + " validation columns");
        }
        int n = fields.size();
        int[][] train = new int[n][];
        int[][] validation = new int[n][];
        int[] cards = new int[n];
        for (int f = 0; f < n; f++) {
            requireRows(fields.get(f), trainValues[f].length, trainLabels.length, "training");
            requireRows(fields.get(f), validationValues[f].length, validationLabels.length, "validation");
            Encoded e = encode(trainValues[f], validationValues[f]);
            train[f] = e.train();
            validation[f] = e.validation();
            cards[f] = e.cardinality();
        }
        return new CrossSearchData(fields, train, validation, cards, trainLabels.clone(), validationLabels.clone());
    }

    /**
     * The given single-valued sparse features of the examples, a row's first id as its value (a row
     * without an id has its own "missing" value); {@code label} is a binary label of both.
     */
    public static CrossSearchData fromExamples(Examples train, Examples validation, List<String> features, String label) {
        long[][] trainValues = new long[features.size()][];
        long[][] validationValues = new long[features.size()][];
        for (int f = 0; f < features.size(); f++) {
            trainValues[f] = firstIds(train, features.get(f));
            validationValues[f] = firstIds(validation, features.get(f));
        }
        return of(features, trainValues, train.label(label), validationValues, validation.label(label));
    }

    private static long[] firstIds(Examples examples, String feature) {
        int index = examples.schema().index(feature);
        SparseValues values = examples.sparse(index);
        long[] out = new long[examples.numRows()];
        for (int r = 0; r < out.length; r++) {
            out[r] = values.end(r) > values.start(r) ? values.ids()[values.start(r)] : Long.MIN_VALUE;
        }
        return out;
    }

    private static void requireRows(String field, int values, int labels, String which) {
        if (values != labels) {
            throw new IllegalArgumentException("field " + field + " has " + values + " " + which + " rows but there are " + labels + " labels");
        }
    }

    record Encoded(int[] train, int[] validation, int cardinality) {}

    /** Dense codes numbered by first appearance in the training values; unseen validation values are -1. */
    static Encoded encode(long[] trainValues, long[] validationValues) {
        Long2IntOpenHashMap codes = new Long2IntOpenHashMap();
        codes.defaultReturnValue(-1);
        int[] train = new int[trainValues.length];
        for (int r = 0; r < train.length; r++) {
            int code = codes.get(trainValues[r]);
            if (code < 0) {
                code = codes.size();
                codes.put(trainValues[r], code);
            }
            train[r] = code;
        }
        int[] validation = new int[validationValues.length];
        for (int r = 0; r < validation.length; r++) {
            validation[r] = codes.get(validationValues[r]);
        }
        return new Encoded(train, validation, codes.size());
    }

    public List<String> fields() {
        return fields;
    }

    int trainRows() {
        return trainLabels.length;
    }

    int validationRows() {
        return validationLabels.length;
    }

    float[] trainLabels() {
        return trainLabels;
    }

    float[] validationLabels() {
        return validationLabels;
    }

    /** The field's column as a {@link CrossColumn} (a cross of one). */
    CrossColumn single(int field) {
        return new CrossColumn(trainCodes[field], validationCodes[field], cardinalities[field]);
    }

    /** The cross of the given fields: one code per distinct combination of their values in the training rows. */
    CrossColumn cross(List<Integer> fieldIndices) {
        long[] trainKeys = new long[trainRows()];
        long[] validationKeys = new long[validationRows()];
        for (int f : fieldIndices) {
            combine(trainKeys, trainCodes[f]);
            combine(validationKeys, validationCodes[f]);
        }
        Encoded e = encode(trainKeys, validationKeys);
        return new CrossColumn(e.train(), e.validation(), e.cardinality());
    }

    // Exact for codes below the multiplier up to order 3 (the product stays under 2^63); beyond, a hash whose collisions are rare.
    private static void combine(long[] keys, int[] codes) {
        for (int r = 0; r < keys.length; r++) {
            keys[r] = keys[r] * 1_000_003L + (codes[r] + 1);
        }
    }
}

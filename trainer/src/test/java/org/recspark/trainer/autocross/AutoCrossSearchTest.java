package org.recspark.trainer.autocross;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AutoCrossSearchTest {
    private static final List<String> FIELDS = List.of("a", "b", "c", "d", "e");
    private static final int CARDINALITY = 4;

    /** How the planted label's log-odds depend on a row's values. */
    private interface Truth {
        double logit(long[] row);
    }

    @Test
    void plantedPairwiseInteractionIsFoundFirst() {
        // label depends on the parity XOR of a and b; each alone carries nothing (4 values, 2 of each parity)
        CrossSearchData data = generate(row -> 2.5 * (xor(row[0], row[1]) ? 1 : -1) + 0.5 * (row[2] == 0 ? 1 : 0), 1);
        AutoCrossResult result = new AutoCrossSearch(AutoCrossSettings.defaults(2, 2, 2)).run(data);

        assertTrue(result.baseAuc() < 0.6, "singles should not see the interaction: " + result.baseAuc());
        ScoredCross first = result.selected().get(0);
        assertEquals(List.of("a", "b"), first.fields());
        assertEquals(List.of("a", "b"), result.rounds().get(0).get(0).fields());
        assertEquals(10, result.rounds().get(0).size(), "every pair of 5 fields is a first-round candidate");
        assertTrue(first.gain() > 0.2, "gain " + first.gain());
        assertTrue(result.rounds().get(0).get(1).gain() < 0.01, "runner-up " + result.rounds().get(0).get(1));
        assertEquals(CARDINALITY * CARDINALITY, first.cardinality());
        assertTrue(result.finalAuc() > 0.8, "final AUC " + result.finalAuc());
    }

    @Test
    void noInteractionSelectsNothing() {
        CrossSearchData data = generate(row -> row[2] - 1.5 + (row[3] == 1 ? 1 : 0), 2);
        AutoCrossResult result = new AutoCrossSearch(AutoCrossSettings.defaults(3, 3, 2).withMinGain(0.002)).run(data);

        assertTrue(result.baseAuc() > 0.7, "main effects are learnt: " + result.baseAuc());
        assertEquals(List.of(), result.selected(), () -> "selected " + result.selected());
    }

    @Test
    void thirdOrderInteractionIsReachedByExtendingTheChosenPair() {
        // a third-order parity on top of the pair: no pair but (a, b) sees it, (a, b) extended by c does
        Truth truth = row -> 2 * (xor(row[0], row[1]) ? 1 : -1) + 2 * (xor(row[0], row[1]) ^ row[2] % 2 == 1 ? 1 : -1);
        CrossSearchData data = generate(truth, 3);

        AutoCrossResult third = new AutoCrossSearch(AutoCrossSettings.defaults(2, 3, 2)).run(data);
        assertEquals(List.of("a", "b"), third.selected().get(0).fields());
        assertEquals(List.of("a", "b", "c"), third.selected().get(1).fields());

        AutoCrossResult pairsOnly = new AutoCrossSearch(AutoCrossSettings.defaults(2, 2, 2)).run(data);
        assertTrue(pairsOnly.rounds().stream().flatMap(List::stream).allMatch(c -> c.fields().size() == 2));
        assertTrue(pairsOnly.finalAuc() < third.finalAuc() - 0.05, pairsOnly.finalAuc() + " vs " + third.finalAuc());
    }

    @Test
    void resultDoesNotDependOnThreads() {
        CrossSearchData data = generate(row -> 2 * (xor(row[1], row[3]) ? 1 : -1) + (xor(row[0], row[4]) ? 1 : -1), 4);
        AutoCrossResult one = new AutoCrossSearch(AutoCrossSettings.defaults(3, 3, 1)).run(data);
        AutoCrossResult three = new AutoCrossSearch(AutoCrossSettings.defaults(3, 3, 3)).run(data);

        assertEquals(one, three);
        assertEquals(List.of("b", "d"), one.selected().get(0).fields());
        assertEquals(List.of("a", "e"), one.selected().get(1).fields());
    }

    @Test
    void candidatesPerRoundAreBounded() {
        CrossSearchData data = generate(row -> 2 * (xor(row[0], row[1]) ? 1 : -1), 5);
        AutoCrossResult result = new AutoCrossSearch(AutoCrossSettings.defaults(2, 3, 2).withMaxCandidates(4)).run(data);

        assertTrue(result.rounds().stream().allMatch(r -> r.size() <= 4), () -> "rounds " + result.rounds());
    }

    private static boolean xor(long x, long y) {
        return (x % 2) != (y % 2);
    }

    private static CrossSearchData generate(Truth truth, long seed) {
        Random random = new Random(seed);
        int trainRows = 20_000;
        int validationRows = 10_000;
        long[][] train = new long[FIELDS.size()][trainRows];
        long[][] validation = new long[FIELDS.size()][validationRows];
        float[] trainLabels = fill(train, truth, random);
        float[] validationLabels = fill(validation, truth, random);
        return CrossSearchData.of(FIELDS, train, trainLabels, validation, validationLabels);
    }

    private static float[] fill(long[][] columns, Truth truth, Random random) {
        int rows = columns[0].length;
        float[] labels = new float[rows];
        long[] row = new long[columns.length];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < columns.length; f++) {
                row[f] = random.nextInt(CARDINALITY);
                columns[f][r] = row[f];
            }
            labels[r] = random.nextDouble() < FieldWiseLogisticRegression.sigmoid(truth.logit(row)) ? 1 : 0;
        }
        return labels;
    }
}

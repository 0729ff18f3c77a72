package org.recspark.evaluator.drift;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The daily guards against values computed by hand. */
class DailyGuardChecksTest {

    @Test
    void psiOfHandComputedProportions() {
        // r = (.5, .3, .2), c = (.3, .3, .4): (.3 - .5) ln(.3/.5) + 0 + (.4 - .2) ln(.4/.2)
        double expected = -0.2 * Math.log(0.6) + 0.2 * Math.log(2);
        assertEquals(0.2407946, expected, 1e-7);
        assertEquals(expected, PopulationStabilityIndex.of(new long[]{50, 30, 20}, new long[]{30, 30, 40}), 1e-12);
        assertEquals(0, PopulationStabilityIndex.of(new long[]{5, 10}, new long[]{50, 100}), 1e-15);
    }

    @Test
    void anEmptyBinGetsASmallProportionInsteadOfAnInfiniteTerm() {
        // r = (1, 0 -> 1e-4), c = (.5, .5)
        double expected = (0.5 - 1) * Math.log(0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4);
        assertEquals(expected, PopulationStabilityIndex.of(new long[]{100, 0}, new long[]{50, 50}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> PopulationStabilityIndex.of(new long[]{0, 0}, new long[]{1, 1}));
        assertThrows(IllegalArgumentException.class, () -> PopulationStabilityIndex.of(new long[]{1}, new long[]{1, 1}));
    }

    @Test
    void quantileBinsCloseEachBinAtAReferenceQuantile() {
        // 1..10 in 4 bins: positions ceil(k * 10 / 4) - 1 = 2, 4, 7 -> edges 3, 5, 8
        double[] reference = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1, Double.NaN};
        QuantileBins bins = QuantileBins.fromReference(reference, 4);
        assertArrayEquals(new double[]{3, 5, 8}, bins.edges());
        assertArrayEquals(new long[]{3, 2, 3, 2}, bins.counts(reference), "NaN is missing, in no bin");
        assertArrayEquals(new long[]{2, 0, 1, 1}, bins.counts(new double[]{-100, 3, 7.5, 1e9}));
    }

    @Test
    void tiedQuantilesCollapseIntoOneEdge() {
        QuantileBins bins = QuantileBins.fromReference(new double[]{0, 0, 0, 0, 0, 0, 0, 0, 1, 2}, 4);
        assertArrayEquals(new double[]{0}, bins.edges());
        assertArrayEquals(new long[]{8, 2}, bins.counts(new double[]{0, 0, 0, 0, 0, 0, 0, 0, 1, 2}));
    }

    @Test
    void topValueBinsKeepTheMostFrequentIdsAndOneOtherBin() {
        // frequencies 5:3, 7:2, 1:2, 9:1; the tie between 7 and 1 goes to the smaller id
        TopValueBins bins = TopValueBins.fromReference(new long[]{5, 5, 5, 7, 7, 9, 1, 1}, 2);
        assertArrayEquals(new long[]{5, 1}, bins.values());
        assertArrayEquals(new long[]{1, 2, 2}, bins.counts(new long[]{5, 7, 1, 1, 3}));
    }

    @Test
    void positiveRateWithinBounds() {
        GuardCheck ok = DailyGuardChecks.positiveRate(75, 1000, 0.02, 0.2);
        assertTrue(ok.passed());
        assertEquals(0.075, ok.value(), 1e-15);
        assertNull(ok.feature());
        GuardCheck low = DailyGuardChecks.positiveRate(10, 1000, 0.02, 0.2);
        assertFalse(low.passed());
        assertEquals(0.02, low.limit());
        GuardCheck high = DailyGuardChecks.positiveRate(500, 1000, 0.02, 0.2);
        assertFalse(high.passed());
        assertEquals(0.2, high.limit());
        assertTrue(high.describe().startsWith("positive_rate guard FAILED: 0.500000 (limit 0.200000); 500 positives of 1000 samples"),
                high.describe());
        assertFalse(DailyGuardChecks.positiveRate(0, 0, 0, 1).passed(), "a day without samples");
    }

    @Test
    void driftOfACategoricalFeatureNamesTheFeatureAndItsProportions() {
        // reference ids 1 (50), 2 (30), 3 (20); current 1 (30), 2 (30), 3 (40): the PSI of the first test
        long[] reference = ids(50, 30, 20);
        long[] current = ids(30, 30, 40);
        List<GuardCheck> checks = DailyGuardChecks.drift(FeatureValues.ids("device", 110, 10, reference),
                FeatureValues.ids("device", 100, 0, current), 10, 3, 0.1, 0.05);
        GuardCheck psi = checks.get(0);
        assertEquals("psi", psi.guard());
        assertEquals("device", psi.feature());
        assertEquals(-0.2 * Math.log(0.6) + 0.2 * Math.log(2), psi.value(), 1e-12);
        assertFalse(psi.passed());
        assertTrue(psi.detail().contains("reference proportions [0.5000, 0.3000, 0.2000, 0.0000], current [0.3000, 0.3000, 0.4000, 0.0000]"),
                psi.detail());
        GuardCheck missing = checks.get(1);
        assertEquals("missing_rate", missing.guard());
        assertEquals(10.0 / 110, missing.value(), 1e-15);
        assertFalse(missing.passed());
        assertTrue(missing.detail().contains("(10 of 110)"), missing.detail());
    }

    @Test
    void aNumericFeatureWithoutDriftPasses() {
        double[] values = new double[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 100;
        }
        List<GuardCheck> checks = DailyGuardChecks.drift(FeatureValues.numeric("price", 1000, 0, values),
                FeatureValues.numeric("price", 1000, 0, values.clone()), 10, 20, 0.1, 0.05);
        assertEquals(2, checks.size());
        assertEquals(0, checks.get(0).value(), 1e-15);
        assertTrue(checks.stream().allMatch(GuardCheck::passed));
    }

    @Test
    void aFeatureWithNoValuesIsJudgedByItsMissingRateOnly() {
        List<GuardCheck> checks = DailyGuardChecks.drift(FeatureValues.ids("tags", 100, 0, ids(100)),
                FeatureValues.ids("tags", 100, 100, new long[0]), 10, 20, 0.1, 0.05);
        assertEquals(1, checks.size());
        assertEquals("missing_rate", checks.get(0).guard());
        assertEquals(1.0, checks.get(0).value());
        assertFalse(checks.get(0).passed());
    }

    @Test
    void aucDropComparesBothModelsOnTheSameRows() {
        GuardCheck small = DailyGuardChecks.aucDrop("auc", 0.75, 0.745, 0.01);
        assertTrue(small.passed());
        assertEquals(0.005, small.value(), 1e-12);
        assertTrue(DailyGuardChecks.aucDrop("auc", 0.70, 0.76, 0.01).passed(), "an improvement");
        GuardCheck large = DailyGuardChecks.aucDrop("auc", 0.75, 0.70, 0.01);
        assertFalse(large.passed());
        assertTrue(large.detail().contains("auc of the new model 0.70000, of the previous model 0.75000"), large.detail());
        assertFalse(DailyGuardChecks.aucDrop("auc", 0.75, Double.NaN, 0.01).passed(), "an undefined AUC never passes");
    }

    /** counts[i] copies of id i + 1. */
    private static long[] ids(int... counts) {
        return java.util.stream.IntStream.range(0, counts.length)
                .flatMap(i -> java.util.stream.IntStream.range(0, counts[i]).map(k -> i + 1)).asLongStream().toArray();
    }
}

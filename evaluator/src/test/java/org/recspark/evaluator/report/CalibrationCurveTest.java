package org.recspark.evaluator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.evaluator.report.CalibrationCurve.Bin;

class CalibrationCurveTest {
    private static final double[] PREDICTIONS = {0.05, 0.15, 0.12, 0.95, 1.0, 0.55};
    private static final double[] LABELS = {0, 1, 0, 1, 1, 0};

    private static void assertBin(Bin bin, double lower, double upper, long count, double meanPrediction, double observedRate) {
        assertEquals(lower, bin.lower(), 1e-15);
        assertEquals(upper, bin.upper(), 1e-15);
        assertEquals(count, bin.count());
        assertEquals(meanPrediction, bin.meanPrediction(), 1e-12);
        assertEquals(observedRate, bin.observedRate(), 1e-12);
    }

    @Test
    void tenBinsByHandWithEmptyBinsKept() {
        CalibrationCurve curve = CalibrationCurve.of(PREDICTIONS, LABELS);
        List<Bin> bins = curve.bins();
        assertEquals(10, bins.size());
        assertBin(bins.get(0), 0.0, 0.1, 1, 0.05, 0);
        assertBin(bins.get(1), 0.1, 0.2, 2, 0.135, 0.5);
        assertBin(bins.get(5), 0.5, 0.6, 1, 0.55, 0);
        // 1.0 belongs to the last bin.
        assertBin(bins.get(9), 0.9, 1.0, 2, 0.975, 1);
        for (int k : new int[] {2, 3, 4, 6, 7, 8}) {
            assertEquals(0, bins.get(k).count(), "bin " + k);
            assertTrue(Double.isNaN(bins.get(k).meanPrediction()) && Double.isNaN(bins.get(k).observedRate()), "bin " + k);
        }
        assertEquals(6, curve.count());
        // (1 * 0.05 + 2 * 0.365 + 1 * 0.55 + 2 * 0.025) / 6
        assertEquals(0.23, curve.expectedCalibrationError(), 1e-12);
    }

    @Test
    void twoBinsByHand() {
        CalibrationCurve curve = CalibrationCurve.of(PREDICTIONS, LABELS, 2);
        assertBin(curve.bins().get(0), 0, 0.5, 3, 0.32 / 3, 1.0 / 3);
        assertBin(curve.bins().get(1), 0.5, 1, 3, 2.5 / 3, 2.0 / 3);
        // (3 * |0.32/3 - 1/3| + 3 * |2.5/3 - 2/3|) / 6 = (0.68 + 0.5) / 6
        assertEquals(1.18 / 6, curve.expectedCalibrationError(), 1e-12);
    }

    @Test
    void perfectlyCalibratedBinsAddNoError() {
        CalibrationCurve curve = CalibrationCurve.of(new double[] {0.25, 0.25, 0.25, 0.25, 0.75, 0.75}, new double[] {1, 0, 0, 0, 1, 0}, 4);
        // The 0.25 bin's rate is 1/4; only the 0.75 bin (rate 1/2, 2 of 6 predictions) is off.
        assertEquals(2 * 0.25 / 6, curve.expectedCalibrationError(), 1e-12);
        CalibrationCurve exact = CalibrationCurve.of(new double[] {0.25, 0.25, 0.25, 0.25}, new double[] {1, 0, 0, 0}, 4);
        assertEquals(0.0, exact.expectedCalibrationError(), 1e-15);
    }

    @Test
    void predictionsOnAnEdgeGoToTheBinThatStartsThere() {
        // 1/49 * 49 rounds below 1, yet 1/49 is bin 1's lower edge.
        CalibrationCurve curve = CalibrationCurve.of(new double[] {1.0 / 49, 0.0, 1.0}, new double[] {1, 0, 1}, 49);
        assertEquals(1, curve.bins().get(0).count());
        assertEquals(1, curve.bins().get(1).count());
        assertEquals(1, curve.bins().get(48).count());
        for (int k = 0; k < 49; k++) {
            Bin bin = curve.bins().get(k);
            for (double p : new double[] {bin.lower(), Math.nextDown(bin.upper())}) {
                CalibrationCurve one = CalibrationCurve.of(new double[] {p}, new double[] {0}, 49);
                assertEquals(1, one.bins().get(k).count(), "prediction " + p + " should be in bin " + k);
            }
        }
    }

    @Test
    void badInputIsRefusedWithWhatWasExpected() {
        assertEquals("predictions must be probabilities in [0, 1], got 1.2 at index 1", assertThrows(IllegalArgumentException.class,
                () -> CalibrationCurve.of(new double[] {0.1, 1.2}, new double[] {0, 1})).getMessage());
        assertEquals("predictions must be probabilities in [0, 1], got NaN at index 0", assertThrows(IllegalArgumentException.class,
                () -> CalibrationCurve.of(new double[] {Double.NaN}, new double[] {0})).getMessage());
        assertEquals("calibration curve needs labels 0 or 1, got 2.0 at index 0", assertThrows(IllegalArgumentException.class,
                () -> CalibrationCurve.of(new double[] {0.1}, new double[] {2})).getMessage());
        assertEquals("calibration curve needs at least 1 bin, got 0", assertThrows(IllegalArgumentException.class,
                () -> CalibrationCurve.of(new double[] {0.1}, new double[] {1}, 0)).getMessage());
        assertEquals("calibration curve needs at least one prediction, got none", assertThrows(IllegalArgumentException.class,
                () -> CalibrationCurve.of(new double[0], new double[0])).getMessage());
        assertEquals("predictions and labels must have the same length, got 1 predictions and 2 labels",
                assertThrows(IllegalArgumentException.class, () -> CalibrationCurve.of(new double[] {0.1}, new double[] {1, 0})).getMessage());
    }
}

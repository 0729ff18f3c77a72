package org.recspark.evaluator.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.evaluator.AucAccumulator;

class RocCurveTest {

    @Test
    void pointsAndAreaByHand() {
        // Descending: 0.9 (pos) -> (0, 1/2); the tie at 0.8 (one pos, one neg) moves together -> (1/2, 1); 0.3 (neg) -> (1, 1).
        RocCurve roc = RocCurve.of(new double[] {0.8, 0.3, 0.9, 0.8}, new double[] {1, 0, 1, 0});
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 0.9, 0.8, 0.3}, roc.thresholds());
        assertArrayEquals(new double[] {0, 0, 0.5, 1}, roc.falsePositiveRates());
        assertArrayEquals(new double[] {0, 0.5, 1, 1}, roc.truePositiveRates());
        assertEquals(4, roc.size());
        assertEquals(2, roc.positives());
        assertEquals(2, roc.negatives());
        // Trapezoids 0.5 * (0.5 + 1) / 2 + 0.5 * 1 = 0.875; pairs: 1 + 1 + 0.5 + 1 out of 4.
        assertEquals(0.875, roc.area(), 1e-15);
    }

    @Test
    void allScoresTiedIsOneDiagonalStep() {
        RocCurve roc = RocCurve.of(new double[] {0.4, 0.4, 0.4}, new double[] {1, 0, 0});
        assertArrayEquals(new double[] {0, 1}, roc.falsePositiveRates());
        assertArrayEquals(new double[] {0, 1}, roc.truePositiveRates());
        assertEquals(0.5, roc.area());
    }

    @Test
    void areaEqualsTheAucAccumulatorAndTheTrapezoidOfThePointsOnRandomDataWithTies() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int trial = 0; trial < 100; trial++) {
            int n = rnd.nextInt(2, 3000);
            int levels = rnd.nextInt(1, 40);
            double[] scores = new double[n];
            double[] labels = new double[n];
            for (int i = 0; i < n; i++) {
                scores[i] = rnd.nextInt(levels) / (double) levels;
                labels[i] = rnd.nextDouble() < 0.2 + 0.6 * scores[i] ? 1 : 0;
            }
            // Both classes, which a curve needs.
            labels[0] = 1;
            labels[1] = 0;
            AucAccumulator auc = new AucAccumulator();
            for (int i = 0; i < n; i++) {
                auc.add(scores[i], labels[i]);
            }
            RocCurve roc = RocCurve.of(scores, labels);
            double[] x = roc.falsePositiveRates();
            double[] y = roc.truePositiveRates();
            double trapezoid = 0;
            for (int i = 1; i < x.length; i++) {
                assertTrue(x[i] >= x[i - 1] && y[i] >= y[i - 1], "trial " + trial + ": not monotone at " + i);
                trapezoid += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
            }
            assertEquals(0.0, x[0]);
            assertEquals(0.0, y[0]);
            assertEquals(1.0, x[x.length - 1]);
            assertEquals(1.0, y[y.length - 1]);
            assertEquals(Arrays.stream(scores).distinct().count() + 1, roc.size(), "trial " + trial);
            assertEquals(auc.value(), roc.area(), 1e-12, "trial " + trial);
            assertEquals(trapezoid, roc.area(), 1e-12, "trial " + trial);
        }
    }

    @Test
    void returnsCopies() {
        RocCurve roc = RocCurve.of(new double[] {0.1, 0.9}, new double[] {0, 1});
        roc.truePositiveRates()[1] = 7;
        roc.falsePositiveRates()[1] = 7;
        roc.thresholds()[1] = 7;
        assertArrayEquals(new double[] {0, 1, 1}, roc.truePositiveRates());
        assertArrayEquals(new double[] {0, 0, 1}, roc.falsePositiveRates());
        assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 0.9, 0.1}, roc.thresholds());
    }

    @Test
    void badInputIsRefusedWithWhatWasExpected() {
        assertEquals("ROC curve needs labels 0 or 1, got 0.5 at index 2", assertThrows(IllegalArgumentException.class,
                () -> RocCurve.of(new double[] {0.1, 0.2, 0.3}, new double[] {0, 1, 0.5})).getMessage());
        assertEquals("scores must be finite numbers, got NaN at index 1", assertThrows(IllegalArgumentException.class,
                () -> RocCurve.of(new double[] {0.1, Double.NaN}, new double[] {0, 1})).getMessage());
        assertEquals("scores and labels must have the same length, got 2 scores and 3 labels", assertThrows(IllegalArgumentException.class,
                () -> RocCurve.of(new double[] {0.1, 0.2}, new double[] {0, 1, 1})).getMessage());
        assertEquals("ROC curve needs both classes, got 2 positives and 0 negatives", assertThrows(IllegalArgumentException.class,
                () -> RocCurve.of(new double[] {0.1, 0.2}, new double[] {1, 1})).getMessage());
        assertEquals("ROC curve needs both classes, got 0 positives and 0 negatives", assertThrows(IllegalArgumentException.class,
                () -> RocCurve.of(new double[0], new double[0])).getMessage());
    }
}

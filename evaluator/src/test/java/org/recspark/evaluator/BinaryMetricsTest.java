package org.recspark.evaluator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    private static <T extends MetricAccumulator<T>> T fill(T acc, double[] p, double[] y) {
        for (int i = 0; i < p.length; i++) {
            acc.add(p[i], y[i]);
        }
        return acc;
    }

    @Test
    void aucByHand() {
        // Positives 0.8, 0.4; negatives 0.6, 0.2: pairs (0.8>0.6, 0.8>0.2, 0.4<0.6, 0.4>0.2) -> 3/4.
        assertEquals(0.75, fill(new AucAccumulator(), new double[] {0.8, 0.6, 0.4, 0.2}, new double[] {1, 0, 1, 0}).value());
        // A tie between a positive and a negative counts one half: (1 + 0.5) / 2.
        assertEquals(0.75, fill(new AucAccumulator(), new double[] {0.9, 0.5, 0.5}, new double[] {1, 1, 0}).value());
        assertEquals(0.5, fill(new AucAccumulator(), new double[] {0.3, 0.3, 0.3, 0.3}, new double[] {1, 0, 1, 0}).value());
        assertEquals(0.0, fill(new AucAccumulator(), new double[] {0.1, 0.9}, new double[] {1, 0}).value());
        assertTrue(Double.isNaN(fill(new AucAccumulator(), new double[] {0.1, 0.9}, new double[] {1, 1}).value()));
    }

    @Test
    void aucEqualsPairCountingOnRandomDataWithTies() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 50; trial++) {
            int n = rnd.nextInt(2, 400);
            double[] p = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                p[i] = rnd.nextInt(20) / 20.0;
                y[i] = rnd.nextDouble() < p[i] * 0.8 + 0.1 ? 1 : 0;
            }
            double wins = 0;
            long pairs = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (y[i] == 1 && y[j] == 0) {
                        pairs++;
                        wins += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
                    }
                }
            }
            double expected = pairs == 0 ? Double.NaN : wins / pairs;
            assertEquals(expected, fill(new AucAccumulator(), p, y).value(), 1e-12, "trial " + trial);
        }
    }

    @Test
    void gaucWeightsUsersByImpressionsAndSkipsSingleClassUsers() {
        GaucAccumulator gauc = new GaucAccumulator();
        // User a: AUC 1 over 2 impressions; user b: AUC 0.5 over 4; user c: only negatives (skipped).
        gauc.add("a", 0.9, 1);
        gauc.add("a", 0.1, 0);
        gauc.add("b", 0.5, 1);
        gauc.add("b", 0.5, 0);
        gauc.add("b", 0.7, 1);
        gauc.add("b", 0.7, 0);
        gauc.add("c", 0.2, 0);
        assertEquals((1.0 * 2 + 0.5 * 4) / 6, gauc.value(), 1e-12);
        assertEquals(3, gauc.users());
        assertEquals(1, gauc.skippedUsers());
        assertEquals(7, gauc.count());
    }

    @Test
    void loglossCalibrationPrecisionRecallAndErrorsByHand() {
        double[] p = {0.9, 0.2, 0.6, 0.4};
        double[] y = {1, 0, 0, 1};
        double expectedLogLoss = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.4)) / 4;
        assertEquals(expectedLogLoss, fill(new LogLossAccumulator(), p, y).value(), 1e-12);
        assertEquals(34.538776394910684, fill(new LogLossAccumulator(), new double[] {0}, new double[] {1}).value(), 1e-9,
                "a certain mistake is clipped at 1e-15");
        assertEquals((0.9 + 0.2 + 0.6 + 0.4) / 2, fill(new CalibrationAccumulator(), p, y).value(), 1e-12);
        PrecisionRecallAccumulator pr = fill(new PrecisionRecallAccumulator(0.5), p, y);
        assertEquals(0.5, pr.precision());
        assertEquals(0.5, pr.recall());
        RegressionErrors errors = fill(new RegressionErrors(), new double[] {3, 1, 2}, new double[] {1, 1, 4});
        assertEquals(8.0 / 3, errors.mse(), 1e-12);
        assertEquals(Math.sqrt(8.0 / 3), errors.rmse(), 1e-12);
        assertEquals(4.0 / 3, errors.mae(), 1e-12);
    }

    @Test
    void mergedPartitionsEqualOnePass() {
        SplittableRandom rnd = new SplittableRandom(9);
        int n = 5000;
        double[] p = new double[n];
        double[] y = new double[n];
        String[] users = new String[n];
        for (int i = 0; i < n; i++) {
            p[i] = Math.round(rnd.nextDouble() * 1000) / 1000.0;
            y[i] = rnd.nextDouble() < p[i] ? 1 : 0;
            users[i] = "u" + rnd.nextInt(100);
        }
        assertMerges(AucAccumulator::new, p, y);
        assertMerges(LogLossAccumulator::new, p, y);
        assertMerges(CalibrationAccumulator::new, p, y);
        assertMerges(RegressionErrors::new, p, y);
        assertMerges(() -> new PrecisionRecallAccumulator(0.3), p, y);

        GaucAccumulator whole = new GaucAccumulator();
        GaucAccumulator[] parts = {new GaucAccumulator(), new GaucAccumulator(), new GaucAccumulator()};
        for (int i = 0; i < n; i++) {
            whole.add(users[i], p[i], y[i]);
            parts[i % 3].add(users[i], p[i], y[i]);
        }
        parts[0].merge(parts[1]);
        parts[0].merge(parts[2]);
        assertEquals(whole.value(), parts[0].value(), 1e-12);
        assertEquals(whole.skippedUsers(), parts[0].skippedUsers());
    }

    private static <T extends MetricAccumulator<T>> void assertMerges(Supplier<T> factory, double[] p, double[] y) {
        T whole = factory.get();
        T a = factory.get();
        T b = factory.get();
        for (int i = 0; i < p.length; i++) {
            whole.add(p[i], y[i]);
            (i % 7 < 3 ? a : b).add(p[i], y[i]);
        }
        a.merge(b);
        assertEquals(whole.count(), a.count());
        assertEquals(whole.value(), a.value(), 1e-9, whole.getClass().getSimpleName());
    }

    @Test
    void badInputsAreRejectedWithTheValue() {
        assertEquals("binary metrics need labels 0 or 1, got 2.0",
                assertThrows(IllegalArgumentException.class, () -> new AucAccumulator().add(0.5, 2)).getMessage());
        assertEquals("prediction must be a finite number, got NaN",
                assertThrows(IllegalArgumentException.class, () -> new LogLossAccumulator().add(Double.NaN, 1)).getMessage());
        assertEquals("logloss needs probabilities in [0, 1], got 1.5",
                assertThrows(IllegalArgumentException.class, () -> new LogLossAccumulator().add(1.5, 1)).getMessage());
    }
}

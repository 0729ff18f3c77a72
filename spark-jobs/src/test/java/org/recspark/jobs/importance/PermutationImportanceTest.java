package org.recspark.jobs.importance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.FeatureConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.model.data.Examples;
import org.recspark.model.data.SparseValues;

/** Permutation importance on hand-made rows and a scorer that reads one feature: no Spark, no model. */
class PermutationImportanceTest {
    private static final int ROWS = 2000;

    private static FeatureSchema schema() throws TextFormat.ParseException {
        FeatureConfig config = TextFormat.parse("""
                features { name: "signal" raw { input: "item.a" } }
                features { name: "noise" raw { input: "item.b" } }
                features { name: "ids" id { input: "item.c" hash_bucket_size: 10 } }
                """, FeatureConfig.class);
        return FeatureGenerator.compile(config, Path.of(".")).schema();
    }

    /** The label is 1 with probability {@code signal}; {@code noise} and {@code ids} are independent of it. */
    private static Examples rows() throws TextFormat.ParseException {
        SplittableRandom random = new SplittableRandom(3);
        float[] signal = new float[ROWS];
        float[] noise = new float[ROWS];
        float[] label = new float[ROWS];
        int[] offsets = new int[ROWS + 1];
        long[] ids = new long[2 * ROWS];
        int n = 0;
        for (int i = 0; i < ROWS; i++) {
            signal[i] = (float) random.nextDouble();
            noise[i] = (float) random.nextDouble();
            label[i] = random.nextDouble() < signal[i] ? 1 : 0;
            for (int k = 0; k < i % 3; k++) {
                ids[n++] = i % 10;
            }
            offsets[i + 1] = n;
        }
        return new Examples(schema(), ROWS, new SparseValues[] {null, null, new SparseValues(offsets, Arrays.copyOf(ids, n), null)},
                new float[][] {signal, noise, null}, Map.of("click", label), null);
    }

    /** Scores each row by its signal value: the model uses that feature only. */
    private static float[] bySignal(Examples rows) {
        return rows.dense(0).clone();
    }

    @Test
    void theFeatureTheScoresReadDropsAucAndTheOthersDoNot() throws Exception {
        Examples rows = rows();
        PermutationImportance importance = new PermutationImportance(PermutationImportanceTest::bySignal, "click", 5, 11);
        PermutationImportance.Baseline baseline = importance.baseline(rows);
        assertTrue(baseline.auc() > 0.75, "AUC of the signal " + baseline.auc());
        List<PermutationImportance.Result> results = importance.measure(rows, baseline, List.of(
                new PermutationImportance.Candidate("signal", "g", new int[] {0}),
                new PermutationImportance.Candidate("noise", "g", new int[] {1}),
                new PermutationImportance.Candidate("ids", "g", new int[] {2}),
                new PermutationImportance.Candidate("g", "g", new int[] {0, 1, 2})));
        PermutationImportance.Result signal = results.get(0);
        assertEquals(5, signal.aucDrops().length);
        // Shuffled, the signal says nothing of the label: AUC falls to about 0.5.
        assertEquals(baseline.auc() - 0.5, signal.meanAucDrop(), 0.05);
        assertTrue(signal.stdAucDrop() > 0 && signal.stdAucDrop() < 0.03, "spread " + signal.stdAucDrop());
        assertTrue(signal.meanLoglossIncrease() > 0.05, "logloss increase " + signal.meanLoglossIncrease());
        for (PermutationImportance.Result unused : results.subList(1, 3)) {
            assertArrayEquals(new double[5], unused.aucDrops(), 0.0, unused.candidate().name());
            assertArrayEquals(new double[5], unused.loglossIncreases(), 0.0, unused.candidate().name());
        }
        // The group holds the signal and is shuffled by the same permutations: the same drops.
        assertArrayEquals(signal.aucDrops(), results.get(3).aucDrops(), 1e-12);
    }

    @Test
    void theSameSeedGivesTheSameDrops() throws Exception {
        Examples rows = rows();
        List<PermutationImportance.Candidate> signal = List.of(new PermutationImportance.Candidate("signal", "", new int[] {0}));
        PermutationImportance a = new PermutationImportance(PermutationImportanceTest::bySignal, "click", 3, 5);
        PermutationImportance b = new PermutationImportance(PermutationImportanceTest::bySignal, "click", 3, 5);
        PermutationImportance other = new PermutationImportance(PermutationImportanceTest::bySignal, "click", 3, 6);
        double[] drops = a.measure(rows, a.baseline(rows), signal).get(0).aucDrops();
        assertArrayEquals(drops, b.measure(rows, b.baseline(rows), signal).get(0).aucDrops(), 0.0);
        assertTrue(!Arrays.equals(drops, other.measure(rows, other.baseline(rows), signal).get(0).aucDrops()));
    }

    @Test
    void shufflingMovesWholeRowsOfTheChosenFeaturesOnly() throws Exception {
        Examples rows = rows();
        int[] permutation = PermutationImportance.permutation(ROWS, new SplittableRandom(1));
        int[] sorted = permutation.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < ROWS; i++) {
            assertEquals(i, sorted[i]);
        }
        Examples shuffled = PermutationImportance.shuffled(rows, new int[] {0, 2}, permutation);
        SparseValues ids = rows.sparse(2);
        SparseValues shuffledIds = shuffled.sparse(2);
        for (int i = 0; i < ROWS; i++) {
            int from = permutation[i];
            assertEquals(rows.dense(0)[from], shuffled.dense(0)[i]);
            assertEquals(rows.dense(1)[i], shuffled.dense(1)[i], "noise is not shuffled");
            assertEquals(rows.label("click")[i], shuffled.label("click")[i], "labels stay");
            assertArrayEquals(Arrays.copyOfRange(ids.ids(), ids.start(from), ids.end(from)),
                    Arrays.copyOfRange(shuffledIds.ids(), shuffledIds.start(i), shuffledIds.end(i)));
        }
    }

    @Test
    void refusesRowsWithOneClassAndNoRepeats() throws Exception {
        Examples rows = rows();
        float[] allPositive = new float[ROWS];
        Arrays.fill(allPositive, 1);
        Examples positives = new Examples(rows.schema(), ROWS, new SparseValues[] {null, null, rows.sparse(2)},
                new float[][] {rows.dense(0), rows.dense(1), null}, Map.of("click", allPositive), null);
        PermutationImportance importance = new PermutationImportance(PermutationImportanceTest::bySignal, "click", 2, 1);
        assertEquals("the 2000 rows have only positive labels 'click': AUC is undefined",
                assertThrows(IllegalArgumentException.class, () -> importance.baseline(positives)).getMessage());
        assertEquals("repeats must be at least 1, got 0", assertThrows(IllegalArgumentException.class,
                () -> new PermutationImportance(PermutationImportanceTest::bySignal, "click", 0, 1)).getMessage());
    }
}

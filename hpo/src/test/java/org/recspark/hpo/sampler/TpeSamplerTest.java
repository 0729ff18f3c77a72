package org.recspark.hpo.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.recspark.hpo.space.ParameterSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class TpeSamplerTest {
    private static final Logger LOG = LoggerFactory.getLogger(TpeSamplerTest.class);
    private static final int BUDGET = 40;
    private static final int SEEDS = 20;

    /** The best loss of a sequential search of BUDGET trials, each seeing all earlier ones. */
    private static double bestLoss(Sampler sampler) {
        List<Observation> history = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (int t = 0; t < BUDGET; t++) {
            double[] p = sampler.suggest(t, history);
            double loss = SyntheticObjective.loss(p);
            history.add(new Observation(t, p, loss));
            best = Math.min(best, loss);
        }
        return best;
    }

    @Test
    void tpeFindsBetterPointsThanRandomSearchWithTheSameBudget() {
        ParameterSpace space = SyntheticObjective.space();
        double tpe = 0;
        double random = 0;
        int tpeWins = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            double t = bestLoss(new TpeSampler(space, seed, TpeSampler.defaultStartupTrials(BUDGET), TpeSampler.DEFAULT_GAMMA,
                    TpeSampler.DEFAULT_CANDIDATES));
            double r = bestLoss(new RandomSampler(space, seed));
            tpe += t / SEEDS;
            random += r / SEEDS;
            tpeWins += t < r ? 1 : 0;
        }
        LOG.info(String.format(Locale.ROOT, "mean best loss over %d seeds, %d trials: TPE %.4f, random %.4f; TPE better on %d seeds",
                SEEDS, BUDGET, tpe, random, tpeWins));
        assertTrue(tpe < 0.6 * random, "TPE " + tpe + " vs random " + random);
        assertTrue(tpeWins >= SEEDS * 2 / 3, tpeWins + " of " + SEEDS);
    }

    @Test
    void startupTrialsAreTheRandomSearchsAndSuggestionsAreReproducible() {
        ParameterSpace space = SyntheticObjective.space();
        TpeSampler tpe = new TpeSampler(space, 9, 5, 0.1, 24);
        RandomSampler random = new RandomSampler(space, 9);
        List<Observation> history = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            double[] p = tpe.suggest(t, history);
            assertArrayEquals(random.suggest(t, List.of()), p);
            history.add(new Observation(t, p, SyntheticObjective.loss(p)));
        }
        assertArrayEquals(tpe.suggest(5, history), new TpeSampler(space, 9, 5, 0.1, 24).suggest(5, List.copyOf(history)));
    }

    @Test
    void failedTrialsCountAsBadAndAllFailedFallsBackToRandomDraws() {
        ParameterSpace space = SyntheticObjective.space();
        TpeSampler tpe = new TpeSampler(space, 3, 2, 0.1, 24);
        List<Observation> failed = List.of(new Observation(0, new double[]{0.1, 1e-3, 64, 0}, Double.NaN),
                new Observation(1, new double[]{0.2, 1e-2, 32, 1}, Double.NaN));
        double[] p = tpe.suggest(2, failed);
        assertEquals(4, p.length);
        // one success at activation GELU among many failures with RELU: the categorical model prefers GELU
        List<Observation> history = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            history.add(new Observation(i, new double[]{0.3, 3e-3, 128, 0}, Double.NaN));
        }
        history.add(new Observation(12, new double[]{0.3, 3e-3, 128, 2}, 0.5));
        int gelu = 0;
        for (int t = 13; t < 43; t++) {
            gelu += tpe.suggest(t, history)[3] == 2 ? 1 : 0;
        }
        assertTrue(gelu >= 25, gelu + " of 30 suggestions pick the choice of the only good trial");
    }

    @Test
    void parzenDensityIsNormalisedOverTheRange() {
        ParzenEstimator p = new ParzenEstimator(new double[]{0.1, 0.15, 0.8}, 0, 1, 1.0);
        double integral = 0;
        int n = 20000;
        for (int i = 0; i < n; i++) {
            integral += Math.exp(p.logDensity((i + 0.5) / n)) / n;
        }
        assertEquals(1.0, integral, 1e-3);
        assertEquals(0.5, ParzenEstimator.normalCdf(0), 1e-7);
        assertEquals(0.975, ParzenEstimator.normalCdf(1.959964), 1e-6);
    }
}

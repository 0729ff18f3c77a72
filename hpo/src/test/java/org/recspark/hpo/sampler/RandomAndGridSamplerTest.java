package org.recspark.hpo.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.recspark.config.ConfigException;
import org.recspark.hpo.space.ParameterSpace;
import org.recspark.hpo.space.ParameterSpaceFixture;

class RandomAndGridSamplerTest {
    @Test
    void randomPointsDependOnTheSeedAndTrialNumberOnlyAndCoverTheRanges() {
        ParameterSpace space = SyntheticObjective.space();
        RandomSampler a = new RandomSampler(space, 42);
        RandomSampler b = new RandomSampler(space, 42);
        assertArrayEquals(a.suggest(5, List.of()), b.suggest(5, List.of()));
        assertArrayEquals(a.suggest(5, List.of()), a.suggest(5, List.of(new Observation(0, a.suggest(0, List.of()), 1.0))),
                "the history does not matter");
        assertFalse(Arrays.equals(a.suggest(5, List.of()), a.suggest(6, List.of())));
        assertFalse(Arrays.equals(a.suggest(5, List.of()), new RandomSampler(space, 43).suggest(5, List.of())));
        int belowGeometricMiddle = 0;
        Set<Double> activations = new HashSet<>();
        for (int t = 0; t < 2000; t++) {
            double[] p = a.suggest(t, List.of());
            assertTrue(p[0] >= 0 && p[0] <= 0.9 && p[1] >= 1e-5 && p[1] <= 1 && p[2] >= 8 && p[2] <= 512, Arrays.toString(p));
            belowGeometricMiddle += p[1] < Math.sqrt(1e-5) ? 1 : 0;
            activations.add(p[3]);
        }
        assertEquals(1000, belowGeometricMiddle, 100, "log-uniform: half of the draws below the geometric middle");
        assertEquals(Set.of(0.0, 1.0, 2.0, 3.0), activations);
    }

    @Test
    void aFullGridRunsEveryCombinationInOrder() {
        ParameterSpace space = ParameterSpace.of(ParameterSpaceFixture.space("""
                params { path: "model_config.deepfm.dnn.activation" choices { values: ["RELU", "TANH"] } }
                params { path: "train_config.batch_size" int_range { min: 64 max: 200 step: 64 } }
                """), ParameterSpaceFixture.BASE);
        GridSampler grid = new GridSampler(space, 1, 100);
        assertEquals(6, grid.capacity().getAsLong());
        List<String> points = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            points.add(space.texts(grid.suggest(t, List.of())).values().toString());
        }
        assertEquals(List.of("[RELU, 64]", "[RELU, 128]", "[RELU, 192]", "[TANH, 64]", "[TANH, 128]", "[TANH, 192]"), points);
        assertThrows(IllegalArgumentException.class, () -> grid.suggest(6, List.of()));
    }

    @Test
    void aPartialGridIsAShuffledSubsetWithoutRepeats() {
        ParameterSpace space = ParameterSpace.of(ParameterSpaceFixture.space("""
                params { path: "train_config.batch_size" int_range { min: 1 max: 10 } }
                params { path: "model_config.deepfm.dnn.hidden_units[0]" int_range { min: 1 max: 10 } }
                """), ParameterSpaceFixture.BASE);
        GridSampler grid = new GridSampler(space, 7, 20);
        Set<String> seen = new HashSet<>();
        Set<Double> firstValues = new HashSet<>();
        for (int t = 0; t < 20; t++) {
            double[] p = grid.suggest(t, List.of());
            assertTrue(seen.add(Arrays.toString(p)), "no repeats");
            firstValues.add(p[0]);
        }
        assertTrue(firstValues.size() >= 6, "spread over the first parameter too: " + firstValues);
        assertArrayEquals(grid.suggest(3, List.of()), new GridSampler(space, 7, 20).suggest(3, List.of()));
    }

    @Test
    void gridRefusesFloatRangesNamingTheParameter() {
        ParameterSpace space = ParameterSpace.of(ParameterSpaceFixture.space("""
                params { path: "model_config.deepfm.dnn.activation" choices { values: ["RELU", "TANH"] } }
                params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 0.5 } }
                """), ParameterSpaceFixture.BASE);
        ConfigException e = assertThrows(ConfigException.class, () -> new GridSampler(space, 1, 10));
        assertEquals("hpo_config.params[1].float_range", e.violations().get(0).path());
        assertTrue(e.violations().get(0).message().contains("list them as choices"), e.getMessage());
    }
}

package org.recspark.hpo.space;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;

class ParameterSpaceTest {
    private static final PipelineConfig BASE = ParameterSpaceFixture.BASE;

    private static SearchSpace space(String text) {
        return ParameterSpaceFixture.space(text);
    }

    @Test
    void runtimeSettingsAndTheMeasurementCannotBeSearched() {
        ConfigException e = assertThrows(ConfigException.class, () -> ParameterSpace.of(space("""
                params { path: "runtime_config.threads_per_worker" int_range { min: 1 max: 4 } }
                params { path: "input_config.split.by_time.eval_fraction" float_range { min: 0.1 max: 0.3 } }
                params { path: "eval_config.every_steps" choices { values: ["10", "20"] } }
                params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 0.5 } }
                """), BASE));
        List<Violation> v = e.violations();
        assertEquals(3, v.size(), e.getMessage());
        assertEquals(new Violation("hpo_config.params[0].path", "'runtime_config.threads_per_worker' cannot be searched: runtime_config "
                + "is a runtime setting (where and how fast a run goes), not a hyper-parameter"), v.get(0));
        assertEquals("hpo_config.params[1].path", v.get(1).path());
        assertTrue(v.get(1).message().contains("defines the data and the split the objective is measured on"), v.get(1).message());
        assertEquals("hpo_config.params[2].path", v.get(2).path());
    }

    @Test
    void everyValueIsTriedOnTheBaseConfigUpFrontAndBadOnesAreReportedWhereTheyAreDeclared() {
        ConfigException e = assertThrows(ConfigException.class, () -> ParameterSpace.of(space("""
                params { path: "model_config.deepfm.dnn.hidden_units" choices { values: ["[64, 32]", "[64", "[8]"] } }
                params { path: "model_config.deepfm.dnn.dropot" float_range { min: 0 max: 0.5 } }
                params { path: "train_config.batch_size" float_range { min: 64 max: 512 } }
                params { path: "model_config.deepfm.dnn.activation" choices { values: ["RELU", "relu"] } }
                params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 0.5 } }
                params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 0.4 } }
                """), BASE));
        List<String> paths = e.violations().stream().map(Violation::path).toList();
        assertEquals(List.of("hpo_config.params[0].choices.values[1]", "hpo_config.params[1].float_range.min", "hpo_config.params[1].float_range.max",
                "hpo_config.params[2].float_range", "hpo_config.params[3].choices.values[1]", "hpo_config.params[5].path"), paths, e.getMessage());
        assertTrue(e.violations().get(0).message().startsWith("cannot set model_config.deepfm.dnn.hidden_units to '[64': "), e.getMessage());
        assertTrue(e.violations().get(1).message().contains("no field 'dropot' in MLP"), e.getMessage());
        assertEquals("'train_config.batch_size' has type int32: a float_range cannot set it; use an int_range", e.violations().get(3).message());
        assertTrue(e.violations().get(4).message().contains("expects one of [RELU,"), e.getMessage());
        assertEquals("'model_config.deepfm.dnn.dropout' is searched twice", e.violations().get(5).message());
    }

    @Test
    void aTrialConfigIsTheBaseWithThePointsValuesValidatedAndWithoutTheSearch() {
        ParameterSpace s = ParameterSpace.of(space("""
                params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 0.9 } }
                params { path: "model_config.deepfm.dnn.hidden_units" choices { values: ["[64, 32]", "[16]"] } }
                params { path: "train_config.batch_size" int_range { min: 64 max: 256 step: 64 } }
                """), BASE.toBuilder().setHpoConfig(SearchSpace.getDefaultInstance()).build());
        double[] point = {0.5, 1, 192};
        assertEquals(Map.of("model_config.deepfm.dnn.dropout", "0.5", "model_config.deepfm.dnn.hidden_units", "[16]",
                "train_config.batch_size", "192"), s.texts(point));
        PipelineConfig trial = s.configFor(BASE, point);
        assertEquals(0.5f, trial.getModelConfig().getDeepfm().getDnn().getDropout());
        assertEquals(List.of(16), trial.getModelConfig().getDeepfm().getDnn().getHiddenUnitsList());
        assertEquals(192, trial.getTrainConfig().getBatchSize());
        assertTrue(!trial.hasHpoConfig());
        assertArrayEquals(point, s.parse(s.texts(point)));
    }

    @Test
    void aSampledValueThatBreaksAFieldRuleFailsTheTrialConfigWithItsPath() {
        ParameterSpace s = ParameterSpace.of(space("""
                params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 1.5 } }
                """), BASE);
        ConfigException e = assertThrows(ConfigException.class, () -> s.configFor(BASE, new double[]{1.2}));
        assertEquals(List.of(new Violation("model_config.deepfm.dnn.dropout", "must be < 1, got 1.2")), e.violations());
        assertEquals(0.9f, s.configFor(BASE, new double[]{0.9}).getModelConfig().getDeepfm().getDnn().getDropout());
    }

    @Test
    void valuesPrintAsTheTextTheTrialRunsWith() {
        FloatDimension lr = new FloatDimension("lr", 1e-5, 0.1, true);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            double v = lr.sample(random);
            assertTrue(v >= 1e-5 && v <= 0.1, "in range: " + v);
            assertEquals(v, lr.parse(lr.text(v)), "round trip of " + v);
        }
        assertEquals("0.000123457", lr.text(1.23456789e-4));
        assertEquals("1.5E-7", new FloatDimension("x", 1e-8, 1, true).text(1.5e-7));
        assertEquals("250", new FloatDimension("x", 0, 1000, false).text(250));
        IntDimension units = new IntDimension("u", 16, 100, 16, true);
        assertEquals(96, units.top());
        for (int i = 0; i < 200; i++) {
            double v = units.sample(random);
            assertTrue(v >= 16 && v <= 96 && ((long) v - 16) % 16 == 0, "on the grid: " + v);
        }
        assertThrows(IllegalArgumentException.class, () -> units.parse("40"));
        assertEquals(16.0, units.unwarp(units.low()));
        assertEquals(96.0, units.unwarp(units.high()));
    }
}

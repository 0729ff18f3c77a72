package org.recspark.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.config.Violation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;
import org.recspark.hpo.trial.TrialOutcome;

/** The search examples under examples/hpo/ (and the sample pipeline's hpo_config) load, validate and make a search. */
class ExampleSearchConfigsTest {
    @TempDir
    Path dir;

    private static final org.recspark.hpo.trial.TrialExecutor NEVER = (spec, runDir) -> {
        throw new AssertionError("no trial runs in this test");
    };

    private HyperParameterSearch search(PipelineConfig config, Path configFile, SearchSpace space) {
        return new HyperParameterSearch(config, configFile.toAbsolutePath().getParent(), space, dir, NEVER);
    }

    @Test
    void theMovieLensSearchVariesOnlyTrainingAndEvaluationOfTheTrainerBenchmarksConfig() {
        Path file = RepoFiles.examples("hpo/movielens_deepfm_search.pbtxt");
        PipelineConfig search = ConfigParser.load(file);
        PipelineConfig base = ConfigParser.load(RepoFiles.examples("trainer/movielens_deepfm.pbtxt"));
        assertEquals(base.getInputConfig(), search.getInputConfig());
        assertEquals(base.getFeatureConfig(), search.getFeatureConfig());
        assertEquals(base.getModelConfig(), search.getModelConfig());
        assertEquals(base.getTrainConfig().toBuilder().setNumEpochs(2).build(), search.getTrainConfig(), "the same training, 2 epochs");
        assertEquals(5, search(search, file, search.getHpoConfig()).space().size());
    }

    @Test
    void everySearchSpaceUnderExamplesBuildsOverItsPipeline() throws IOException {
        Path sample = RepoFiles.examples("sample_pipeline.pbtxt");
        PipelineConfig config = ConfigParser.load(sample);
        assertEquals(3, search(config, sample, config.getHpoConfig()).space().size());
        List<Path> spaces;
        try (Stream<Path> files = Files.list(RepoFiles.examples("hpo"))) {
            spaces = files.filter(p -> p.toString().endsWith(".txtpb")).sorted().toList();
        }
        assertEquals(List.of(RepoFiles.examples("hpo/sample_space.txtpb")), spaces, "each space file is listed here with its pipeline");
        SearchSpace space = SearchSpaceFile.load(spaces.get(0), config);
        assertEquals(3, search(config, sample, space).space().size());
    }

    @Test
    void aSearchSpaceFileIsReadStrictlyAndValidatedWithItsPaths() throws IOException {
        PipelineConfig config = ConfigParser.load(RepoFiles.examples("sample_pipeline.pbtxt"));
        Path typo = dir.resolve("typo.txtpb");
        Files.writeString(typo, "params { path: \"model_config.deepfm.dnn.dropout\" float_range { min: 0 max: 0.5 } }\nalgoritm: TPE\n");
        ConfigException e = assertThrows(ConfigException.class, () -> SearchSpaceFile.load(typo, config));
        assertEquals(typo + ":2:1", e.violations().get(0).path());
        assertTrue(e.violations().get(0).message().contains("algoritm"), e.getMessage());
        Path twice = dir.resolve("twice.txtpb");
        Files.writeString(twice, "params { path: \"model_config.deepfm.dnn.dropout\" float_range { min: 0 max: 0.5 } }\n"
                + "max_trials: 5\nmax_trials: 50\n");
        ConfigException repeated = assertThrows(ConfigException.class, () -> SearchSpaceFile.load(twice, config));
        assertEquals(List.of(new Violation(twice + ":3:1", "max_trials: 'max_trials' given more than once (first at 2:1); "
                + "it is not a repeated field")), repeated.violations());
        Path invalid = dir.resolve("invalid.txtpb");
        Files.writeString(invalid, "params { path: \"model_config.deepfm.dnn.dropout\" float_range { min: 0.5 max: 0.1 } }\nmax_trials: 0\n"
                + "objective { metric: \"auc\" }\n");
        ConfigException v = assertThrows(ConfigException.class, () -> SearchSpaceFile.load(invalid, config));
        assertEquals(List.of("hpo_config.max_trials", "hpo_config.params[0].float_range"), v.violations().stream().map(Violation::path).sorted().toList(),
                v.getMessage());
    }

    @Test
    void aFailedTrialKeepsTheViolationsAsItsError() {
        ConfigException e = new ConfigException("x", List.of(new Violation("a.b", "must be > 0, got -1"), new Violation("c", "bad")));
        assertEquals("a.b: must be > 0, got -1; c: bad", TrialOutcome.errorOf(e));
        assertEquals("IllegalStateException: boom", TrialOutcome.errorOf(new IllegalStateException("boom")));
    }
}

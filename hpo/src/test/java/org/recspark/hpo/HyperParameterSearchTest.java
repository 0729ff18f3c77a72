package org.recspark.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;
import org.recspark.hpo.space.ParameterSpace;
import org.recspark.hpo.space.ParameterSpaceFixture;
import org.recspark.hpo.trial.TrialExecutor;
import org.recspark.hpo.trial.TrialLog;
import org.recspark.hpo.trial.TrialRecord;
import org.recspark.hpo.trial.TrialStatus;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.DirectoryLockedException;

/** Scheduling, failures, resuming and outputs of the search, with trials that do not train ({@link FakeTrials}). */
class HyperParameterSearchTest {
    private static final PipelineConfig BASE = ParameterSpaceFixture.BASE;
    private static final String SPACE = """
            params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 0.9 } }
            params { path: "train_config.dense_optimizer.learning_rate.initial" float_range { min: 0.00001 max: 1 log_scale: true } }
            params { path: "model_config.deepfm.dnn.hidden_units[0]" int_range { min: 8 max: 512 step: 8 log_scale: true } }
            params { path: "model_config.deepfm.dnn.activation" choices { values: ["RELU", "TANH", "GELU", "SIGMOID"] } }
            """;

    @TempDir
    Path dir;

    private static SearchSpace space(String settings) {
        return ParameterSpaceFixture.space(SPACE + settings + " objective { metric: \"auc\" direction: MAXIMIZE }");
    }

    /** A search in {@code searchDir} over the base config, as if that lived in the test's directory. */
    private HyperParameterSearch search(SearchSpace space, Path searchDir, TrialExecutor executor) {
        return new HyperParameterSearch(BASE, dir, space, searchDir, executor);
    }

    private static FakeTrials fake(SearchSpace space, boolean sleep) {
        return new FakeTrials(ParameterSpace.of(space, BASE), sleep);
    }

    private static Map<Integer, String> paramsByTrial(List<TrialRecord> trials) {
        return trials.stream().collect(Collectors.toMap(TrialRecord::number, t -> t.params().toString()));
    }

    private static Map<Integer, String> outcomesByTrial(List<TrialRecord> trials) {
        return trials.stream().collect(Collectors.toMap(TrialRecord::number,
                t -> t.outcome().status() + " " + t.outcome().objective() + " " + t.outcome().error()));
    }

    @Test
    void trialsRunInParallelInTheirOwnDirectoriesAndFailuresAreRecorded() throws IOException {
        SearchSpace space = space("algorithm: RANDOM max_trials: 12 parallelism: 3 seed: 5");
        FakeTrials trials = fake(space, true);
        HyperParameterSearch.Result result = search(space, dir, trials).run();
        assertEquals(12, result.trials().size());
        assertTrue(trials.maxRunning.get() >= 2, "trials overlapped: " + trials.maxRunning);
        assertEquals(trials.runDirs.size(), new HashSet<>(trials.runDirs.values()).size(), "a directory per trial");
        assertEquals(dir.resolve("trials/trial-0003"), trials.runDirs.get(3));
        List<TrialRecord> lost = result.trials().stream().filter(t -> t.params().containsValue("SIGMOID")).toList();
        assertTrue(!lost.isEmpty(), "seed 5 samples some SIGMOID trials");
        for (TrialRecord t : lost) {
            assertEquals(TrialStatus.FAILED, t.outcome().status());
            assertEquals("IllegalStateException: executor lost trial " + t.number(), t.outcome().error());
        }
        assertTrue(result.trials().stream().anyMatch(t -> t.outcome().status() == TrialStatus.COMPLETED));
        assertTrue(trials.earlierSeen.values().stream().allMatch(n -> n == 0), "random search without stopping shows no history");

        List<String> csv = Files.readAllLines(result.resultsTable());
        assertEquals("trial,model_config.deepfm.dnn.dropout,train_config.dense_optimizer.learning_rate.initial,"
                + "model_config.deepfm.dnn.hidden_units[0],model_config.deepfm.dnn.activation,auc,status,seconds,steps,stop_reason,error,run_dir", csv.get(0));
        assertEquals(13, csv.size());
        TrialRecord best = result.best().orElseThrow();
        assertTrue(result.trials().stream().noneMatch(t -> t.outcome().objective() > best.outcome().objective()));
        assertTrue(csv.get(best.number() + 1).startsWith(best.number() + "," + best.params().get("model_config.deepfm.dnn.dropout") + ","));
    }

    @Test
    void aSearchDirectoryInUseIsRefusedNamingItsHolder() {
        SearchSpace space = space("algorithm: RANDOM max_trials: 2 seed: 5");
        FakeTrials trials = fake(space, false);
        try (DirectoryLock other = DirectoryLock.acquire(dir, "hpo search from another shell")) {
            DirectoryLockedException e = assertThrows(DirectoryLockedException.class, () -> search(space, dir, trials).run());
            assertTrue(e.getMessage().contains(dir + " is locked by 'hpo search from another shell'"), e.getMessage());
        }
        assertEquals(0, trials.runs.get(), "no trial ran in the locked directory");
        assertEquals(2, search(space, dir, trials).run().trials().size());
    }

    @Test
    void aSampledConfigThatDoesNotValidateIsAFailedTrialNamingThePath() {
        SearchSpace space = ParameterSpaceFixture.space("""
                params { path: "model_config.deepfm.dnn.dropout" float_range { min: 0 max: 2 } }
                algorithm: RANDOM max_trials: 6 seed: 1
                """);
        TrialExecutor executor = (spec, runDir) -> new FakeTrials(ParameterSpace.of(SyntheticSpaces.FULL, BASE), false)
                .run(new org.recspark.hpo.trial.TrialSpec(spec.number(), SyntheticSpaces.center(), spec.config(), List.of()), runDir);
        HyperParameterSearch.Result result = search(space, dir, executor).run();
        List<TrialRecord> invalid = result.trials().stream().filter(t -> t.outcome().status() == TrialStatus.FAILED).toList();
        assertTrue(!invalid.isEmpty() && invalid.size() < 6, "about half of [0, 2) is >= 1: " + invalid.size());
        for (TrialRecord t : invalid) {
            assertTrue(t.outcome().error().contains("model_config.deepfm.dnn.dropout: must be < 1, got "), t.outcome().error());
            assertTrue(Double.parseDouble(t.params().get("model_config.deepfm.dnn.dropout")) >= 1);
        }
    }

    @Test
    void aRestartedSearchContinuesWithoutRepeatingFinishedTrialsAndEndsAsAnUninterruptedOne() throws IOException {
        SearchSpace space = space("algorithm: TPE max_trials: 14 parallelism: 2 seed: 11 trial_stopping: MEDIAN");
        HyperParameterSearch.Result straight = search(space, dir.resolve("straight"), fake(space, true)).run();

        Path crashed = dir.resolve("crashed");
        FakeTrials first = fake(space, false);
        TrialExecutor crashingAfterSix = (spec, runDir) -> {
            if (first.runs.get() >= 6) {
                throw new SimulatedCrash();
            }
            return first.run(spec, runDir);
        };
        assertThrows(SimulatedCrash.class, () -> search(space, crashed, crashingAfterSix).run());
        assertFalse(Files.exists(crashed.resolve(DirectoryLock.FILE)), "the crashed search released its lock");
        int finishedBefore;
        try (TrialLog log = TrialLog.open(crashed, search(space, crashed, first).fingerprint())) {
            finishedBefore = log.finished().size();
            assertTrue(finishedBefore >= 5 && finishedBefore <= 6, "finished before the crash: " + log.finished().keySet());
            assertTrue(!log.unfinished().isEmpty(), "the crash left a started trial");
        }

        FakeTrials second = fake(space, true);
        HyperParameterSearch.Result resumed = search(space, crashed, second).run();
        assertEquals(14 - finishedBefore, second.runs.get(), "finished trials are not run again");
        assertEquals(paramsByTrial(straight.trials()), paramsByTrial(resumed.trials()), "the same trials as without the crash");
        assertEquals(straight.best().orElseThrow().number(), resumed.best().orElseThrow().number());
        assertEquals(outcomesByTrial(straight.trials()), outcomesByTrial(resumed.trials()));
    }

    @Test
    void withTpeEachTrialSeesTheTrialsFinishedBeforeItStartedWhateverTheTiming() {
        SearchSpace space = space("algorithm: TPE max_trials: 12 parallelism: 3 seed: 4");
        FakeTrials slow = fake(space, true);
        HyperParameterSearch.Result a = search(space, dir.resolve("a"), slow).run();
        HyperParameterSearch.Result b = search(space, dir.resolve("b"), fake(space, false)).run();
        assertEquals(paramsByTrial(a.trials()), paramsByTrial(b.trials()));
        assertEquals(0, slow.earlierSeen.get(2));
        long withCurves = a.trials().stream().filter(t -> t.number() <= 7 && !t.outcome().curve().isEmpty()).count();
        assertEquals(withCurves, (long) slow.earlierSeen.get(10), "trial 10 with 3 at a time sees trials 0..7");
    }

    @Test
    void raisingMaxTrialsExtendsAFinishedSearchAndAnotherSpaceIsRefused() {
        FakeTrials first = fake(space("algorithm: RANDOM max_trials: 4 seed: 2"), false);
        search(space("algorithm: RANDOM max_trials: 4 seed: 2"), dir, first).run();
        FakeTrials more = fake(space("algorithm: RANDOM max_trials: 7 seed: 2"), false);
        HyperParameterSearch.Result result = search(space("algorithm: RANDOM max_trials: 7 seed: 2"), dir, more).run();
        assertEquals(4, first.runs.get());
        assertEquals(3, more.runs.get());
        assertEquals(7, result.trials().size());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> search(space("algorithm: RANDOM max_trials: 7 seed: 3"), dir, more).run());
        assertTrue(e.getMessage().contains("belongs to another search"), e.getMessage());
    }

    @Test
    void aGridRunsEachCombinationOnce() {
        SearchSpace space = ParameterSpaceFixture.space("""
                params { path: "model_config.deepfm.dnn.activation" choices { values: ["RELU", "TANH", "GELU"] } }
                params { path: "model_config.deepfm.dnn.hidden_units[0]" int_range { min: 16 max: 32 step: 16 } }
                algorithm: GRID max_trials: 100
                """);
        TrialExecutor executor = (spec, runDir) -> new FakeTrials(ParameterSpace.of(SyntheticSpaces.FULL, BASE), false)
                .run(new org.recspark.hpo.trial.TrialSpec(spec.number(), SyntheticSpaces.center(), spec.config(), List.of()), runDir);
        HyperParameterSearch.Result result = search(space, dir, executor).run();
        assertEquals(6, result.trials().size());
        assertEquals(6, new HashSet<>(paramsByTrial(result.trials()).values()).size());
    }

    @Test
    void theBestConfigRunsAsItIsAndThePlotsAreWritten() throws IOException {
        SearchSpace space = space("algorithm: TPE max_trials: 10 seed: 8");
        HyperParameterSearch.Result result = search(space, dir.resolve("search"), fake(space, false)).run();
        TrialRecord best = result.best().orElseThrow();
        Path file = result.bestConfig().orElseThrow();
        assertEquals(dir.resolve("search").resolve(HyperParameterSearch.BEST_CONFIG), file);
        PipelineConfig loaded = ConfigParser.load(file);
        ParameterSpace parameters = ParameterSpace.of(space, BASE);
        PipelineConfig expected = parameters.configFor(BASE, parameters.parse(best.params()));
        assertEquals(expected.getModelConfig(), loaded.getModelConfig());
        assertEquals(expected.getTrainConfig(), loaded.getTrainConfig());
        assertEquals(expected.getFeatureConfig(), loaded.getFeatureConfig());
        assertEquals(dir.resolve("synthetic/samples.csv").toAbsolutePath().normalize().toString(),
                loaded.getInputConfig().getSamples().getSource().getPath(), "relative paths are made absolute against the config's directory");
        assertTrue(Files.readString(file).startsWith("# Best trial " + best.number() + " of the search in "));
        assertEquals(List.of("objective_by_trial.png", "parameter_importance.png"),
                result.plots().stream().map(p -> p.getFileName().toString()).toList());
        for (Path png : result.plots()) {
            assertEquals(800, ImageIO.read(png.toFile()).getWidth(), png.toString());
        }
        assertEquals(List.copyOf(parameters.dimensions().stream().map(d -> d.path()).toList()), List.copyOf(result.importance().keySet()));
    }

    @Test
    void anObjectiveTheEvaluationDoesNotComputeIsRefusedBeforeAnyTrial() {
        SearchSpace space = ParameterSpaceFixture.space(SPACE + " objective { metric: \"ctr/auc\" }");
        ConfigException e = assertThrows(ConfigException.class, () -> search(space, dir, fake(space, false)));
        assertEquals("hpo_config.objective.metric", e.violations().get(0).path());
        assertEquals("'ctr/auc' is not computed; eval_config.metrics gives [auc, logloss]", e.violations().get(0).message());
    }

    private static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;
    }
}

package org.recspark.jobs.hpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.jobs.RecSparkCliAccess;
import org.recspark.jobs.samples.SampleBuildJobTest;

/**
 * {@code recspark hpo} on the bundled sample's built samples (one epoch per trial): trials in
 * threads from a search space file, and trials as Spark tasks in local[2], with a trial that needs
 * samples built for its own feature config and trials that fail inside their task.
 */
class HpoCommandTest {
    private static SparkSession spark;
    @TempDir
    static Path tmp;
    private static Path config;
    private static Path samples;

    @BeforeAll
    static void buildSamples() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("HpoCommandTest").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4").config("spark.sql.session.timeZone", "UTC").getOrCreate();
        config = SampleBuildJobTest.copySample(tmp.resolve("workspace"));
        Files.writeString(config, Files.readString(config).replace("num_epochs: 8", "num_epochs: 1"));
        samples = tmp.resolve("samples");
        RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out", samples.toString());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }


    private static Path repoFile(String relative) {
        return Path.of(System.getProperty("recspark.repo.root")).resolve(relative);
    }

    @Test
    void badSearchesExitTwoNamingTheProblem() throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path space = tmp.resolve("runtime.txtpb");
        Files.writeString(space, "params { path: \"runtime_config.threads_per_worker\" int_range { min: 1 max: 4 } }\n"
                + "objective { metric: \"auc\" }\n");
        int code = RecSparkCliAccess.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "hpo", "--config", config.toString(), "--samples", samples.toString(),
                "--out", tmp.resolve("refused").toString(), "--space", space.toString());
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("hpo_config.params[0].path: 'runtime_config.threads_per_worker' cannot be searched: runtime_config "
                + "is a runtime setting"), err.toString());
        err.reset();
        assertEquals(2, RecSparkCliAccess.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "hpo", "--samples", samples.toString()));
        assertTrue(err.toString().contains("option --config is required") && err.toString().contains("usage: recspark hpo"), err.toString());
    }

    @Test
    void trialsInThreadsFromASearchSpaceFileAndARerunResumes() throws IOException {
        Path out = tmp.resolve("local");
        String[] args = {"hpo", "--config", config.toString(), "--samples", samples.toString(), "--out", out.toString(),
                "--space", repoFile("examples/hpo/sample_space.txtpb").toString(), "--threads", "1"};
        String printed = RecSparkCliAccess.runOk(args);
        assertTrue(printed.contains("hpo: RANDOM search of 3 trials, 2 at a time in this process"), printed);
        assertTrue(printed.contains("hpo: 3 trials (3 completed, 0 stopped early, 0 failed)"), printed);
        assertTrue(printed.matches("(?s).*hpo: best trial \\d: auc 0\\.\\d{5} \\{train_config.dense_optimizer.learning_rate.initial=.*"), printed);
        assertEquals(4, Files.readAllLines(out.resolve("results.csv")).size());
        PipelineConfig best = ConfigParser.load(out.resolve("best_config.pbtxt"));
        assertEquals(config.getParent().resolve("../sample-data/small/impressions.csv").normalize().toString(),
                best.getInputConfig().getSamples().getSource().getPath());
        assertTrue(Files.isRegularFile(out.resolve("plots/objective_by_trial.png")));
        List<String> log = Files.readAllLines(out.resolve("trials.jsonl"));
        assertEquals(1 + 2 * 3, log.size(), "a header, then started and finished per trial");

        String again = RecSparkCliAccess.runOk(args);
        assertTrue(again.contains("hpo: 3 trials (3 completed, 0 stopped early, 0 failed)"), again);
        assertEquals(log, Files.readAllLines(out.resolve("trials.jsonl")), "nothing ran again");
    }

    @Test
    void trialsAsSparkTasksBuildSamplesForANewFeatureConfigAndRecordFailuresInsideTasks() throws IOException {
        Path space = tmp.resolve("grid.txtpb");
        Files.writeString(space, """
                params { path: "feature_config.features[8].id.hash_bucket_size" choices { values: ["10000", "500"] } }
                params { path: "feature_config.features[0].embedding_dim" choices { values: ["16", "8"] } }
                algorithm: GRID max_trials: 4 parallelism: 2
                objective { metric: "auc" direction: MAXIMIZE }
                """);
        Path out = tmp.resolve("spark");
        String printed = RecSparkCliAccess.runOk("hpo", "--config", config.toString(), "--samples", samples.toString(), "--out", out.toString(),
                "--space", space.toString(), "--threads", "1", "--spark");
        assertTrue(printed.contains("hpo: GRID search of 4 trials, 2 at a time as Spark tasks"), printed);
        assertTrue(printed.contains("hpo: 4 trials (2 completed, 0 stopped early, 2 failed)"), printed);
        // a DeepFM's FM needs one embedding dimension: user_id at 8 and the others at 16 fails when the task builds the model
        assertTrue(printed.contains("hpo: trial 1 failed: ") && printed.contains("hpo: trial 3 failed: "), printed);
        assertTrue(printed.contains("DeepFM needs one embedding_dim for all sparse features"), printed);
        List<Path> built;
        try (Stream<Path> dirs = Files.list(out.resolve("samples"))) {
            built = dirs.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().endsWith("_rejects")).toList();
        }
        assertEquals(1, built.size(), "samples built once, for the brand bucket count 500: " + built);
        assertTrue(Files.isRegularFile(built.get(0).resolve(TrialSamples.COMPLETE)), "marked complete, so a restart reuses them");
        for (int trial : new int[]{0, 2}) {
            assertTrue(Files.isRegularFile(out.resolve(String.format("trials/trial-%04d/summary.json", trial))), "trial " + trial);
        }
        assertTrue(Files.isRegularFile(out.resolve("best_config.pbtxt")));
    }
}

package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.jobs.samples.SampleBuildJobTest;
import org.recspark.jobs.training.DistributedTrainingJob;
import org.recspark.jobs.training.SamplePlanner;
import org.recspark.jobs.training.SampleSource;
import org.recspark.jobs.training.SampleSplit;
import org.recspark.model.bundle.CheckpointReader;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.trainer.eval.TrainingProgress;
import org.recspark.trainer.train.CheckpointLocator;

/**
 * Barrier-mode training of the sample config with 2 workers in local[2]: it trains, exports and
 * reports like a single process, and a worker killed mid-training makes Spark retry the stage,
 * which resumes from worker 0's latest checkpoint and ends with the uninterrupted run's model; the
 * driver sees worker 0's progress while it trains.
 */
class DistributedTrainingTest {
    private static SparkSession spark;
    @TempDir
    static Path tmp;
    private static Path config;
    private static Path samples;

    @BeforeAll
    static void buildSamples() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("DistributedTrainingTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC").config("spark.barrier.sync.timeout", "120")
                .config("spark.recspark.collective.timeoutSeconds", "30")
                // Progress reaches the driver with executor heartbeats: often enough to see several in a short run.
                .config("spark.executor.heartbeatInterval", "1s")
                .getOrCreate();
        config = SampleBuildJobTest.copySample(tmp.resolve("workspace"));
        Files.writeString(config, Files.readString(config).replace("num_epochs: 8", "num_epochs: 4")
                .replace("checkpoint { every_steps: 500 keep: 3 }", "checkpoint { every_steps: 10 keep: 3 }"));
        samples = tmp.resolve("samples");
        RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out", samples.toString());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }


    private static JsonObject train(Path modelDir) throws IOException {
        String printed = RecSparkCliAccess.runOk("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir", modelDir.toString(),
                "--workers", "2", "--threads", "1");
        assertTrue(printed.contains("train: 2 workers (barrier mode) x 1 threads"), printed);
        assertTrue(printed.matches("(?s).*test metrics of the exported model \\(\\d+ samples\\): auc 0\\.\\d+.*"), printed);
        return JsonParser.parseString(Files.readString(modelDir.resolve("summary.json"))).getAsJsonObject();
    }

    private static double testAuc(JsonObject summary) {
        return summary.getAsJsonObject("test").getAsJsonObject("metrics").get("auc").getAsDouble();
    }

    @Test
    void theDriverFollowsWorkerZerosStepsAndEvaluationsWhileItTrains() throws IOException {
        // Long enough for several heartbeats however fast the machine is today (224 steps, 7 to 40 s).
        Path longer = config.resolveSibling("progress_pipeline.pbtxt");
        Files.writeString(longer, Files.readString(config).replace("num_epochs: 4", "num_epochs: 16"));
        PipelineConfig pipeline = ConfigParser.load(longer);
        List<SampleSource> split = SamplePlanner.plan(spark, SampleSplit.parts(spark.read().parquet(samples.toString()),
                pipeline.getInputConfig()));
        List<TrainingProgress> seen = new CopyOnWriteArrayList<>();
        String summaryJson = new DistributedTrainingJob(spark, pipeline, longer.getParent(), tmp.resolve("followed"), 2, 1)
                .observingProgress(seen::add)
                .run(split.get(0), split.get(1), Optional.ofNullable(split.get(2)));
        JsonObject summary = JsonParser.parseString(summaryJson).getAsJsonObject();
        long steps = summary.get("steps").getAsLong();

        List<TrainingProgress> whileTraining = seen.stream().filter(p -> p.step() < steps).toList();
        assertTrue(whileTraining.size() >= 3, "heartbeats every second bring snapshots during training: " + seen);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i).step() >= seen.get(i - 1).step() && seen.get(i).runSeconds() > seen.get(i - 1).runSeconds(),
                    "in order: " + seen);
        }
        assertTrue(whileTraining.stream().anyMatch(p -> p.evaluationStep() > 0 && !p.evaluationMetrics().isEmpty()),
                "an evaluation reaches the driver before training ends: " + seen);
        assertTrue(whileTraining.stream().allMatch(p -> p.plannedSteps() >= steps && p.etaSeconds().isPresent()), seen.toString());

        TrainingProgress last = seen.get(seen.size() - 1);
        assertEquals(steps, last.step());
        JsonObject lastEvaluation = summary.getAsJsonObject("last_evaluation");
        assertEquals(lastEvaluation.get("step").getAsLong(), last.evaluationStep());
        for (String metric : lastEvaluation.getAsJsonObject("metrics").keySet()) {
            assertEquals(lastEvaluation.getAsJsonObject("metrics").get(metric).getAsDouble(), last.evaluationMetrics().get(metric), 1e-12, metric);
        }
    }

    @Test
    void aKilledWorkerIsRetriedFromTheLatestCheckpointAndEndsWithTheSameModel() throws IOException {
        Path straight = tmp.resolve("straight");
        JsonObject uninterrupted = train(straight);
        assertTrue(testAuc(uninterrupted) > 0.55, uninterrupted.toString());
        assertTrue(ExportBundle.open(straight.resolve("export/final")).manifest().getGlobalStep() > 0);

        Path killed = tmp.resolve("killed");
        spark.conf().set(DistributedTrainingJob.FAIL_AT_STEP, "25");
        JsonObject retried;
        try {
            retried = train(killed);
        } finally {
            spark.conf().unset(DistributedTrainingJob.FAIL_AT_STEP);
        }
        assertTrue(retried.get("stop_reason").getAsString().contains("(resumed from " + killed.resolve("checkpoints").resolve("ckpt-20")),
                retried.toString());
        assertEquals(uninterrupted.get("steps").getAsLong(), retried.get("steps").getAsLong());
        assertEquals(testAuc(uninterrupted), testAuc(retried), 0.002, "retried " + retried + "\nuninterrupted " + uninterrupted);
        assertEquals(uninterrupted.getAsJsonObject("last_evaluation"), retried.getAsJsonObject("last_evaluation"),
                "exact resume: the last evaluation is the same");

        // The command run again into the finished run's directory: the driver resumes the run, worker 0's choice reaches every worker.
        String runId = retried.get("run_id").getAsString();
        Path partial = Files.createDirectories(killed.resolve("checkpoints").resolve(".ckpt-99.tmp-5e6f"));
        JsonObject rerun = train(killed);
        assertEquals(runId, rerun.get("run_id").getAsString());
        assertEquals(retried.get("steps").getAsLong(), rerun.get("steps").getAsLong());
        assertEquals(killed.resolve("checkpoints").resolve("ckpt-" + retried.get("steps").getAsLong()).toString(),
                rerun.get("resumed_from").getAsString());
        assertFalse(Files.exists(partial), "a partial checkpoint is removed at the next start");
        for (Path checkpoint : CheckpointLocator.list(killed.resolve("checkpoints"))) {
            assertEquals(runId, CheckpointReader.open(checkpoint).manifest().getRunId(), checkpoint.toString());
        }
    }
}

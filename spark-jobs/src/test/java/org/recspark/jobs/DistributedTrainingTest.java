package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.jobs.samples.SampleBuildJobTest;
import org.recspark.jobs.training.DistributedTrainingJob;
import org.recspark.trainer.export.ExportBundle;

/**
 * Barrier-mode training of the sample config with 2 workers in local[2]: it trains, exports and
 * reports like a single process, and a worker killed mid-training makes Spark retry the stage,
 * which resumes from worker 0's latest checkpoint and ends with the uninterrupted run's model.
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
    }
}

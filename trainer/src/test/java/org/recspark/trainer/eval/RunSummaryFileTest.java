package org.recspark.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.proto.run.EvaluationSummary;
import org.recspark.config.proto.run.ExportSummary;
import org.recspark.config.proto.run.ExportsSummary;
import org.recspark.config.proto.run.TestSummary;
import org.recspark.config.proto.run.TrainingSummary;
import org.recspark.config.proto.run.TrainingTiming;
import org.recspark.config.proto.run.WarmStartSummary;

class RunSummaryFileTest {
    @TempDir
    Path dir;

    private static TrainingSummary summary() {
        return TrainingSummary.newBuilder()
                .setModel("deepfm").setRunId("run-1").setResumedFrom("/m/checkpoints/ckpt-20").setSteps(40)
                .setStopReason("completed train_config.num_epochs 2").setEarlyStopped(false)
                .setBestEvaluation(EvaluationSummary.newBuilder().setStep(20).putMetrics("auc", 0.75).putMetrics("logloss", Double.NaN))
                .setLastEvaluation(EvaluationSummary.newBuilder().setStep(40).putMetrics("auc", 0.74))
                .setExports(ExportsSummary.newBuilder().setFinal("/m/export/final")
                        .addBest(ExportSummary.newBuilder().setPath("/m/export/best/step-20").setStep(20).setMetric(0.75)))
                .setReportedExport("/m/export/best/step-20")
                .setTest(TestSummary.newBuilder().setSplit("test").setRows(1000).putMetrics("auc", 0.73))
                .addPlots("/m/plots/loss.png")
                .setHistory("/m/metrics.jsonl")
                .setTraining(TrainingTiming.newBuilder().setWorkers(2).setThreadsPerWorker(1).setTrainSeconds(3.5).setTrainSamples(8000)
                        .setStepSeconds(2.5).setSamplesPerSecond(3200).setProfile("40 steps"))
                .setWarmStart(WarmStartSummary.newBuilder().setFrom("/old/ckpt-9").setLoaded(3).addFresh("mlp/w0"))
                .build();
    }

    @Test
    void roundTripsThroughTheFile() {
        Path file = dir.resolve("summary.json");
        RunSummaryFile.write(file, summary());
        assertEquals(summary(), RunSummaryFile.read(file));
    }

    @Test
    void keysAreTheSnakeCaseNamesReadersUse() throws Exception {
        Path file = dir.resolve("summary.json");
        RunSummaryFile.write(file, summary());
        JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        assertEquals("run-1", o.get("run_id").getAsString());
        assertEquals("/m/checkpoints/ckpt-20", o.get("resumed_from").getAsString());
        assertEquals(40, o.get("steps").getAsLong());
        assertEquals("completed train_config.num_epochs 2", o.get("stop_reason").getAsString());
        assertTrue(o.has("early_stopped"), "a set false is printed");
        assertEquals(20, o.getAsJsonObject("best_evaluation").get("step").getAsLong());
        assertEquals(0.74, o.getAsJsonObject("last_evaluation").getAsJsonObject("metrics").get("auc").getAsDouble());
        assertEquals("/m/export/final", o.getAsJsonObject("exports").get("final").getAsString());
        assertEquals(0.75, o.getAsJsonObject("exports").getAsJsonArray("best").get(0).getAsJsonObject().get("metric").getAsDouble());
        assertEquals("/m/export/best/step-20", o.get("reported_export").getAsString());
        JsonObject test = o.getAsJsonObject("test");
        assertEquals("test", test.get("split").getAsString());
        assertEquals(1000, test.get("rows").getAsLong());
        assertEquals(0.73, test.getAsJsonObject("metrics").get("auc").getAsDouble());
        assertEquals("/m/plots/loss.png", o.getAsJsonArray("plots").get(0).getAsString());
        assertEquals("/m/metrics.jsonl", o.get("history").getAsString());
        assertEquals(2.5, o.getAsJsonObject("training").get("step_seconds").getAsDouble());
        assertEquals(1, o.getAsJsonObject("training").get("threads_per_worker").getAsInt());
        JsonObject warmStart = o.getAsJsonObject("warm_start");
        assertEquals("/old/ckpt-9", warmStart.get("from").getAsString());
        assertEquals(3, warmStart.get("loaded").getAsInt());
        assertEquals("mlp/w0", warmStart.getAsJsonArray("fresh").get(0).getAsString());
    }

    @Test
    void nanSurvivesAsAValidJsonString() throws Exception {
        Path file = dir.resolve("summary.json");
        RunSummaryFile.write(file, summary());
        assertTrue(Files.readString(file).contains("\"logloss\": \"NaN\""), Files.readString(file));
        assertTrue(RunSummaryFile.read(file).getBestEvaluation().getMetricsMap().get("logloss").isNaN());
    }

    @Test
    void unknownKeysAreAnErrorNamingTheSource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunSummaryFile.parse("{\"run_id\": \"r\", \"stepz\": 3}", "/m/summary.json"));
        assertTrue(e.getMessage().contains("/m/summary.json") && e.getMessage().contains("stepz"), e.getMessage());
    }
}

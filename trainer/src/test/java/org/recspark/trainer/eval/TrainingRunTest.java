package org.recspark.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.report.MetricsHistory;
import org.recspark.evaluator.report.MetricsRecord;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.model.data.Examples;
import org.recspark.trainer.model.ZooConfigs;
import org.recspark.trainer.model.ZooFixture;

class TrainingRunTest {
    @TempDir
    Path dir;

    private static PipelineConfig config(String model, int epochs, String evalAndExport) {
        return ConfigParser.parseText(ZooFixture.pipelineText(model, ZooFixture.trainConfig(128, epochs)) + evalAndExport, "run-test.pbtxt");
    }

    private TrainingRun.Summary run(PipelineConfig config, Path runDir) {
        ZooFixture.Data data = ZooFixture.data();
        return new TrainingRun(config, dir, data.generator().schema(), runDir, 1)
                .run(data.train(), data.test().slice(0, 1000), Optional.of(data.test().slice(1000, 2000)));
    }

    @Test
    void earlyStoppingEndsTheRunAfterPatienceEvaluationsWithoutImprovementAndSaysWhy() throws IOException {
        // No evaluation can beat the first by more than min_delta 1.0, so the third one (patience 2) stops at step 15.
        PipelineConfig config = config(ZooConfigs.DEEPFM, 4, """
                eval_config { metrics { auc {} } metrics { logloss {} } every_steps: 5 }
                export_config {
                  exporters { type: FINAL }
                  early_stop { target { metric: "auc" } patience: 2 min_delta: 1.0 }
                }
                """);
        TrainingRun.Summary s = run(config, dir.resolve("early"));
        assertEquals(15, s.steps());
        assertTrue(s.stopReason().startsWith("early stop at step 15: auc did not improve"), s.stopReason());
        List<MetricsRecord> history = MetricsHistory.read(s.history());
        assertEquals(List.of(5L, 10L, 15L), history.stream().filter(r -> r.kind() == MetricsRecord.Kind.EVAL).map(MetricsRecord::step).toList());
        JsonObject summary = JsonParser.parseString(Files.readString(s.summaryFile())).getAsJsonObject();
        assertTrue(summary.get("early_stopped").getAsBoolean());
        assertEquals(s.stopReason(), summary.get("stop_reason").getAsString());
        assertTrue(ExportBundle.open(dir.resolve("early/export/final")).manifest().getGlobalStep() == 15);
    }

    @Test
    void exportersKeepTheBestAndTheLatestAndTheReportScoresTheBestBundle() throws IOException {
        PipelineConfig config = config(ZooConfigs.MMOE, 2, """
                eval_config { metrics { auc {} } metrics { logloss {} } metrics { calibration {} } every_steps: 10 }
                export_config {
                  exporters { type: FINAL }
                  exporters { type: BEST keep: 2 }
                  exporters { type: LATEST keep: 2 }
                  best_metric { metric: "ctr/logloss" direction: MINIMIZE }
                }
                """);
        Path runDir = dir.resolve("exports");
        TrainingRun.Summary s = run(config, runDir);
        assertEquals("completed train_config.num_epochs 2", s.stopReason());
        List<MetricsRecord> evals = MetricsHistory.read(s.history()).stream().filter(r -> r.kind() == MetricsRecord.Kind.EVAL).toList();
        assertTrue(evals.size() >= 9, "evaluations every 10 steps and at the end: " + evals.size());
        assertTrue(evals.get(0).metrics().containsKey("cvr/auc"), evals.get(0).metrics().toString());

        List<Long> twoBest = evals.stream().sorted(Comparator.comparingDouble((MetricsRecord r) -> r.metrics().get("ctr/logloss"))
                .thenComparingLong(MetricsRecord::step)).limit(2).map(MetricsRecord::step).sorted().toList();
        assertEquals(twoBest, stepsIn(runDir.resolve("export/best")));
        List<Long> allSteps = evals.stream().map(MetricsRecord::step).toList();
        assertEquals(allSteps.subList(allSteps.size() - 2, allSteps.size()), stepsIn(runDir.resolve("export/latest")));
        assertEquals(s.steps(), ExportBundle.open(runDir.resolve("export/final")).manifest().getGlobalStep());

        long bestStep = s.outcome().bestExports().get(0).step();
        assertEquals(Optional.of(runDir.resolve("export/best/step-" + bestStep)), s.exported());
        assertEquals("test", s.testSplit());
        assertEquals(1000, s.testRows());
        assertTrue(s.testMetrics().get("ctr/auc") > 0.7, s.testMetrics().toString());
        assertEquals(List.of("loss.png", "eval_metrics.png", "roc.png", "calibration.png"),
                s.plots().stream().map(p -> p.getFileName().toString()).toList());
        for (Path png : s.plots()) {
            assertTrue(ImageIO.read(png.toFile()).getWidth() > 100, png.toString());
        }
        JsonObject summary = JsonParser.parseString(Files.readString(s.summaryFile())).getAsJsonObject();
        assertFalse(summary.get("early_stopped").getAsBoolean());
        assertEquals(s.testMetrics().get("ctr/auc"), summary.getAsJsonObject("test").getAsJsonObject("metrics").get("ctr/auc").getAsDouble());
    }

    @Test
    void aProgressListenerSeesEveryStepWithThePlannedStepsAndEachEvaluation() {
        PipelineConfig config = config(ZooConfigs.DEEPFM, 2, """
                eval_config { metrics { auc {} } metrics { logloss {} } every_steps: 7 }
                export_config { exporters { type: FINAL } }
                """);
        ZooFixture.Data data = ZooFixture.data();
        List<TrainingProgress> seen = new ArrayList<>();
        TrainingRun.Summary s = new TrainingRun(config, dir, data.generator().schema(), dir.resolve("progress"), 1)
                .reportingProgressTo(seen::add)
                .run(data.train(), data.test().slice(0, 1000), Optional.empty());

        long batches = (data.train().numRows() + 127) / 128;
        assertEquals(2 * batches, s.steps());
        TrainingProgress last = seen.get(seen.size() - 1);
        assertEquals(s.steps(), last.step());
        assertEquals(2 * batches, last.plannedSteps());
        assertEquals(2L * data.train().numRows(), last.samples());
        assertEquals(s.steps(), last.evaluationStep(), "the final evaluation is reported too");
        assertEquals(s.outcome().last().metrics(), last.evaluationMetrics());
        assertEquals(List.of("auc", "logloss"), List.copyOf(last.evaluationMetrics().keySet()));
        assertEquals(0, last.etaSeconds().orElseThrow());
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i).step() >= seen.get(i - 1).step() && seen.get(i).runSeconds() >= seen.get(i - 1).runSeconds(),
                    i + ": " + seen.get(i));
        }
        TrainingProgress step7 = seen.stream().filter(p -> p.step() == 7).findFirst().orElseThrow();
        assertEquals(7, step7.evaluationStep(), "the snapshot after an evaluating step carries its metrics");
        assertEquals(List.of("auc", "logloss"), List.copyOf(step7.evaluationMetrics().keySet()));
        TrainingProgress step6 = seen.stream().filter(p -> p.step() == 6).findFirst().orElseThrow();
        assertEquals(-1, step6.evaluationStep());
        assertTrue(step6.etaSeconds().orElseThrow() > 0);
        assertTrue(Double.isFinite(last.meanLossSince(step6)) && last.samplesPerSecondSince(step6) > 0);
    }

    private static List<Long> stepsIn(Path dir) throws IOException {
        try (var children = Files.list(dir)) {
            return children.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-"))
                    .map(n -> Long.parseLong(n.substring(5))).sorted().toList();
        }
    }

    @Test
    void metricNamesThatAreNotComputedAreReportedWithTheirPaths() {
        PipelineConfig config = config(ZooConfigs.DEEPFM, 1, """
                eval_config { metrics { auc {} } metrics { gauc { user_field: "uid" } } metrics { recall_at_k { k: 10 } } }
                export_config {
                  best_metric { metric: "click/auc" }
                  early_stop { target { metric: "ndcg" } }
                }
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> run(config, dir.resolve("bad")));
        String message = e.getMessage();
        assertTrue(message.contains("eval_config.metrics[1].gauc.user_field"), message);
        assertTrue(message.contains("eval_config.metrics[2]: recall@10 ranks the item corpus by a two-tower model's user and item "
                + "embeddings (dssm, mf_bpr); model_config is deepfm"), message);

        PipelineConfig names = config(ZooConfigs.DEEPFM, 1, """
                eval_config { metrics { auc {} } }
                export_config { best_metric { metric: "click/auc" } early_stop { target { metric: "ndcg" } } }
                """);
        e = assertThrows(ConfigException.class, () -> run(names, dir.resolve("bad-names")));
        assertTrue(e.getMessage().contains("export_config.best_metric.metric") && e.getMessage().contains("export_config.early_stop.target.metric"),
                e.getMessage());
    }

    private static final String DSSM = """
            model_config {
              feature_groups { name: "user" features: ["seq_categories", "seq_items"] }
              feature_groups { name: "item" features: ["item_id", "category", "quality"] }
              dssm {
                user_group: "user"
                item_group: "item"
                user_tower { hidden_units: [16, 8] }
                item_tower { hidden_units: [16, 8] }
                temperature: 0.2
                in_batch_negatives: true
                popularity_correction: true
              }
              label: "click"
            }
            """;

    @Test
    void rankingMetricsAreEvaluatedPeriodicallyStopTheRunRankTheBestExportAndAreReportedOnTheTestRows() throws IOException {
        PipelineConfig config = config(DSSM, 6, """
                eval_config {
                  metrics { recall_at_k { k: 20 } }
                  metrics { auc {} }
                  metrics { ndcg_at_k { k: 20 } }
                  metrics { mrr_at_k { k: 20 } }
                  metrics { hit_rate_at_k { k: 5 } }
                  every_steps: 10
                }
                export_config {
                  exporters { type: BEST keep: 1 }
                  best_metric { metric: "recall@20" }
                  early_stop { target { metric: "recall@20" } patience: 2 min_delta: 1.0 }
                }
                """);
        TrainingRun.Summary s = run(config, dir.resolve("dssm"));
        // No evaluation can beat the first recall by more than 1.0, so the third one stops the run.
        assertEquals(30, s.steps());
        assertTrue(s.stopReason().startsWith("early stop at step 30: recall@20 did not improve"), s.stopReason());
        List<MetricsRecord> evals = MetricsHistory.read(s.history()).stream().filter(r -> r.kind() == MetricsRecord.Kind.EVAL).toList();
        assertEquals(List.of(10L, 20L, 30L), evals.stream().map(MetricsRecord::step).toList());
        for (MetricsRecord e : evals) {
            assertEquals(List.of("recall@20", "auc", "ndcg@20", "mrr@20", "hit_rate@5"), List.copyOf(e.metrics().keySet()));
            for (double v : e.metrics().values()) {
                assertTrue(v > 0 && v <= 1, e.metrics().toString());
            }
        }
        MetricsRecord best = evals.stream().max(Comparator.comparingDouble((MetricsRecord r) -> r.metrics().get("recall@20"))
                .thenComparing(r -> -r.step())).orElseThrow();
        assertEquals(1, s.outcome().bestExports().size());
        PeriodicEvaluator.Export bestExport = s.outcome().bestExports().get(0);
        assertEquals(best.step(), bestExport.step());
        assertEquals(best.metrics().get("recall@20"), bestExport.metric());
        assertEquals(Optional.of(bestExport.path()), s.exported());
        assertEquals("test", s.testSplit());
        assertEquals(List.of("recall@20", "auc", "ndcg@20", "mrr@20", "hit_rate@5"), List.copyOf(s.testMetrics().keySet()));
        JsonObject summary = JsonParser.parseString(Files.readString(s.summaryFile())).getAsJsonObject();
        assertTrue(summary.getAsJsonObject("test").getAsJsonObject("metrics").has("recall@20"), summary.toString());
    }

    @Test
    void aTestSetOfOnlyPositivesGetsNoRocOrCalibrationPlot() {
        PipelineConfig config = config(DSSM, 1, """
                eval_config { metrics { recall_at_k { k: 20 } } }
                export_config { exporters { type: FINAL } }
                """);
        ZooFixture.Data data = ZooFixture.data();
        Examples test = data.test().slice(1000, 2000);
        float[] click = test.label("click");
        Examples positives = test.select(IntStream.range(0, click.length).filter(i -> click[i] == 1).toArray());
        TrainingRun.Summary s = new TrainingRun(config, dir, data.generator().schema(), dir.resolve("positives"), 1)
                .run(data.train(), data.test().slice(0, 1000), Optional.of(positives));
        assertTrue(s.testRows() > 0 && s.testRows() < 1000, "test rows: " + s.testRows());
        assertEquals(List.of("loss.png", "eval_metrics.png"), s.plots().stream().map(p -> p.getFileName().toString()).toList());
    }
}

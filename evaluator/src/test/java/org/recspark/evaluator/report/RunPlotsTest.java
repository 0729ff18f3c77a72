package org.recspark.evaluator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.evaluator.report.MetricsRecord.Kind;

class RunPlotsTest {
    private static final int WIDTH = 640;
    private static final int HEIGHT = 480;
    private final RunPlots plots = new RunPlots(WIDTH, HEIGHT);

    @TempDir
    Path dir;

    private static List<MetricsRecord> history() {
        List<MetricsRecord> history = new ArrayList<>();
        for (int step = 0; step <= 1000; step += 10) {
            history.add(new MetricsRecord(step, step / 500, Kind.TRAIN, 1_700_000_000_000L + step, Map.of("loss", 0.7 * Math.exp(-step / 400.0) + 0.2)));
            if (step % 200 == 0) {
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("ctr/auc", 0.6 + step / 10_000.0);
                metrics.put("ctr/logloss", 0.5 - step / 20_000.0);
                metrics.put("ctr/gauc", step == 0 ? Double.NaN : 0.55 + step / 20_000.0);
                history.add(new MetricsRecord(step, step / 500, Kind.EVAL, 1_700_000_000_000L + step, metrics));
            }
        }
        return history;
    }

    private static double[][] scored(long seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] p = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = rnd.nextInt(100) / 100.0;
            y[i] = rnd.nextDouble() < p[i] * 0.8 ? 1 : 0;
        }
        return new double[][] {p, y};
    }

    /** The PNG decodes to the configured size, is not one flat colour, and no temporary file is left beside it. */
    private void assertPlot(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, png + " is not a readable image");
        assertEquals(WIDTH, image.getWidth());
        assertEquals(HEIGHT, image.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 10, png + " has only " + colours.size() + " colours");
        try (Stream<Path> files = Files.list(png.getParent())) {
            assertEquals(List.of(png.getFileName().toString()), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void rendersHeadless() {
        assertEquals("true", System.getProperty("java.awt.headless"));
        assertTrue(GraphicsEnvironment.isHeadless());
    }

    @Test
    void lossCurve() throws IOException {
        Path png = dir.resolve("plots/loss.png");
        assertEquals(png, plots.lossCurve(history(), png));
        assertPlot(png);
        assertEquals(Set.of("loss"), plots.lossChart(history()).getSeriesMap().keySet());
        assertEquals(101, plots.lossChart(history()).getSeriesMap().get("loss").getXData().length);
    }

    @Test
    void evalCurvesNameEachMetric() throws IOException {
        Path png = dir.resolve("eval.png");
        plots.evalCurves(history(), png);
        assertPlot(png);
        var series = plots.evalChart(history()).getSeriesMap();
        assertEquals(List.of("ctr/auc", "ctr/logloss", "ctr/gauc"), new ArrayList<>(series.keySet()));
        assertEquals(6, series.get("ctr/auc").getXData().length);
        // The NaN at step 0 is left out.
        assertEquals(5, series.get("ctr/gauc").getXData().length);
        assertEquals(200.0, series.get("ctr/gauc").getXData()[0]);
    }

    @Test
    void rocWithAucInTheLegendAndTheDiagonal() throws IOException {
        double[][] ctr = scored(1, 2000);
        double[][] cvr = scored(2, 500);
        Map<String, RocCurve> byTask = new LinkedHashMap<>();
        byTask.put("ctr", RocCurve.of(ctr[0], ctr[1]));
        byTask.put("cvr", RocCurve.of(cvr[0], cvr[1]));
        Path png = dir.resolve("roc.png");
        plots.roc(byTask, png);
        assertPlot(png);
        assertEquals(List.of(String.format(Locale.ROOT, "ctr (AUC %.4f)", byTask.get("ctr").area()),
                        String.format(Locale.ROOT, "cvr (AUC %.4f)", byTask.get("cvr").area()), "random"),
                new ArrayList<>(plots.rocChart(byTask).getSeriesMap().keySet()));
        assertEquals("ctr (AUC 0.8750)", plots.rocChart(Map.of("ctr",
                RocCurve.of(new double[] {0.8, 0.3, 0.9, 0.8}, new double[] {1, 0, 1, 0}))).getSeriesMap().keySet().iterator().next());
    }

    @Test
    void calibrationWithEceInTheLegendAndTheDiagonal() throws IOException {
        double[][] ctr = scored(3, 2000);
        Path png = dir.resolve("calibration.png");
        plots.calibration(Map.of("ctr", CalibrationCurve.of(ctr[0], ctr[1])), png);
        assertPlot(png);
        CalibrationCurve byHand = CalibrationCurve.of(new double[] {0.05, 0.15, 0.12, 0.95, 1.0, 0.55}, new double[] {0, 1, 0, 1, 1, 0});
        var series = plots.calibrationChart(Map.of("ctr", byHand)).getSeriesMap();
        assertEquals(List.of("ctr (ECE 0.2300)", "perfectly calibrated"), new ArrayList<>(series.keySet()));
        // Only the four non-empty bins are drawn.
        assertEquals(4, series.get("ctr (ECE 0.2300)").getXData().length);
    }

    @Test
    void replacesAnExistingPlot() throws IOException {
        Path png = dir.resolve("loss.png");
        Files.writeString(png, "not a png");
        plots.lossCurve(history(), png);
        assertPlot(png);
    }

    @Test
    void nothingToPlotIsAnErrorAndWritesNoFile() throws IOException {
        List<MetricsRecord> evalOnly = history().stream().filter(r -> r.kind() == Kind.EVAL).toList();
        List<MetricsRecord> trainOnly = history().stream().filter(r -> r.kind() == Kind.TRAIN).toList();
        Path png = dir.resolve("x.png");
        assertEquals("no train record with a finite \"loss\" metric in the history (6 records): nothing to plot",
                assertThrows(IllegalArgumentException.class, () -> plots.lossCurve(evalOnly, png)).getMessage());
        assertEquals("no train record with a finite \"loss\" metric in the history (0 records): nothing to plot",
                assertThrows(IllegalArgumentException.class, () -> plots.lossCurve(List.of(), png)).getMessage());
        assertEquals("no eval record with a finite metric in the history (101 records): nothing to plot",
                assertThrows(IllegalArgumentException.class, () -> plots.evalCurves(trainOnly, png)).getMessage());
        assertEquals("ROC plot needs at least one task's curve, got none",
                assertThrows(IllegalArgumentException.class, () -> plots.roc(Map.of(), png)).getMessage());
        assertEquals("calibration plot needs at least one task's curve, got none",
                assertThrows(IllegalArgumentException.class, () -> plots.calibration(Map.of(), png)).getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.findAny().isPresent());
        }
    }

    @Test
    void sizeIsChecked() {
        assertEquals("plot size must be at least 100 x 100 pixels, got 50 x 400",
                assertThrows(IllegalArgumentException.class, () -> new RunPlots(50, 400)).getMessage());
    }
}

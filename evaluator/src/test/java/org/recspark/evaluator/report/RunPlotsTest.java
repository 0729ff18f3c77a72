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
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.RenderedTicks;
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
                metrics.put("ctr/calibration", 3.9 - step / 333.0);
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
    void evalCurvesDrawOnePanelPerMetricOnItsOwnRange() throws IOException {
        Path png = dir.resolve("eval.png");
        plots.evalCurves(history(), png);
        assertPlot(png);
        List<XYChart> panels = plots.evalPanels(history());
        assertEquals(List.of("ctr/auc", "ctr/logloss", "ctr/calibration", "ctr/gauc"), panels.stream().map(XYChart::getTitle).toList());
        for (XYChart panel : panels) {
            assertEquals(List.of(panel.getTitle()), new ArrayList<>(panel.getSeriesMap().keySet()));
        }
        assertEquals(6, panels.get(0).getSeriesMap().get("ctr/auc").getXData().length);
        // The NaN at step 0 is left out (and gauc first seen after calibration).
        assertEquals(5, panels.get(3).getSeriesMap().get("ctr/gauc").getXData().length);
        assertEquals(200.0, panels.get(3).getSeriesMap().get("ctr/gauc").getXData()[0]);
        // AUC from 0.6 to 0.7 fills its panel; calibration's 3.9 .. 0.9 no longer shares its axis.
        assertEquals(0.595, panels.get(0).getStyler().getYAxisMin(), 1e-9);
        assertEquals(0.705, panels.get(0).getStyler().getYAxisMax(), 1e-9);
        assertTrue(panels.get(2).getStyler().getYAxisMax() > 3.9);
        for (XYChart panel : panels) {
            assertShortAndTrue(panel.getTitle(), RenderedTicks.y(panel), 6);
        }
    }

    @Test
    void evalCurvesOfManyMetricsAddRows() throws IOException {
        List<MetricsRecord> history = new ArrayList<>();
        for (int step = 0; step < 50; step += 10) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (int m = 0; m < 5; m++) {
                metrics.put("m" + m, m + step / 100.0);
            }
            history.add(new MetricsRecord(step, 0, Kind.EVAL, 1_700_000_000_000L + step, metrics));
        }
        Path png = dir.resolve("eval.png");
        plots.evalCurves(history, png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(WIDTH, image.getWidth());
        assertEquals(3 * (HEIGHT / 2), image.getHeight());
    }

    @Test
    void flatMetricKeepsARange() {
        double[] range = RunPlots.yRange(List.of(new double[] {0, 0.5}, new double[] {10, 0.5}));
        assertEquals(0.49, range[0], 1e-12);
        assertEquals(0.51, range[1], 1e-12);
        assertEquals(1188.0, RunPlots.yRange(List.<double[]>of(new double[] {0, 1200}))[0], 1e-9);
        assertEquals("0.###", RunPlots.decimalPattern(0.2));
        assertEquals("0.##", RunPlots.decimalPattern(3.0));
        assertEquals("0", RunPlots.decimalPattern(500));
    }

    @Test
    void rocAndCalibrationTicksAreShort() {
        // 386 positives: every true positive rate is a multiple of 1/386, the case XChart drew ticks for at the data values.
        int positives = 386;
        double[] p = new double[2 * positives];
        double[] y = new double[2 * positives];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < p.length; i++) {
            y[i] = i < positives ? 1 : 0;
            p[i] = i < positives ? 0.3 + 0.7 * rnd.nextDouble() : 0.7 * rnd.nextDouble();
        }
        XYChart roc = plots.rocChart(Map.of("ctr", RocCurve.of(p, y)));
        XYChart calibration = plots.calibrationChart(Map.of("ctr", CalibrationCurve.of(p, y)));
        for (XYChart chart : List.of(roc, calibration)) {
            // 4: XChart also computes (and does not draw) the ticks -0.1 and 1.1 beside the range.
            assertShortAndTrue(chart.getTitle() + " x", RenderedTicks.x(chart), 4);
            assertShortAndTrue(chart.getTitle() + " y", RenderedTicks.y(chart), 4);
            assertTrue(RenderedTicks.y(chart).stream().map(RenderedTicks.Tick::label).toList().containsAll(List.of("0", "0.2", "0.5", "1")),
                    chart.getTitle() + ": " + RenderedTicks.y(chart));
        }
    }

    /** Every label at most {@code maxLength} characters, drawn within a pixel of where its value lies on the axis. */
    private static void assertShortAndTrue(String chart, List<RenderedTicks.Tick> ticks, int maxLength) {
        assertFalse(ticks.isEmpty(), chart + " has no ticks");
        for (RenderedTicks.Tick tick : ticks) {
            assertTrue(tick.label().length() <= maxLength, chart + " has the tick label '" + tick.label() + "'");
            assertEquals(0, tick.offsetFromValue(), 1.0, chart + ": the tick '" + tick.label() + "' is drawn away from its value");
        }
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
        assertEquals(List.of("random", String.format(Locale.ROOT, "ctr (AUC %.4f)", byTask.get("ctr").area()),
                        String.format(Locale.ROOT, "cvr (AUC %.4f)", byTask.get("cvr").area())),
                new ArrayList<>(plots.rocChart(byTask).getSeriesMap().keySet()));
        assertEquals(List.of("random", "ctr (AUC 0.8750)"), new ArrayList<>(plots.rocChart(Map.of("ctr",
                RocCurve.of(new double[] {0.8, 0.3, 0.9, 0.8}, new double[] {1, 0, 1, 0}))).getSeriesMap().keySet()));
    }

    @Test
    void calibrationWithEceInTheLegendAndTheDiagonal() throws IOException {
        double[][] ctr = scored(3, 2000);
        Path png = dir.resolve("calibration.png");
        plots.calibration(Map.of("ctr", CalibrationCurve.of(ctr[0], ctr[1])), png);
        assertPlot(png);
        CalibrationCurve byHand = CalibrationCurve.of(new double[] {0.05, 0.15, 0.12, 0.95, 1.0, 0.55}, new double[] {0, 1, 0, 1, 1, 0});
        var series = plots.calibrationChart(Map.of("ctr", byHand)).getSeriesMap();
        assertEquals(List.of("perfectly calibrated", "ctr (ECE 0.2300)"), new ArrayList<>(series.keySet()));
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

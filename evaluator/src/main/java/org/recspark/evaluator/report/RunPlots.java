package org.recspark.evaluator.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.recspark.storage.AtomicFile;

/**
 * PNG plots of a run: training loss, evaluation metrics, ROC and calibration curves, each
 * {@code width x height} pixels (the evaluation metrics taller when they need more than two rows
 * of panels). Every method writes its file atomically (a temporary file in the
 * same directory, then renamed over the target), so a reader never sees half a PNG, and refuses
 * input with nothing to draw. Non-finite metric values (a diverged loss, an undefined AUC) are
 * left out, as they have no place on an axis.
 *
 * <p>Charts are drawn into in-memory images only. Loading this class sets
 * {@code java.awt.headless=true} unless the property is already set, so that plotting works on
 * machines without a display (cluster nodes, CI). Immutable and thread-safe.
 */
public final class RunPlots {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    public static final int DEFAULT_WIDTH = 800;
    public static final int DEFAULT_HEIGHT = 600;
    private static final String SHORT_FRACTION = "0.#";
    private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 6f}, 0f);

    private final int width;
    private final int height;

    /** Plots of {@value #DEFAULT_WIDTH} x {@value #DEFAULT_HEIGHT} pixels. */
    public RunPlots() {
        this(DEFAULT_WIDTH, DEFAULT_HEIGHT);
    }

    /** Plots of {@code width} x {@code height} pixels, each at least 100 so that axes and legend fit. */
    public RunPlots(int width, int height) {
        if (width < 100 || height < 100) {
            throw new IllegalArgumentException("plot size must be at least 100 x 100 pixels, got " + width + " x " + height);
        }
        this.width = width;
        this.height = height;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Training loss against step: the {@code loss} metric of the history's train records. */
    public Path lossCurve(List<MetricsRecord> history, Path png) throws IOException {
        return write(lossChart(history), png);
    }

    /**
     * Every evaluation metric against step, one panel per metric with its own y range, two panels
     * a row: metrics of different scales (a calibration ratio of 4 beside an AUC of 0.7) would
     * flatten each other on one axis. Up to four panels fill {@code width x height}; more add rows
     * of {@code height / 2} each.
     */
    public Path evalCurves(List<MetricsRecord> history, Path png) throws IOException {
        List<XYChart> panels = evalPanels(history);
        int columns = panels.size() == 1 ? 1 : 2;
        int rows = (panels.size() + columns - 1) / columns;
        int panelHeight = rows == 1 ? height : height / 2;
        BufferedImage image = new BufferedImage(width, panelHeight * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            int panelWidth = width / columns;
            for (int i = 0; i < panels.size(); i++) {
                Graphics2D cell = (Graphics2D) g.create((i % columns) * panelWidth, (i / columns) * panelHeight, panelWidth, panelHeight);
                try {
                    panels.get(i).paint(cell, panelWidth, panelHeight);
                } finally {
                    cell.dispose();
                }
            }
        } finally {
            g.dispose();
        }
        AtomicFile.write(png, out -> ImageIO.write(image, "png", out));
        return png;
    }

    /** ROC curves, one series per task named with its AUC, and the diagonal of a random ranking. */
    public Path roc(Map<String, RocCurve> byTask, Path png) throws IOException {
        return write(rocChart(byTask), png);
    }

    /**
     * Reliability diagrams, one series per task (its non-empty bins' mean prediction against
     * observed rate) named with its ECE, and the diagonal of perfect calibration.
     */
    public Path calibration(Map<String, CalibrationCurve> byTask, Path png) throws IOException {
        return write(calibrationChart(byTask), png);
    }

    XYChart lossChart(List<MetricsRecord> history) {
        Map<String, List<double[]>> series = metricSeries(history, MetricsRecord.Kind.TRAIN, "loss");
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no train record with a finite \"loss\" metric in the history ("
                    + history.size() + " records): nothing to plot");
        }
        XYChart chart = chart("Training loss", "step", "loss");
        addLines(chart, series, SeriesMarkers.NONE);
        chart.getStyler().setLegendVisible(false);
        fitYAxis(chart, series.get("loss"));
        return chart;
    }

    /** One chart per evaluation metric, in first-seen order, each titled with the metric and its y axis fitted to it. */
    List<XYChart> evalPanels(List<MetricsRecord> history) {
        Map<String, List<double[]>> series = metricSeries(history, MetricsRecord.Kind.EVAL, null);
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no eval record with a finite metric in the history ("
                    + history.size() + " records): nothing to plot");
        }
        List<XYChart> panels = new ArrayList<>();
        series.forEach((name, points) -> {
            XYChart panel = chart(name, "step", name);
            addLines(panel, Map.of(name, points), SeriesMarkers.CIRCLE);
            panel.getStyler().setLegendVisible(false);
            fitYAxis(panel, points);
            panels.add(panel);
        });
        return panels;
    }

    XYChart rocChart(Map<String, RocCurve> byTask) {
        if (byTask.isEmpty()) {
            throw new IllegalArgumentException("ROC plot needs at least one task's curve, got none");
        }
        XYChart chart = unitSquare(chart("ROC", "false positive rate", "true positive rate"));
        diagonal(chart, "random");
        byTask.forEach((task, roc) -> chart.addSeries(
                        String.format(Locale.ROOT, "%s (AUC %.4f)", task, roc.area()), roc.falsePositiveRates(), roc.truePositiveRates())
                .setMarker(SeriesMarkers.NONE));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        return chart;
    }

    XYChart calibrationChart(Map<String, CalibrationCurve> byTask) {
        if (byTask.isEmpty()) {
            throw new IllegalArgumentException("calibration plot needs at least one task's curve, got none");
        }
        XYChart chart = unitSquare(chart("Calibration", "mean predicted probability", "observed positive rate"));
        diagonal(chart, "perfectly calibrated");
        byTask.forEach((task, curve) -> {
            List<Double> predicted = new ArrayList<>();
            List<Double> observed = new ArrayList<>();
            for (CalibrationCurve.Bin bin : curve.bins()) {
                if (bin.count() > 0) {
                    predicted.add(bin.meanPrediction());
                    observed.add(bin.observedRate());
                }
            }
            chart.addSeries(String.format(Locale.ROOT, "%s (ECE %.4f)", task, curve.expectedCalibrationError()), predicted, observed)
                    .setMarker(SeriesMarkers.CIRCLE);
        });
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        return chart;
    }

    /** Finite (step, value) points per metric name of the records of {@code kind}, names in first-seen order. */
    private static Map<String, List<double[]>> metricSeries(List<MetricsRecord> history, MetricsRecord.Kind kind, String only) {
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (MetricsRecord r : history) {
            if (r.kind() != kind) {
                continue;
            }
            r.metrics().forEach((name, value) -> {
                if ((only == null || only.equals(name)) && Double.isFinite(value)) {
                    series.computeIfAbsent(name, n -> new ArrayList<>()).add(new double[] {r.step(), value});
                }
            });
        }
        return series;
    }

    private XYChart chart(String title, String xAxis, String yAxis) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    private static void addLines(XYChart chart, Map<String, List<double[]>> series, Marker marker) {
        series.forEach((name, points) -> {
            double[] x = new double[points.size()];
            double[] y = new double[points.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = points.get(i)[0];
                y[i] = points.get(i)[1];
            }
            chart.addSeries(name, x, y).setMarker(marker);
        });
    }

    /**
     * Rates on both axes, ticks printed as {@code 0, 0.1, ..., 1}. When an axis's distinct values,
     * in the order the series were added, are equally spaced (a ROC curve's rates are multiples of
     * 1 / positives), XChart puts its ticks on data values: printed with every digit, or with a
     * decimal pattern, as rounded labels drawn away from their value. The unit-square charts add
     * their diagonal (values 0 then 1) first, which keeps XChart on its regular ticks.
     */
    private static XYChart unitSquare(XYChart chart) {
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setXAxisDecimalPattern(SHORT_FRACTION);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern(SHORT_FRACTION);
        return chart;
    }

    /**
     * The y axis spans the points' values with a margin of 5% of their spread (1% of the value,
     * at least 0.01, for a flat line), with ticks printed to the digits that spread needs.
     */
    private static void fitYAxis(XYChart chart, List<double[]> points) {
        double[] range = yRange(points);
        chart.getStyler().setYAxisMin(range[0]).setYAxisMax(range[1]).setYAxisDecimalPattern(decimalPattern(range[1] - range[0]));
    }

    static double[] yRange(List<double[]> points) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] p : points) {
            min = Math.min(min, p[1]);
            max = Math.max(max, p[1]);
        }
        double spread = max - min;
        double margin = spread > 0 ? 0.05 * spread : Math.max(0.01 * Math.abs(max), 0.01);
        return new double[] {min - margin, max + margin};
    }

    /** A pattern with two significant digits more than a tenth of the span needs: ticks are about a tenth apart. */
    static String decimalPattern(double span) {
        int decimals = (int) Math.max(0, Math.min(8, Math.ceil(-Math.log10(span / 10)) + 1));
        return decimals == 0 ? "0" : "0." + "#".repeat(decimals);
    }

    private static void diagonal(XYChart chart, String name) {
        XYSeries diagonal = chart.addSeries(name, new double[] {0, 1}, new double[] {0, 1});
        diagonal.setMarker(SeriesMarkers.NONE);
        diagonal.setLineColor(Color.GRAY);
        diagonal.setLineStyle(DASHED);
    }

    /** Writes a chart as a PNG, replacing the file whole ({@link AtomicFile}). */
    public static Path write(Chart<?, ?> chart, Path png) throws IOException {
        AtomicFile.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
        return png;
    }
}

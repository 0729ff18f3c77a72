package org.recspark.evaluator.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * {@code width x height} pixels. Every method writes its file atomically (a temporary file in the
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

    /** Every evaluation metric against step, one series named after each metric. */
    public Path evalCurves(List<MetricsRecord> history, Path png) throws IOException {
        return write(evalChart(history), png);
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
        return chart;
    }

    XYChart evalChart(List<MetricsRecord> history) {
        Map<String, List<double[]>> series = metricSeries(history, MetricsRecord.Kind.EVAL, null);
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no eval record with a finite metric in the history ("
                    + history.size() + " records): nothing to plot");
        }
        XYChart chart = chart("Evaluation metrics", "step", "value");
        addLines(chart, series, SeriesMarkers.CIRCLE);
        return chart;
    }

    XYChart rocChart(Map<String, RocCurve> byTask) {
        if (byTask.isEmpty()) {
            throw new IllegalArgumentException("ROC plot needs at least one task's curve, got none");
        }
        XYChart chart = unitSquare(chart("ROC", "false positive rate", "true positive rate"));
        byTask.forEach((task, roc) -> chart.addSeries(
                        String.format(Locale.ROOT, "%s (AUC %.4f)", task, roc.area()), roc.falsePositiveRates(), roc.truePositiveRates())
                .setMarker(SeriesMarkers.NONE));
        diagonal(chart, "random");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        return chart;
    }

    XYChart calibrationChart(Map<String, CalibrationCurve> byTask) {
        if (byTask.isEmpty()) {
            throw new IllegalArgumentException("calibration plot needs at least one task's curve, got none");
        }
        XYChart chart = unitSquare(chart("Calibration", "mean predicted probability", "observed positive rate"));
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
        diagonal(chart, "perfectly calibrated");
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

    private static XYChart unitSquare(XYChart chart) {
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        return chart;
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

package org.recspark.hpo.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.recspark.hpo.Objective;
import org.recspark.evaluator.report.RunPlots;
import org.recspark.hpo.trial.TrialRecord;
import org.recspark.hpo.trial.TrialStatus;

/**
 * PNG plots of a search (XChart, headless): the objective of every trial against its number with
 * the best so far, and the parameter importances as bars. Files are written to a temporary name and
 * renamed into place. Stateless.
 */
public final class SearchPlots {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int WIDTH = 800;
    private static final int HEIGHT = 600;

    private SearchPlots() {}

    /**
     * Completed and stopped trials as two point series (failed ones have no value and are counted
     * in the title), and the best completed-or-stopped value so far as a line.
     */
    public static Path objectiveByTrial(Collection<TrialRecord> trials, Objective objective, Path png) throws IOException {
        List<Double> completedX = new ArrayList<>();
        List<Double> completedY = new ArrayList<>();
        List<Double> stoppedX = new ArrayList<>();
        List<Double> stoppedY = new ArrayList<>();
        List<Double> bestX = new ArrayList<>();
        List<Double> bestY = new ArrayList<>();
        double best = Double.NaN;
        int failed = 0;
        for (TrialRecord t : trials) {
            double v = t.outcome().objective();
            if (t.outcome().status() == TrialStatus.FAILED || Double.isNaN(v)) {
                failed++;
                continue;
            }
            (t.outcome().status() == TrialStatus.STOPPED ? stoppedX : completedX).add((double) t.number());
            (t.outcome().status() == TrialStatus.STOPPED ? stoppedY : completedY).add(v);
            if (objective.better(v, best)) {
                best = v;
            }
            bestX.add((double) t.number());
            bestY.add(best);
        }
        if (bestX.isEmpty()) {
            throw new IllegalArgumentException("no trial has an objective value (" + trials.size() + " trials, all failed): nothing to plot");
        }
        String title = objective.metric() + " by trial (" + objective.direction().name().toLowerCase(java.util.Locale.ROOT) + ")"
                + (failed > 0 ? ", " + failed + " failed not shown" : "");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("trial").yAxisTitle(objective.metric()).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setLegendPosition(objective.direction() == org.recspark.config.proto.Direction.MAXIMIZE
                ? Styler.LegendPosition.InsideSE : Styler.LegendPosition.InsideNE);
        if (!completedX.isEmpty()) {
            chart.addSeries("completed", completedX, completedY).setMarker(SeriesMarkers.CIRCLE);
        }
        if (!stoppedX.isEmpty()) {
            chart.addSeries("stopped early", stoppedX, stoppedY).setMarker(SeriesMarkers.DIAMOND);
        }
        XYSeries line = chart.addSeries("best so far", bestX, bestY);
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        line.setMarker(SeriesMarkers.NONE);
        return RunPlots.write(chart, png);
    }

    /**
     * One bar per parameter, labelled with its path written vertically (XChart drops labels that
     * would overlap, and paths are long), in the given order.
     */
    public static Path parameterImportance(Map<String, Double> importance, Path png) throws IOException {
        if (importance.isEmpty()) {
            throw new IllegalArgumentException("no parameter importance to plot");
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT + 200)
                .title("Parameter importance (share of the objective's variance between bins)").xAxisTitle("parameter")
                .yAxisTitle("importance").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setXAxisLabelRotation(90);
        chart.addSeries("importance", new ArrayList<>(importance.keySet()), new ArrayList<>(importance.values()));
        return RunPlots.write(chart, png);
    }

}

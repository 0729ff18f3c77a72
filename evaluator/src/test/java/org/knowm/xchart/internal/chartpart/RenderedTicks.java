package org.knowm.xchart.internal.chartpart;

import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;

/**
 * The tick labels XChart draws on a chart's axes, and where. XChart computes them while painting
 * and exposes them only inside this package, hence a test helper here rather than reflection.
 */
public final class RenderedTicks {
    /** A tick's label and how far, in pixels, it is drawn from where its value lies on the axis. */
    public record Tick(String label, double offsetFromValue) {
    }

    private RenderedTicks() {
    }

    public static List<Tick> x(XYChart chart) {
        BitmapEncoder.getBufferedImage(chart);
        Axis<?, ?> axis = ((Chart<?, ?>) chart).getAxisPair().getXAxis();
        AxisTickCalculator ticks = axis.getAxisTickCalculator();
        List<Tick> out = new ArrayList<>();
        for (int i = 0; i < ticks.getTickLabels().size(); i++) {
            double drawnAt = axis.getBounds().getX() + ticks.getTickLocations().get(i);
            out.add(new Tick(ticks.getTickLabels().get(i), drawnAt - axis.getScreenValue(Double.parseDouble(ticks.getTickLabels().get(i)))));
        }
        return out;
    }

    public static List<Tick> y(XYChart chart) {
        BitmapEncoder.getBufferedImage(chart);
        Axis<?, ?> axis = ((Chart<?, ?>) chart).getAxisPair().getYAxis();
        AxisTickCalculator ticks = axis.getAxisTickCalculator();
        List<Tick> out = new ArrayList<>();
        for (int i = 0; i < ticks.getTickLabels().size(); i++) {
            double drawnAt = axis.getBounds().getY() + axis.getBounds().getHeight() - ticks.getTickLocations().get(i);
            out.add(new Tick(ticks.getTickLabels().get(i), drawnAt - axis.getScreenValue(Double.parseDouble(ticks.getTickLabels().get(i)))));
        }
        return out;
    }
}

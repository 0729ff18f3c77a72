package org.recspark.evaluator.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.recspark.storage.AtomicFile;

/**
 * A horizontal bar chart of importances (PNG): one bar per row from zero to its mean, with a
 * whisker of one standard deviation either side, in the given order (top first). {@value #WIDTH}
 * pixels wide, {@value #ROW_HEIGHT} per bar. Written atomically ({@link AtomicFile}). Loading this
 * class sets {@code java.awt.headless=true} unless set, as {@link RunPlots} does.
 */
public final class ImportancePlot {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static final int WIDTH = 800;
    static final int ROW_HEIGHT = 22;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    private static final int MARGIN = 20;
    private static final Color BAR = new Color(66, 110, 230);

    /** A bar: its label, mean and standard deviation. */
    public record Bar(String label, double mean, double std) {
        public Bar {
            if (!Double.isFinite(mean) || !Double.isFinite(std) || std < 0) {
                throw new IllegalArgumentException("bar '" + label + "' needs a finite mean and a finite std >= 0, got " + mean + " +- " + std);
            }
        }
    }

    private ImportancePlot() {
    }

    /** Draws the bars under {@code title}, the x axis named {@code axis}, to {@code png}. */
    public static Path write(String title, String axis, List<Bar> bars, Path png) throws IOException {
        BufferedImage image = draw(title, axis, bars);
        AtomicFile.write(png, out -> ImageIO.write(image, "png", out));
        return png;
    }

    static BufferedImage draw(String title, String axis, List<Bar> bars) {
        if (bars.isEmpty()) {
            throw new IllegalArgumentException("importance plot needs at least one bar, got none");
        }
        int height = TOP + ROW_HEIGHT * bars.size() + BOTTOM;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            FontMetrics titleMetrics = g.getFontMetrics();
            g.drawString(title, (WIDTH - titleMetrics.stringWidth(title)) / 2, 24);

            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics metrics = g.getFontMetrics();
            int labelWidth = bars.stream().mapToInt(b -> metrics.stringWidth(b.label())).max().orElse(0);
            int left = MARGIN + labelWidth + 10;
            int right = WIDTH - MARGIN;
            double min = 0;
            double max = 0;
            for (Bar b : bars) {
                min = Math.min(min, b.mean() - b.std());
                max = Math.max(max, b.mean() + b.std());
            }
            if (max - min == 0) {
                max = 1e-3;
            }
            double pad = 0.05 * (max - min);
            double lo = min - (min < 0 ? pad : 0);
            double hi = max + pad;
            int bottom = TOP + ROW_HEIGHT * bars.size();

            // Ticks at round values (1, 2, 2.5 or 5 times a power of ten), at most about five of them.
            double step = tickStep((hi - lo) / 5);
            DecimalFormat format = new DecimalFormat(RunPlots.decimalPattern(10 * step), DecimalFormatSymbols.getInstance(Locale.ROOT));
            for (long t = (long) Math.ceil(lo / step); t * step <= hi; t++) {
                int x = xOf(t * step, lo, hi, left, right);
                g.setColor(new Color(220, 220, 220));
                g.drawLine(x, TOP, x, bottom);
                g.setColor(Color.BLACK);
                String text = format.format(t * step);
                g.drawString(text, x - metrics.stringWidth(text) / 2, bottom + 16);
            }
            g.setColor(Color.BLACK);
            g.drawString(axis, (left + right - metrics.stringWidth(axis)) / 2, bottom + 36);
            int zero = xOf(0, lo, hi, left, right);
            for (int i = 0; i < bars.size(); i++) {
                Bar b = bars.get(i);
                int y = TOP + i * ROW_HEIGHT;
                int end = xOf(b.mean(), lo, hi, left, right);
                g.setColor(BAR);
                g.fillRect(Math.min(zero, end), y + 4, Math.abs(end - zero), ROW_HEIGHT - 8);
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(1.2f));
                int from = xOf(b.mean() - b.std(), lo, hi, left, right);
                int to = xOf(b.mean() + b.std(), lo, hi, left, right);
                int mid = y + ROW_HEIGHT / 2;
                g.drawLine(from, mid, to, mid);
                g.drawLine(from, mid - 4, from, mid + 4);
                g.drawLine(to, mid - 4, to, mid + 4);
                g.drawString(b.label(), left - 10 - metrics.stringWidth(b.label()), mid + metrics.getAscent() / 2 - 1);
            }
            g.drawLine(zero, TOP, zero, bottom);
            g.drawLine(left, bottom, right, bottom);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The round step nearest above {@code rough}: 1, 2, 2.5 or 5 times a power of ten. */
    static double tickStep(double rough) {
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double m : new double[] {1, 2, 2.5, 5}) {
            if (m * power >= rough) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static int xOf(double v, double lo, double hi, int left, int right) {
        return (int) Math.round(left + (v - lo) / (hi - lo) * (right - left));
    }
}

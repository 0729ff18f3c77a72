package org.recspark.hpo.space;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.random.RandomGenerator;

/**
 * A real field over [min, max], uniform or log-uniform. Values are rounded to
 * {@value #SIGNIFICANT_DIGITS} significant digits, so that the text in the config, the trial log and
 * the results table is the value the trial ran with.
 */
public record FloatDimension(String path, double min, double max, boolean logScale) implements NumericDimension {
    static final int SIGNIFICANT_DIGITS = 6;

    public FloatDimension {
        if (!(min < max) || (logScale && min <= 0)) {
            throw new IllegalArgumentException(path + ": bad range [" + min + ", " + max + "]" + (logScale ? " (log scale)" : ""));
        }
    }

    @Override
    public double sample(RandomGenerator random) {
        return unwarp(low() + random.nextDouble() * (high() - low()));
    }

    /** Plain decimals ("0.0005", "250") in the usual ranges, scientific notation ("1.5E-7") beyond them. */
    @Override
    public String text(double value) {
        BigDecimal rounded = new BigDecimal(value).round(new MathContext(SIGNIFICANT_DIGITS)).stripTrailingZeros();
        double magnitude = Math.abs(value);
        return magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e7) ? rounded.toPlainString() : rounded.toString();
    }

    @Override
    public double parse(String text) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + ": '" + text + "' is not a number");
        }
        // The ends themselves may round outwards (min 0.1234567 prints as 0.123457).
        double lo = Math.min(min, Double.parseDouble(text(min)));
        double hi = Math.max(max, Double.parseDouble(text(max)));
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(path + ": " + text + " is not in [" + min + ", " + max + "]");
        }
        return v;
    }

    @Override
    public double unwarp(double warped) {
        double v = logScale ? Math.exp(warped) : warped;
        return Double.parseDouble(text(Math.max(min, Math.min(max, v))));
    }

    @Override
    public double low() {
        return warp(min);
    }

    @Override
    public double high() {
        return warp(max);
    }
}

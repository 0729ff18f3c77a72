package org.recspark.hpo.space;

import java.util.random.RandomGenerator;

/**
 * An integer field over {@code min, min + step, ..., <= max}. On a linear scale every grid value is
 * equally likely; on a log scale values are drawn log-uniformly and rounded to the grid.
 */
public record IntDimension(String path, long min, long max, long step, boolean logScale) implements NumericDimension {
    public IntDimension {
        if (min > max || step < 1 || (logScale && min <= 0)) {
            throw new IllegalArgumentException(path + ": bad integer range [" + min + ", " + max + "] step " + step
                    + (logScale ? " (log scale)" : ""));
        }
    }

    /** The largest grid value (max itself when the step divides the range). */
    public long top() {
        return min + (max - min) / step * step;
    }

    /** Number of grid values. */
    public long size() {
        return (max - min) / step + 1;
    }

    @Override
    public double sample(RandomGenerator random) {
        if (logScale) {
            return unwarp(low() + random.nextDouble() * (high() - low()));
        }
        return min + random.nextLong(size()) * step;
    }

    @Override
    public String text(double value) {
        return Long.toString((long) value);
    }

    @Override
    public double parse(String text) {
        long v;
        try {
            v = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + ": '" + text + "' is not an integer");
        }
        if (v < min || v > max || (v - min) % step != 0) {
            throw new IllegalArgumentException(path + ": " + v + " is not in [" + min + ", " + max + "] step " + step);
        }
        return v;
    }

    @Override
    public double unwarp(double warped) {
        double v = logScale ? Math.exp(warped) : warped;
        long k = Math.round((v - min) / step);
        return min + Math.max(0, Math.min(k, (top() - min) / step)) * step;
    }

    /**
     * On a linear scale the warped range reaches half a step beyond the end values, so that after
     * rounding they get as much of it as the inner values do.
     */
    @Override
    public double low() {
        return logScale ? Math.log(min) : min - step / 2.0;
    }

    @Override
    public double high() {
        return logScale ? Math.log(top()) : top() + step / 2.0;
    }
}

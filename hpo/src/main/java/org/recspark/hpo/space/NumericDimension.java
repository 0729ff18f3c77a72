package org.recspark.hpo.space;

/**
 * A field over a numeric range. Model-based samplers work in the warped space: {@link #warp} is the
 * identity on a linear scale and the logarithm on a log scale, and the range there is
 * [{@link #low}, {@link #high}].
 */
public sealed interface NumericDimension extends Dimension permits IntDimension, FloatDimension {
    boolean logScale();

    /** The value in the warped space (log on a log scale). */
    default double warp(double value) {
        return logScale() ? Math.log(value) : value;
    }

    /** The nearest valid value for a point of the warped space (rounded to the step grid for integers, clipped to the range). */
    double unwarp(double warped);

    /** Lower end of the warped range. */
    double low();

    /** Upper end of the warped range. */
    double high();
}

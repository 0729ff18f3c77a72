package org.recspark.features;

import java.util.Arrays;
import java.util.List;
import org.recspark.config.proto.Normalizer;

/** Normalisation and optional bucketizing of a number, shared by raw and lookup features. */
final class NumericTransform {
    private final Normalizer normalizer;
    private final double[] boundaries;

    NumericTransform(boolean hasNormalizer, Normalizer normalizer, List<Double> boundaries) {
        this.normalizer = hasNormalizer ? normalizer : null;
        this.boundaries = boundaries.stream().mapToDouble(Double::doubleValue).toArray();
    }

    boolean bucketized() {
        return boundaries.length > 0;
    }

    /** Number of ids of a bucketized value. */
    long buckets() {
        return boundaries.length + 1L;
    }

    double normalize(double x) {
        if (normalizer == null) {
            return x;
        }
        return switch (normalizer.getKindCase()) {
            case LOG -> Math.signum(x) * Math.log1p(Math.abs(x));
            case ZSCORE -> (x - normalizer.getZscore().getMean()) / normalizer.getZscore().getStd();
            case MINMAX -> {
                double min = normalizer.getMinmax().getMin();
                double scaled = (x - min) / (normalizer.getMinmax().getMax() - min);
                yield Math.max(0.0, Math.min(1.0, scaled));
            }
            case KIND_NOT_SET -> x;
        };
    }

    /** The normalised value as a model input: x must be finite, and so must the result as a float. */
    float normalizedFloat(double x) {
        float v = (float) normalize(RawValues.finite(x));
        if (!Float.isFinite(v)) {
            throw new BadValue(x + " is beyond the float range once normalised");
        }
        return v;
    }

    /** The number of boundaries <= the normalised value. */
    long bucket(double x) {
        double v = normalize(x);
        int i = Arrays.binarySearch(boundaries, v);
        return i >= 0 ? i + 1L : -(i + 1L);
    }
}

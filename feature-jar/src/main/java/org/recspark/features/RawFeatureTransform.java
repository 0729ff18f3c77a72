package org.recspark.features;

import java.util.List;
import org.recspark.config.proto.RawFeature;

/** A number or fixed-size vector, normalised; a bucket id instead when boundaries are set. */
final class RawFeatureTransform implements FeatureTransform {
    private final InputRef input;
    private final int dim;
    private final String separator;
    private final double defaultValue;
    private final NumericTransform numeric;

    RawFeatureTransform(RawFeature config) {
        this.input = InputRef.parse(config.getInput());
        this.dim = config.getDim();
        this.separator = config.getSeparator();
        this.defaultValue = config.getDefaultValue();
        this.numeric = new NumericTransform(config.hasNormalizer(), config.getNormalizer(), config.getBoundariesList());
    }

    @Override
    public long idSpaceSize() {
        return numeric.bucketized() ? numeric.buckets() : 0;
    }

    @Override
    public void emitSparse(RawRecord user, RawRecord item, RawRecord context, SparseColumnBuilder out) {
        Object value = input.read(user, item, context);
        if (RawValues.isMissing(value)) {
            emitSparseDefault(out);
        } else {
            out.add(numeric.bucket(RawValues.finite(RawValues.number(value))));
        }
    }

    @Override
    public void emitSparseDefault(SparseColumnBuilder out) {
        out.add(numeric.bucket(RawValues.finite(defaultValue)));
    }

    @Override
    public void emitDense(RawRecord user, RawRecord item, RawRecord context, float[] out, int offset) {
        Object value = input.read(user, item, context);
        if (RawValues.isMissing(value)) {
            emitDenseDefault(out, offset);
        } else if (dim == 1) {
            out[offset] = numeric.normalizedFloat(RawValues.number(value));
        } else {
            readVector(value, out, offset);
        }
    }

    /** A vector of exactly dim numbers; in a string an empty token is a bad number, not skipped. */
    private void readVector(Object value, float[] out, int offset) {
        if (value instanceof float[] floats) {
            requireDim(floats.length);
            for (int j = 0; j < dim; j++) {
                out[offset + j] = numeric.normalizedFloat(floats[j]);
            }
        } else if (value instanceof double[] doubles) {
            requireDim(doubles.length);
            for (int j = 0; j < dim; j++) {
                out[offset + j] = numeric.normalizedFloat(doubles[j]);
            }
        } else if (value instanceof List<?> list) {
            requireDim(list.size());
            for (int j = 0; j < dim; j++) {
                out[offset + j] = numeric.normalizedFloat(RawValues.number(list.get(j)));
            }
        } else if (value instanceof String s) {
            int count = 0;
            int start = 0;
            while (true) {
                int end = RawValues.tokenEnd(s, separator, start);
                if (count < dim) {
                    out[offset + count] = numeric.normalizedFloat(RawValues.number(s.substring(start, end)));
                }
                count++;
                if (end == s.length()) {
                    break;
                }
                start = end + separator.length();
            }
            requireDim(count);
        } else {
            throw new BadValue("expected " + dim + " numbers, got " + RawValues.describe(value));
        }
    }

    private void requireDim(int actual) {
        if (actual != dim) {
            throw new BadValue("expected " + dim + " values, got " + actual);
        }
    }

    @Override
    public void emitDenseDefault(float[] out, int offset) {
        float v = numeric.normalizedFloat(defaultValue);
        for (int j = 0; j < dim; j++) {
            out[offset + j] = v;
        }
    }
}

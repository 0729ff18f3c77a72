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
    public List<InputRef> inputs() {
        return List.of(input);
    }

    @Override
    public boolean sparse() {
        return numeric.bucketized();
    }

    @Override
    public long idSpaceSize() {
        return numeric.bucketized() ? numeric.buckets() : 0;
    }

    @Override
    public int denseDim() {
        return dim;
    }

    @Override
    public void emitSparse(RawRecord user, RawRecord item, RawRecord context, SparseColumnBuilder out) {
        Object value = input.read(user, item, context);
        double x = RawValues.isMissing(value) ? defaultValue : NumericTransform.finite(RawValues.number(value));
        out.add(numeric.bucket(x));
    }

    @Override
    public void emitSparseDefault(SparseColumnBuilder out) {
        out.add(numeric.bucket(defaultValue));
    }

    @Override
    public void emitDense(RawRecord user, RawRecord item, RawRecord context, float[] out, int offset) {
        Object value = input.read(user, item, context);
        if (RawValues.isMissing(value)) {
            emitDenseDefault(out, offset);
        } else if (dim == 1) {
            out[offset] = (float) numeric.normalize(NumericTransform.finite(RawValues.number(value)));
        } else {
            readVector(value, out, offset);
        }
    }

    private void readVector(Object value, float[] out, int offset) {
        int[] count = {0};
        if (value instanceof float[] floats) {
            requireDim(floats.length);
            for (int j = 0; j < dim; j++) {
                out[offset + j] = (float) numeric.normalize(NumericTransform.finite(floats[j]));
            }
            return;
        }
        if (value instanceof double[] doubles) {
            requireDim(doubles.length);
            for (int j = 0; j < dim; j++) {
                out[offset + j] = (float) numeric.normalize(NumericTransform.finite(doubles[j]));
            }
            return;
        }
        if (value instanceof List<?> list) {
            requireDim(list.size());
            for (int j = 0; j < dim; j++) {
                out[offset + j] = (float) numeric.normalize(NumericTransform.finite(RawValues.number(list.get(j))));
            }
            return;
        }
        RawValues.forEachToken(value, separator, token -> {
            if (count[0] < dim) {
                out[offset + count[0]] = (float) numeric.normalize(NumericTransform.finite(RawValues.number(token)));
            }
            count[0]++;
        });
        requireDim(count[0]);
    }

    private void requireDim(int actual) {
        if (actual != dim) {
            throw new BadValue("expected " + dim + " values, got " + actual);
        }
    }

    @Override
    public void emitDenseDefault(float[] out, int offset) {
        float v = (float) numeric.normalize(defaultValue);
        for (int j = 0; j < dim; j++) {
            out[offset + j] = v;
        }
    }
}

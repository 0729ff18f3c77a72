package org.recspark.features;

import java.util.List;
import org.recspark.config.proto.Combiner;
import org.recspark.config.proto.LookupFeature;

/**
 * Looks keys up in a map-valued field and combines the values found; the default when none is
 * found. A float, or a bucket id when boundaries are set.
 */
final class LookupFeatureTransform implements FeatureTransform {
    private final InputRef mapInput;
    private final InputRef keyInput;
    private final String entrySeparator;
    private final String kvSeparator;
    private final String keySeparator;
    private final Combiner combiner;
    private final double defaultValue;
    private final NumericTransform numeric;

    LookupFeatureTransform(LookupFeature config) {
        this.mapInput = InputRef.parse(config.getMapInput());
        this.keyInput = InputRef.parse(config.getKeyInput());
        this.entrySeparator = config.getEntrySeparator();
        this.kvSeparator = config.getKvSeparator();
        this.keySeparator = config.getKeySeparator();
        this.combiner = config.getCombiner();
        this.defaultValue = config.getDefaultValue();
        this.numeric = new NumericTransform(config.hasNormalizer(), config.getNormalizer(), config.getBoundariesList());
    }

    @Override
    public List<InputRef> inputs() {
        return List.of(mapInput, keyInput);
    }

    @Override
    public boolean sparse() {
        return numeric.bucketized();
    }

    @Override
    public long idSpaceSize() {
        return numeric.bucketized() ? numeric.buckets() : 0;
    }

    private double lookup(RawRecord user, RawRecord item, RawRecord context) {
        Object map = mapInput.read(user, item, context);
        Object keys = keyInput.read(user, item, context);
        if (RawValues.isMissing(map) || RawValues.isMissing(keys)) {
            return defaultValue;
        }
        double[] acc = {0, 0};
        double[] extreme = {Double.NaN};
        RawValues.forEachToken(keys, keySeparator, key -> {
            double v = RawValues.mapValue(map, key, entrySeparator, kvSeparator);
            if (Double.isNaN(v)) {
                return;
            }
            NumericTransform.finite(v);
            acc[0] += v;
            acc[1]++;
            if (Double.isNaN(extreme[0])
                    || (combiner == Combiner.MAX_VALUE && v > extreme[0])
                    || (combiner == Combiner.MIN_VALUE && v < extreme[0])) {
                extreme[0] = v;
            }
        });
        if (acc[1] == 0) {
            return defaultValue;
        }
        return switch (combiner) {
            case SUM_VALUES -> acc[0];
            case MEAN_VALUES -> acc[0] / acc[1];
            case MAX_VALUE, MIN_VALUE -> extreme[0];
        };
    }

    @Override
    public void emitSparse(RawRecord user, RawRecord item, RawRecord context, SparseColumnBuilder out) {
        out.add(numeric.bucket(lookup(user, item, context)));
    }

    @Override
    public void emitSparseDefault(SparseColumnBuilder out) {
        out.add(numeric.bucket(defaultValue));
    }

    @Override
    public void emitDense(RawRecord user, RawRecord item, RawRecord context, float[] out, int offset) {
        out[offset] = (float) numeric.normalize(lookup(user, item, context));
    }

    @Override
    public void emitDenseDefault(float[] out, int offset) {
        out[offset] = (float) numeric.normalize(defaultValue);
    }
}

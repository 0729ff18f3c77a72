package org.recspark.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.recspark.config.proto.Combiner;
import org.recspark.config.proto.LookupFeature;

/**
 * Looks keys up in a map-valued field and combines the values found; the default when none is
 * found or either input is missing. A float, or a bucket id when boundaries are set. A request-side
 * map (or key list) of a per-item lookup is parsed once per request.
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
    /** The parsed map of the current request when the map input is request-side, else null. */
    private final RequestValue<Map<String, Double>> requestMap;
    /** The keys of the current request when the key input is request-side, else null. */
    private final RequestValue<List<String>> requestKeys;

    LookupFeatureTransform(LookupFeature config) {
        this.mapInput = InputRef.parse(config.getMapInput());
        this.keyInput = InputRef.parse(config.getKeyInput());
        this.entrySeparator = config.getEntrySeparator();
        this.kvSeparator = config.getKvSeparator();
        this.keySeparator = config.getKeySeparator();
        this.combiner = config.getCombiner();
        this.defaultValue = config.getDefaultValue();
        this.numeric = new NumericTransform(config.hasNormalizer(), config.getNormalizer(), config.getBoundariesList());
        this.requestMap = null;
        this.requestKeys = null;
    }

    private LookupFeatureTransform(LookupFeatureTransform unbound, RequestValue<Map<String, Double>> requestMap,
                                   RequestValue<List<String>> requestKeys) {
        this.mapInput = unbound.mapInput;
        this.keyInput = unbound.keyInput;
        this.entrySeparator = unbound.entrySeparator;
        this.kvSeparator = unbound.kvSeparator;
        this.keySeparator = unbound.keySeparator;
        this.combiner = unbound.combiner;
        this.defaultValue = unbound.defaultValue;
        this.numeric = unbound.numeric;
        this.requestMap = requestMap;
        this.requestKeys = requestKeys;
    }

    @Override
    public long idSpaceSize() {
        return numeric.bucketized() ? numeric.buckets() : 0;
    }

    @Override
    public FeatureTransform forRequest(RawRecord user, RawRecord context) {
        RequestValue<Map<String, Double>> map = mapInput.side() == Side.ITEM ? null
                : RequestValue.compute(() -> parseMap(mapInput.read(user, RawRecord.EMPTY, context)));
        RequestValue<List<String>> keys = keyInput.side() == Side.ITEM ? null
                : RequestValue.compute(() -> keys(keyInput.read(user, RawRecord.EMPTY, context)));
        return map == null && keys == null ? this : new LookupFeatureTransform(this, map, keys);
    }

    private Map<String, Double> parseMap(Object value) {
        return RawValues.isMissing(value) ? null : RawValues.numericMap(value, entrySeparator, kvSeparator);
    }

    private List<String> keys(Object value) {
        if (RawValues.isMissing(value)) {
            return null;
        }
        List<String> keys = new ArrayList<>(1);
        RawValues.forEachToken(value, keySeparator, keys::add);
        return keys;
    }

    private double lookup(RawRecord user, RawRecord item, RawRecord context) {
        Map<String, Double> map = requestMap != null ? requestMap.get() : parseMap(mapInput.read(user, item, context));
        List<String> keys = requestKeys != null ? requestKeys.get() : keys(keyInput.read(user, item, context));
        if (map == null || keys == null) {
            return defaultValue;
        }
        int found = 0;
        double combined = 0;
        for (String key : keys) {
            Double v = map.get(key);
            if (v == null) {
                continue;
            }
            combined = found == 0 ? v : switch (combiner) {
                case SUM_VALUES, MEAN_VALUES -> combined + v;
                case MAX_VALUE -> Math.max(combined, v);
                case MIN_VALUE -> Math.min(combined, v);
            };
            found++;
        }
        if (found == 0) {
            return defaultValue;
        }
        return combiner == Combiner.MEAN_VALUES ? combined / found : combined;
    }

    @Override
    public void emitSparse(RawRecord user, RawRecord item, RawRecord context, SparseColumnBuilder out) {
        out.add(numeric.bucket(lookup(user, item, context)));
    }

    @Override
    public void emitSparseDefault(SparseColumnBuilder out) {
        out.add(numeric.bucket(RawValues.finite(defaultValue)));
    }

    @Override
    public void emitDense(RawRecord user, RawRecord item, RawRecord context, float[] out, int offset) {
        out[offset] = numeric.normalizedFloat(lookup(user, item, context));
    }

    @Override
    public void emitDenseDefault(float[] out, int offset) {
        out[offset] = numeric.normalizedFloat(defaultValue);
    }
}

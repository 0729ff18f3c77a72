package org.recspark.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.recspark.config.proto.MatchFeature;

/**
 * How many of one side's keys a map/set-valued field of another side contains; 0 when either is
 * missing. A request-side map (or key list) of a per-item match is parsed once per request.
 */
final class MatchFeatureTransform implements FeatureTransform {
    private final InputRef mapInput;
    private final InputRef keyInput;
    private final String entrySeparator;
    private final String kvSeparator;
    private final String keySeparator;
    /** The keys of the request's map when the map input is request-side, else null. */
    private final RequestValue<Set<String>> requestMapKeys;
    /** The request's keys when the key input is request-side, else null. */
    private final RequestValue<List<String>> requestKeys;

    MatchFeatureTransform(MatchFeature config) {
        this.mapInput = InputRef.parse(config.getMapInput());
        this.keyInput = InputRef.parse(config.getKeyInput());
        this.entrySeparator = config.getEntrySeparator();
        this.kvSeparator = config.hasKvSeparator() && !config.getKvSeparator().isEmpty() ? config.getKvSeparator() : null;
        this.keySeparator = config.getKeySeparator();
        this.requestMapKeys = null;
        this.requestKeys = null;
    }

    private MatchFeatureTransform(MatchFeatureTransform unbound, RequestValue<Set<String>> requestMapKeys,
                                  RequestValue<List<String>> requestKeys) {
        this.mapInput = unbound.mapInput;
        this.keyInput = unbound.keyInput;
        this.entrySeparator = unbound.entrySeparator;
        this.kvSeparator = unbound.kvSeparator;
        this.keySeparator = unbound.keySeparator;
        this.requestMapKeys = requestMapKeys;
        this.requestKeys = requestKeys;
    }

    @Override
    public long idSpaceSize() {
        return 0;
    }

    @Override
    public FeatureTransform forRequest(RawRecord user, RawRecord context) {
        RequestValue<Set<String>> mapKeys = mapInput.side() == Side.ITEM ? null
                : RequestValue.compute(() -> mapKeys(mapInput.read(user, RawRecord.EMPTY, context)));
        RequestValue<List<String>> keys = keyInput.side() == Side.ITEM ? null
                : RequestValue.compute(() -> keys(keyInput.read(user, RawRecord.EMPTY, context)));
        return mapKeys == null && keys == null ? this : new MatchFeatureTransform(this, mapKeys, keys);
    }

    private Set<String> mapKeys(Object value) {
        return RawValues.isMissing(value) ? null : RawValues.keySet(value, entrySeparator, kvSeparator);
    }

    private List<String> keys(Object value) {
        if (RawValues.isMissing(value)) {
            return null;
        }
        List<String> keys = new ArrayList<>(1);
        RawValues.forEachToken(value, keySeparator, keys::add);
        return keys;
    }

    @Override
    public void emitDense(RawRecord user, RawRecord item, RawRecord context, float[] out, int offset) {
        Set<String> mapKeys = requestMapKeys != null ? requestMapKeys.get() : mapKeys(mapInput.read(user, item, context));
        List<String> keys = requestKeys != null ? requestKeys.get() : keys(keyInput.read(user, item, context));
        int hits = 0;
        if (mapKeys != null && keys != null) {
            for (String key : keys) {
                if (mapKeys.contains(key)) {
                    hits++;
                }
            }
        }
        out[offset] = hits;
    }

    @Override
    public void emitDenseDefault(float[] out, int offset) {
        out[offset] = 0f;
    }
}

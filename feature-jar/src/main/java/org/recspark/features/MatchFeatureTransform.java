package org.recspark.features;

import java.util.List;
import org.recspark.config.proto.MatchFeature;

/** How many of one side's keys a map/set-valued field of another side contains (0 when either is missing). */
final class MatchFeatureTransform implements FeatureTransform {
    private final InputRef mapInput;
    private final InputRef keyInput;
    private final String entrySeparator;
    private final String kvSeparator;
    private final String keySeparator;

    MatchFeatureTransform(MatchFeature config) {
        this.mapInput = InputRef.parse(config.getMapInput());
        this.keyInput = InputRef.parse(config.getKeyInput());
        this.entrySeparator = config.getEntrySeparator();
        this.kvSeparator = config.hasKvSeparator() && !config.getKvSeparator().isEmpty() ? config.getKvSeparator() : null;
        this.keySeparator = config.getKeySeparator();
    }

    @Override
    public List<InputRef> inputs() {
        return List.of(mapInput, keyInput);
    }

    @Override
    public boolean sparse() {
        return false;
    }

    @Override
    public long idSpaceSize() {
        return 0;
    }

    @Override
    public void emitDense(RawRecord user, RawRecord item, RawRecord context, float[] out, int offset) {
        Object container = mapInput.read(user, item, context);
        Object keys = keyInput.read(user, item, context);
        if (RawValues.isMissing(container) || RawValues.isMissing(keys)) {
            out[offset] = 0f;
            return;
        }
        int[] hits = {0};
        RawValues.forEachToken(keys, keySeparator, key -> {
            if (RawValues.containsKey(container, key, entrySeparator, kvSeparator)) {
                hits[0]++;
            }
        });
        out[offset] = hits[0];
    }

    @Override
    public void emitDenseDefault(float[] out, int offset) {
        out[offset] = 0f;
    }
}

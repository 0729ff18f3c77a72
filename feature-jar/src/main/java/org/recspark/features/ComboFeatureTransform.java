package org.recspark.features;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.recspark.config.proto.ComboFeature;

/**
 * A cross of several inputs: one hashed id per element of the cartesian product of their values,
 * the key of one element being its values joined by U+001F. The product is walked in input order
 * (the last input varying fastest) and cut after max_crosses; the crosses cut are counted. No ids
 * when any input is missing or has no values. Request-side inputs of a per-item cross are split
 * once per request.
 */
final class ComboFeatureTransform implements FeatureTransform {
    private final InputRef[] inputs;
    private final long buckets;
    private final String separator;
    private final int maxCrosses;
    private final LongAdder droppedCrosses;
    /** Per input: its values in the current request when it is request-side, else null. */
    private final RequestValue<List<String>>[] requestValues;

    ComboFeatureTransform(ComboFeature config, LongAdder droppedCrosses) {
        this.inputs = config.getInputsList().stream().map(InputRef::parse).toArray(InputRef[]::new);
        this.buckets = config.getHashBucketSize();
        this.separator = config.getSeparator();
        this.maxCrosses = config.getMaxCrosses();
        this.droppedCrosses = droppedCrosses;
        this.requestValues = newRequestValues(inputs.length);
    }

    private ComboFeatureTransform(ComboFeatureTransform unbound, RequestValue<List<String>>[] requestValues) {
        this.inputs = unbound.inputs;
        this.buckets = unbound.buckets;
        this.separator = unbound.separator;
        this.maxCrosses = unbound.maxCrosses;
        this.droppedCrosses = unbound.droppedCrosses;
        this.requestValues = requestValues;
    }

    @SuppressWarnings("unchecked")
    private static RequestValue<List<String>>[] newRequestValues(int n) {
        return (RequestValue<List<String>>[]) new RequestValue<?>[n];
    }

    @Override
    public long idSpaceSize() {
        return buckets;
    }

    @Override
    public FeatureTransform forRequest(RawRecord user, RawRecord context) {
        RequestValue<List<String>>[] values = newRequestValues(inputs.length);
        boolean any = false;
        for (int k = 0; k < inputs.length; k++) {
            InputRef input = inputs[k];
            if (input.side() != Side.ITEM) {
                values[k] = RequestValue.compute(() -> split(input.read(user, RawRecord.EMPTY, context)));
                any = true;
            }
        }
        return any ? new ComboFeatureTransform(this, values) : this;
    }

    /** The canonical values of one input; null when missing. */
    private List<String> split(Object value) {
        if (RawValues.isMissing(value)) {
            return null;
        }
        if (value instanceof String s && RawValues.tokenEnd(s, separator, 0) == s.length()) {
            // one token (most crosses): no list to grow
            return s.isEmpty() ? List.of() : List.of(s);
        }
        List<String> values = new ArrayList<>(2);
        RawValues.forEachToken(value, separator, values::add);
        return values;
    }

    @Override
    public void emitSparse(RawRecord user, RawRecord item, RawRecord context, SparseColumnBuilder out) {
        List<String>[] values = newRowValues(inputs.length);
        for (int k = 0; k < inputs.length; k++) {
            values[k] = requestValues[k] != null ? requestValues[k].get() : split(inputs[k].read(user, item, context));
        }
        long product = 1;
        for (List<String> v : values) {
            if (v == null || v.isEmpty()) {
                return;
            }
            product = product > Long.MAX_VALUE / v.size() ? Long.MAX_VALUE : product * v.size();
        }
        int[] position = new int[values.length];
        String[] cross = new String[values.length];
        int emitted = 0;
        do {
            for (int k = 0; k < position.length; k++) {
                cross[k] = values[k].get(position[k]);
            }
            out.add(FeatureHashing.crossBucket(cross, buckets));
            emitted++;
        } while (emitted < maxCrosses && advance(position, values));
        if (product > emitted) {
            droppedCrosses.add(product - emitted);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String>[] newRowValues(int n) {
        return (List<String>[]) new List<?>[n];
    }

    /** Odometer step over the cartesian product, last input fastest; false when exhausted. */
    private static boolean advance(int[] position, List<String>[] values) {
        for (int k = position.length - 1; k >= 0; k--) {
            if (++position[k] < values[k].size()) {
                return true;
            }
            position[k] = 0;
        }
        return false;
    }

    @Override
    public void emitSparseDefault(SparseColumnBuilder out) {
        // A cross of unusable values has no ids.
    }
}


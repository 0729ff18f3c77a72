package org.recspark.features;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.ComboFeature;

/**
 * A cross of several inputs: one hashed id per element of the cartesian product of their values,
 * in input order, keeping the first max_crosses. No ids when any input is missing.
 */
final class ComboFeatureTransform implements FeatureTransform {
    private final List<InputRef> inputs;
    private final long buckets;
    private final String separator;
    private final int maxCrosses;

    ComboFeatureTransform(ComboFeature config) {
        this.inputs = config.getInputsList().stream().map(InputRef::parse).toList();
        this.buckets = config.getHashBucketSize();
        this.separator = config.getSeparator();
        this.maxCrosses = config.getMaxCrosses();
    }

    @Override
    public List<InputRef> inputs() {
        return inputs;
    }

    @Override
    public boolean sparse() {
        return true;
    }

    @Override
    public long idSpaceSize() {
        return buckets;
    }

    @Override
    public void emitSparse(RawRecord user, RawRecord item, RawRecord context, SparseColumnBuilder out) {
        if (inputs.size() == 2) {
            emitPair(user, item, context, out);
            return;
        }
        List<List<String>> values = new ArrayList<>(inputs.size());
        for (InputRef input : inputs) {
            Object value = input.read(user, item, context);
            if (RawValues.isMissing(value)) {
                return;
            }
            List<String> tokens = new ArrayList<>(2);
            RawValues.forEachToken(value, separator, tokens::add);
            if (tokens.isEmpty()) {
                return;
            }
            values.add(tokens);
        }
        int[] position = new int[values.size()];
        StringBuilder key = new StringBuilder(64);
        for (int emitted = 0; emitted < maxCrosses; emitted++) {
            key.setLength(0);
            for (int k = 0; k < position.length; k++) {
                if (k > 0) {
                    key.append(FeatureHashing.CROSS_SEPARATOR);
                }
                key.append(values.get(k).get(position[k]));
            }
            out.add(FeatureHashing.bucket(key.toString(), buckets));
            if (!advance(position, values)) {
                return;
            }
        }
    }

    /** The common two-input cross of single values, without intermediate lists. */
    private void emitPair(RawRecord user, RawRecord item, RawRecord context, SparseColumnBuilder out) {
        Object a = inputs.get(0).read(user, item, context);
        Object b = inputs.get(1).read(user, item, context);
        if (RawValues.isMissing(a) || RawValues.isMissing(b)) {
            return;
        }
        if (isSingle(a) && isSingle(b)) {
            out.add(FeatureHashing.bucket(RawValues.canonical(a) + FeatureHashing.CROSS_SEPARATOR + RawValues.canonical(b), buckets));
            return;
        }
        List<String> first = new ArrayList<>(2);
        List<String> second = new ArrayList<>(2);
        RawValues.forEachToken(a, separator, first::add);
        RawValues.forEachToken(b, separator, second::add);
        int emitted = 0;
        for (String x : first) {
            for (String y : second) {
                if (emitted++ == maxCrosses) {
                    return;
                }
                out.add(FeatureHashing.bucket(x + FeatureHashing.CROSS_SEPARATOR + y, buckets));
            }
        }
    }

    private boolean isSingle(Object value) {
        return value instanceof String s ? !s.contains(separator) : !(value instanceof List<?> || value instanceof Object[]);
    }

    /** Odometer step over the cartesian product; false when exhausted. */
    private static boolean advance(int[] position, List<List<String>> values) {
        for (int k = position.length - 1; k >= 0; k--) {
            if (++position[k] < values.get(k).size()) {
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

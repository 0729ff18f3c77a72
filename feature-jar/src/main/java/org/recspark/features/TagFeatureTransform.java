package org.recspark.features;

import java.nio.file.Path;
import java.util.Map;
import org.recspark.config.proto.TagFeature;

/**
 * A multi-valued categorical field: one id per value, in order, repeats kept. With a kv separator
 * each value is "tag:weight" (split at the last separator), or the field is a Map from tag to weight.
 */
final class TagFeatureTransform implements FeatureTransform {
    private final InputRef input;
    private final String separator;
    private final String kvSeparator;
    private final IdSpace ids;
    private final String defaultValue;

    TagFeatureTransform(TagFeature config, Path baseDir, String path) {
        this.input = InputRef.parse(config.getInput());
        this.separator = config.getSeparator();
        this.kvSeparator = config.hasKvSeparator() && !config.getKvSeparator().isEmpty() ? config.getKvSeparator() : null;
        this.ids = IdSpace.of(config.hasHashBucketSize(), config.getHashBucketSize(), config.getVocabListList(),
                config.hasVocabFile(), config.getVocabFile(), false, 0, baseDir, path);
        this.defaultValue = config.hasDefaultValue() ? config.getDefaultValue() : null;
    }

    @Override
    public long idSpaceSize() {
        return ids.size();
    }

    @Override
    public boolean weighted() {
        return kvSeparator != null;
    }

    @Override
    public int expectedIdsPerRow() {
        return 4;
    }

    @Override
    public void emitSparse(RawRecord user, RawRecord item, RawRecord context, SparseColumnBuilder out) {
        Object value = input.read(user, item, context);
        if (RawValues.isMissing(value)) {
            emitSparseDefault(out);
        } else {
            emitTokens(value, out);
        }
    }

    private void emitTokens(Object value, SparseColumnBuilder out) {
        if (kvSeparator != null && value instanceof Map<?, ?> weights) {
            for (Map.Entry<?, ?> e : weights.entrySet()) {
                if (!RawValues.isMissing(e.getKey())) {
                    out.add(ids.id(RawValues.canonical(e.getKey())), weight(e.getValue()));
                }
            }
            return;
        }
        if (kvSeparator == null) {
            RawValues.forEachTokenRange(value, separator, (s, from, to) -> out.add(ids.id(s, from, to)));
            return;
        }
        RawValues.forEachToken(value, separator, token -> {
            int kv = token.lastIndexOf(kvSeparator);
            if (kv <= 0) {
                throw new BadValue("weighted tag '" + token + "' is not tag" + kvSeparator + "weight");
            }
            out.add(ids.id(token.substring(0, kv)), weight(token.substring(kv + kvSeparator.length())));
        });
    }

    private static float weight(Object value) {
        return (float) RawValues.finite(RawValues.number(value));
    }

    @Override
    public void emitSparseDefault(SparseColumnBuilder out) {
        if (defaultValue != null) {
            emitTokens(defaultValue, out);
        }
    }
}

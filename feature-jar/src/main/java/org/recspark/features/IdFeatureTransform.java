package org.recspark.features;

import java.nio.file.Path;
import org.recspark.config.proto.IdFeature;

/** A single categorical value mapped to one id (none when missing without a default). */
final class IdFeatureTransform implements FeatureTransform {
    private final InputRef input;
    private final IdSpace ids;
    private final String defaultValue;

    IdFeatureTransform(IdFeature config, Path baseDir, String path) {
        this.input = InputRef.parse(config.getInput());
        this.ids = IdSpace.of(config.hasHashBucketSize(), config.getHashBucketSize(), config.getVocabListList(),
                config.hasVocabFile(), config.getVocabFile(), config.hasNumBuckets(), config.getNumBuckets(), baseDir, path);
        this.defaultValue = config.hasDefaultValue() ? config.getDefaultValue() : null;
    }

    @Override
    public long idSpaceSize() {
        return ids.size();
    }

    @Override
    public void emitSparse(RawRecord user, RawRecord item, RawRecord context, SparseColumnBuilder out) {
        Object value = input.read(user, item, context);
        if (RawValues.isMissing(value)) {
            emitSparseDefault(out);
        } else {
            out.add(ids.id(RawValues.canonical(value)));
        }
    }

    @Override
    public void emitSparseDefault(SparseColumnBuilder out) {
        if (defaultValue != null) {
            out.add(ids.id(defaultValue));
        }
    }
}

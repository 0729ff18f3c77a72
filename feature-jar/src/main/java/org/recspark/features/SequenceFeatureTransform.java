package org.recspark.features;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.recspark.config.proto.SequenceFeature;

/**
 * A behaviour sequence, most recent first: the ids of its first max_length values, with repeated
 * values (compared before id mapping) dropped after their first, most recent, occurrence when dedup is on.
 * With recency_decay the k-th kept value weighs decay^k.
 */
final class SequenceFeatureTransform implements FeatureTransform {
    private final InputRef input;
    private final String separator;
    private final int maxLength;
    private final boolean dedup;
    private final IdSpace ids;
    /** 0 when unweighted. */
    private final float recencyDecay;

    SequenceFeatureTransform(SequenceFeature config, Path baseDir, String path) {
        this.input = InputRef.parse(config.getInput());
        this.separator = config.getSeparator();
        this.maxLength = config.getMaxLength();
        this.dedup = config.getDedup();
        this.recencyDecay = config.hasRecencyDecay() ? config.getRecencyDecay() : 0;
        this.ids = IdSpace.of(config.hasHashBucketSize(), config.getHashBucketSize(), config.getVocabListList(),
                config.hasVocabFile(), config.getVocabFile(), config.hasNumBuckets(), config.getNumBuckets(), baseDir, path);
    }

    @Override
    public long idSpaceSize() {
        return ids.size();
    }

    @Override
    public boolean weighted() {
        return recencyDecay > 0;
    }

    @Override
    public int expectedIdsPerRow() {
        return maxLength;
    }

    @Override
    public void emitSparse(RawRecord user, RawRecord item, RawRecord context, SparseColumnBuilder out) {
        Object value = input.read(user, item, context);
        if (RawValues.isMissing(value)) {
            return;
        }
        List<String> tokens = new ArrayList<>(Math.min(maxLength, 64));
        Set<String> seen = dedup ? new HashSet<>() : null;
        RawValues.forEachToken(value, separator, token -> {
            if (tokens.size() < maxLength && (seen == null || seen.add(token))) {
                tokens.add(token);
            }
        });
        float weight = 1f;
        for (String token : tokens) {
            out.add(ids.id(token), weight);
            weight *= recencyDecay;
        }
    }

    @Override
    public void emitSparseDefault(SparseColumnBuilder out) {
        // A missing or unusable sequence is an empty history.
    }
}

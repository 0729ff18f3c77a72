package org.recspark.config;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.recspark.config.proto.Feature;

/**
 * What a feature config produces, derivable from the config alone: whether the output is sparse
 * (ids, embedded) or dense (floats), its id-space size, and the raw inputs it reads. Shared by the
 * validator and the feature jar so both agree.
 */
public final class FeatureOutputs {
    private FeatureOutputs() {}

    /** True for features that output ids (to be embedded), false for float outputs. */
    public static boolean isSparse(Feature feature) {
        return switch (feature.getTypeCase()) {
            case ID, TAG, COMBO, SEQUENCE -> true;
            case RAW -> feature.getRaw().getBoundariesCount() > 0;
            case LOOKUP -> feature.getLookup().getBoundariesCount() > 0;
            case MATCH, TYPE_NOT_SET -> false;
        };
    }

    /**
     * Number of distinct ids of a sparse feature; empty for dense features and for vocabularies
     * that live in a file (known only once the file is read).
     */
    public static OptionalLong idSpaceSize(Feature feature) {
        return switch (feature.getTypeCase()) {
            case ID -> {
                var id = feature.getId();
                yield sizeOf(id.hasHashBucketSize(), id.getHashBucketSize(), id.getVocabListCount(),
                        id.hasNumBuckets(), id.getNumBuckets());
            }
            case TAG -> {
                var tag = feature.getTag();
                yield sizeOf(tag.hasHashBucketSize(), tag.getHashBucketSize(), tag.getVocabListCount(), false, 0);
            }
            case SEQUENCE -> {
                var seq = feature.getSequence();
                yield sizeOf(seq.hasHashBucketSize(), seq.getHashBucketSize(), seq.getVocabListCount(),
                        seq.hasNumBuckets(), seq.getNumBuckets());
            }
            case COMBO -> feature.getCombo().hasHashBucketSize()
                    ? OptionalLong.of(feature.getCombo().getHashBucketSize()) : OptionalLong.empty();
            case RAW -> feature.getRaw().getBoundariesCount() > 0
                    ? OptionalLong.of(feature.getRaw().getBoundariesCount() + 1L) : OptionalLong.empty();
            case LOOKUP -> feature.getLookup().getBoundariesCount() > 0
                    ? OptionalLong.of(feature.getLookup().getBoundariesCount() + 1L) : OptionalLong.empty();
            case MATCH, TYPE_NOT_SET -> OptionalLong.empty();
        };
    }

    /** The "side.field" inputs a feature reads, in config order. */
    public static List<String> inputs(Feature feature) {
        List<String> inputs = new ArrayList<>();
        switch (feature.getTypeCase()) {
            case ID -> inputs.add(feature.getId().getInput());
            case RAW -> inputs.add(feature.getRaw().getInput());
            case TAG -> inputs.add(feature.getTag().getInput());
            case SEQUENCE -> inputs.add(feature.getSequence().getInput());
            case COMBO -> inputs.addAll(feature.getCombo().getInputsList());
            case LOOKUP -> {
                inputs.add(feature.getLookup().getMapInput());
                inputs.add(feature.getLookup().getKeyInput());
            }
            case MATCH -> {
                inputs.add(feature.getMatch().getMapInput());
                inputs.add(feature.getMatch().getKeyInput());
            }
            case TYPE_NOT_SET -> { }
        }
        return inputs;
    }

    /** The embedding table a sparse feature uses: its shared_embedding, else its own name. */
    public static String embeddingTable(Feature feature) {
        return feature.hasSharedEmbedding() && !feature.getSharedEmbedding().isEmpty()
                ? feature.getSharedEmbedding() : feature.getName();
    }

    private static OptionalLong sizeOf(boolean hashed, long buckets, int vocabSize, boolean numbered, long numBuckets) {
        if (hashed) {
            return OptionalLong.of(buckets);
        }
        if (vocabSize > 0) {
            return OptionalLong.of(vocabSize + 1L);
        }
        if (numbered) {
            return OptionalLong.of(numBuckets);
        }
        return OptionalLong.empty();
    }
}

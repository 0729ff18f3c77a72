package org.recspark.config.feature;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.recspark.config.Violation;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.SequenceFeature;

/** {@code sequence}: a behaviour sequence of ids, most recent first, embedded per step. */
final class SequenceFeatureType implements FeatureType {

    @Override
    public String name() {
        return "sequence";
    }

    @Override
    public void check(Feature feature, String featurePath, List<Violation> out) {
        idSpace(feature).check(featurePath + ".sequence", out);
        FeatureChecks.nonEmptySeparator(feature.getSequence().getSeparator(), featurePath + ".sequence.separator", out);
        if (feature.getSequence().hasSelfAttention()) {
            checkSelfAttention(feature, featurePath, out);
        }
    }

    /** The encoder reads the order itself, so nothing may pool or weigh the history besides, and its heads split the embedding evenly. */
    private static void checkSelfAttention(Feature feature, String featurePath, List<Violation> out) {
        SequenceFeature seq = feature.getSequence();
        String path = featurePath + ".sequence.self_attention";
        if (seq.hasRecencyDecay()) {
            out.add(new Violation(featurePath + ".sequence.recency_decay", "recency_decay weighs a pooled history; with self_attention "
                    + "the encoder's position embeddings see the order, so drop recency_decay"));
        }
        if (feature.hasPooling()) {
            out.add(new Violation(featurePath + ".pooling", "a self_attention history is not pooled by the feature's pooling; "
                    + "choose self_attention.pooling (MOST_RECENT or MEAN) instead"));
        }
        int heads = seq.getSelfAttention().getNumHeads();
        if (heads > 0 && feature.getEmbeddingDim() % heads != 0) {
            out.add(new Violation(path + ".num_heads", "num_heads " + heads + " must divide the feature's embedding_dim "
                    + feature.getEmbeddingDim() + " (each head attends in embedding_dim / num_heads columns)"));
        }
    }

    @Override
    public boolean sparse(Feature feature) {
        return true;
    }

    @Override
    public OptionalLong idSpaceSize(Feature feature) {
        return idSpace(feature).size();
    }

    @Override
    public String idSpaceField(Feature feature, String featurePath) {
        return idSpace(feature).field(featurePath + ".sequence");
    }

    @Override
    public List<String> inputs(Feature feature) {
        return List.of(feature.getSequence().getInput());
    }

    /** An embedding per step, max_length steps. */
    @Override
    public long rowWidth(Feature feature) {
        return Math.max(0, feature.getSequence().getMaxLength()) * (long) Math.max(0, feature.getEmbeddingDim());
    }

    @Override
    public Optional<String> vocabularyFile(Feature feature) {
        return feature.getSequence().hasVocabFile() ? Optional.of(feature.getSequence().getVocabFile()) : Optional.empty();
    }

    @Override
    public Feature withVocabularyFile(Feature feature, String file) {
        return feature.toBuilder().setSequence(feature.getSequence().toBuilder().setVocabFile(file)).build();
    }

    @Override
    public Feature withVocabularyList(Feature feature, List<String> values) {
        return feature.toBuilder().setSequence(feature.getSequence().toBuilder().clearVocabFile().addAllVocabList(values)).build();
    }

    private static IdSpaceChoice idSpace(Feature feature) {
        SequenceFeature seq = feature.getSequence();
        return new IdSpaceChoice(seq.hasHashBucketSize(), seq.getHashBucketSize(), seq.getVocabListCount(),
                seq.hasVocabFile(), seq.hasNumBuckets(), seq.getNumBuckets(), true);
    }
}

package org.recspark.config.feature;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.recspark.config.Violation;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.IdFeature;

/** {@code id}: a single categorical value mapped to one id. */
final class IdFeatureType implements FeatureType {

    @Override
    public String name() {
        return "id";
    }

    @Override
    public void check(Feature feature, String featurePath, List<Violation> out) {
        idSpace(feature).check(featurePath + ".id", out);
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
        return idSpace(feature).field(featurePath + ".id");
    }

    @Override
    public List<String> inputs(Feature feature) {
        return List.of(feature.getId().getInput());
    }

    @Override
    public Optional<String> vocabularyFile(Feature feature) {
        return feature.getId().hasVocabFile() ? Optional.of(feature.getId().getVocabFile()) : Optional.empty();
    }

    @Override
    public Feature withVocabularyFile(Feature feature, String file) {
        return feature.toBuilder().setId(feature.getId().toBuilder().setVocabFile(file)).build();
    }

    @Override
    public Feature withVocabularyList(Feature feature, List<String> values) {
        return feature.toBuilder().setId(feature.getId().toBuilder().clearVocabFile().addAllVocabList(values)).build();
    }

    private static IdSpaceChoice idSpace(Feature feature) {
        IdFeature id = feature.getId();
        return new IdSpaceChoice(id.hasHashBucketSize(), id.getHashBucketSize(), id.getVocabListCount(),
                id.hasVocabFile(), id.hasNumBuckets(), id.getNumBuckets(), true);
    }
}

package org.recspark.config.feature;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.recspark.config.Violation;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.TagFeature;

/** {@code tag}: several categorical values (optionally weighted), one id each. */
final class TagFeatureType implements FeatureType {

    @Override
    public String name() {
        return "tag";
    }

    @Override
    public void check(Feature feature, String featurePath, List<Violation> out) {
        idSpace(feature).check(featurePath + ".tag", out);
        FeatureChecks.nonEmptySeparator(feature.getTag().getSeparator(), featurePath + ".tag.separator", out);
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
        return idSpace(feature).field(featurePath + ".tag");
    }

    @Override
    public List<String> inputs(Feature feature) {
        return List.of(feature.getTag().getInput());
    }

    @Override
    public Optional<String> vocabularyFile(Feature feature) {
        return feature.getTag().hasVocabFile() ? Optional.of(feature.getTag().getVocabFile()) : Optional.empty();
    }

    @Override
    public Feature withVocabularyFile(Feature feature, String file) {
        return feature.toBuilder().setTag(feature.getTag().toBuilder().setVocabFile(file)).build();
    }

    @Override
    public Feature withVocabularyList(Feature feature, List<String> values) {
        return feature.toBuilder().setTag(feature.getTag().toBuilder().clearVocabFile().addAllVocabList(values)).build();
    }

    private static IdSpaceChoice idSpace(Feature feature) {
        TagFeature tag = feature.getTag();
        return new IdSpaceChoice(tag.hasHashBucketSize(), tag.getHashBucketSize(), tag.getVocabListCount(),
                tag.hasVocabFile(), false, 0, false);
    }
}

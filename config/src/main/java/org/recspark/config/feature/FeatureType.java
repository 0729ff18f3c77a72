package org.recspark.config.feature;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.recspark.config.Violation;
import org.recspark.config.proto.Feature;

/**
 * The owner of one feature type (one case of the config's {@code Feature.type} oneof): everything
 * that can be known of a feature of that type from its config alone. Its config rules, whether it
 * outputs ids or floats, its id space, the {@code side.field} inputs it reads, its embedding table,
 * the vocabulary file it would ship in an export bundle. {@link FeatureTypes} finds the owner of a
 * feature; every other module asks the owner instead of switching on the type case.
 *
 * <p>The owners live in {@code config}, not in the feature jar, because every place that validates
 * a config ({@code ConfigParser}, {@code validate-config}, HPO's trial configs, the export bundle
 * loader) depends on {@code config} alone and must report a bad feature together with every other
 * violation of the file; {@code config} cannot depend on the feature jar, whose transforms need it.
 * The feature jar builds each type's transform ({@code FeatureTransforms}, an exhaustive switch the
 * compiler checks) and takes the facts above from the owner, so no fact is stated twice.
 *
 * <p>Methods take the whole feature, which must be of this owner's type; the checks run on
 * unvalidated configs, so other methods must not fail on values the checks reject. Stateless and
 * thread-safe.
 */
public interface FeatureType {

    /** The type's field name in the oneof ({@code id}, {@code raw}, ...), as errors name it. */
    String name();

    /**
     * Adds a violation for every rule of this type that the feature breaks: the rules that involve
     * several of its fields (those of one field are the proto's field constraints).
     *
     * @param featurePath the feature's path, e.g. {@code feature_config.features[2]}
     */
    void check(Feature feature, String featurePath, List<Violation> out);

    /** True for features that output ids (to be embedded), false for float outputs. */
    boolean sparse(Feature feature);

    /**
     * Number of distinct ids of a sparse feature; empty for dense features and for vocabularies
     * that live in a file (known only once the file is read).
     */
    OptionalLong idSpaceSize(Feature feature);

    /** The field that sets the feature's id space, so a violation points where the user would change it. */
    default String idSpaceField(Feature feature, String featurePath) {
        return featurePath;
    }

    /** The {@code side.field} inputs the feature reads, in config order. */
    List<String> inputs(Feature feature);

    /** Floats per row the feature puts into its group's input: an embedding per id (per step of a sequence) or its values. */
    default long rowWidth(Feature feature) {
        return sparse(feature) ? Math.max(0, feature.getEmbeddingDim()) : 1;
    }

    /** The embedding table a sparse feature uses: its shared_embedding, else its own name. */
    default String embeddingTable(Feature feature) {
        return feature.hasSharedEmbedding() && !feature.getSharedEmbedding().isEmpty()
                ? feature.getSharedEmbedding() : feature.getName();
    }

    /** The vocabulary file the feature reads (resolved against the config's directory), if it has one. */
    default Optional<String> vocabularyFile(Feature feature) {
        return Optional.empty();
    }

    /** The feature reading its vocabulary from {@code file} instead: how a bundle points at its copy. */
    default Feature withVocabularyFile(Feature feature, String file) {
        throw new UnsupportedOperationException("a " + name() + " feature has no vocabulary file");
    }

    /** The feature with its vocabulary file replaced by the list of values it holds (same ids). */
    default Feature withVocabularyList(Feature feature, List<String> values) {
        throw new UnsupportedOperationException("a " + name() + " feature has no vocabulary file");
    }
}

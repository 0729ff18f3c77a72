package org.recspark.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;
import org.recspark.config.proto.Normalizer;

/** Rules of a feature config that involve several fields or several features. */
final class FeatureConfigRules {
    private FeatureConfigRules() {}

    static void check(FeatureConfig config, String path, List<Violation> out) {
        Map<String, Integer> firstByName = new HashMap<>();
        Map<String, Integer> firstByTable = new HashMap<>();
        for (int i = 0; i < config.getFeaturesCount(); i++) {
            Feature feature = config.getFeatures(i);
            String featurePath = ConfigPaths.index(path, "features", i);
            if (feature.hasName() && !feature.getName().isEmpty()) {
                Integer first = firstByName.putIfAbsent(feature.getName(), i);
                if (first != null) {
                    out.add(new Violation(featurePath + ".name", "duplicate feature name '" + feature.getName()
                            + "' (first at " + ConfigPaths.index(path, "features", first) + ")"));
                }
            }
            checkType(feature, featurePath, out);
            if (feature.hasSharedEmbedding() && feature.getSharedEmbedding().isEmpty()) {
                out.add(new Violation(featurePath + ".shared_embedding", "must not be empty; leave it out for a table of the feature's own"));
            } else if (feature.hasSharedEmbedding()) {
                checkSharedEmbedding(config, i, featurePath, firstByTable, path, out);
            }
        }
    }

    private static void checkType(Feature feature, String path, List<Violation> out) {
        switch (feature.getTypeCase()) {
            case TYPE_NOT_SET -> out.add(new Violation(path,
                    "no feature type set: expected one of id, raw, tag, combo, lookup, match, sequence"));
            case ID -> {
                var id = feature.getId();
                exactlyOneIdSpace(path + ".id", out, id.hasHashBucketSize(), id.getVocabListCount() > 0,
                        id.hasVocabFile(), id.hasNumBuckets(), true);
            }
            case TAG -> {
                var tag = feature.getTag();
                exactlyOneIdSpace(path + ".tag", out, tag.hasHashBucketSize(), tag.getVocabListCount() > 0,
                        tag.hasVocabFile(), false, false);
                nonEmptySeparator(tag.getSeparator(), path + ".tag.separator", out);
            }
            case SEQUENCE -> {
                var seq = feature.getSequence();
                exactlyOneIdSpace(path + ".sequence", out, seq.hasHashBucketSize(), seq.getVocabListCount() > 0,
                        seq.hasVocabFile(), seq.hasNumBuckets(), true);
                nonEmptySeparator(seq.getSeparator(), path + ".sequence.separator", out);
            }
            case COMBO -> {
                var combo = feature.getCombo();
                if (combo.getInputsCount() == 1) {
                    out.add(new Violation(path + ".combo.inputs", "a combo crosses at least 2 inputs, got 1"));
                }
                if (!combo.hasHashBucketSize()) {
                    out.add(new Violation(path + ".combo.hash_bucket_size", "is required"));
                }
                nonEmptySeparator(combo.getSeparator(), path + ".combo.separator", out);
            }
            case RAW -> {
                var raw = feature.getRaw();
                if (raw.getDim() > 1 && raw.getBoundariesCount() > 0) {
                    out.add(new Violation(path + ".raw.boundaries",
                            "bucketizing needs a scalar (dim 1), got dim " + raw.getDim()));
                }
                increasing(raw.getBoundariesList(), path + ".raw.boundaries", out);
                normalizer(raw.hasNormalizer(), raw.getNormalizer(), path + ".raw.normalizer", out);
            }
            case LOOKUP -> {
                var lookup = feature.getLookup();
                increasing(lookup.getBoundariesList(), path + ".lookup.boundaries", out);
                normalizer(lookup.hasNormalizer(), lookup.getNormalizer(), path + ".lookup.normalizer", out);
                nonEmptySeparator(lookup.getEntrySeparator(), path + ".lookup.entry_separator", out);
                nonEmptySeparator(lookup.getKvSeparator(), path + ".lookup.kv_separator", out);
            }
            case MATCH -> nonEmptySeparator(feature.getMatch().getEntrySeparator(), path + ".match.entry_separator", out);
        }
    }

    private static void exactlyOneIdSpace(String path, List<Violation> out, boolean hash, boolean vocabList,
                                          boolean vocabFile, boolean numBuckets, boolean numBucketsAllowed) {
        int set = (hash ? 1 : 0) + (vocabList ? 1 : 0) + (vocabFile ? 1 : 0) + (numBuckets ? 1 : 0);
        if (set != 1) {
            String options = numBucketsAllowed
                    ? "hash_bucket_size, vocab_list, vocab_file, num_buckets" : "hash_bucket_size, vocab_list, vocab_file";
            out.add(new Violation(path, "exactly one of " + options + " must define the id space, got " + set));
        }
    }

    private static void checkSharedEmbedding(FeatureConfig config, int i, String featurePath,
                                             Map<String, Integer> firstByTable, String path, List<Violation> out) {
        Feature feature = config.getFeatures(i);
        String table = feature.getSharedEmbedding();
        if (!FeatureOutputs.isSparse(feature)) {
            out.add(new Violation(featurePath + ".shared_embedding",
                    "only sparse (id-valued) features have embeddings, but '" + feature.getName() + "' outputs floats"));
            return;
        }
        Integer first = firstByTable.putIfAbsent(table, i);
        if (first == null) {
            return;
        }
        Feature other = config.getFeatures(first);
        OptionalLong mine = FeatureOutputs.idSpaceSize(feature);
        OptionalLong theirs = FeatureOutputs.idSpaceSize(other);
        String otherPath = ConfigPaths.index(path, "features", first);
        if (mine.isPresent() && theirs.isPresent() && mine.getAsLong() != theirs.getAsLong()) {
            out.add(new Violation(featurePath, "shares embedding '" + table + "' with " + otherPath
                    + " but has " + mine.getAsLong() + " ids where it has " + theirs.getAsLong()));
        }
        if (feature.getEmbeddingDim() != other.getEmbeddingDim()) {
            out.add(new Violation(featurePath + ".embedding_dim", "shares embedding '" + table + "' with " + otherPath
                    + " whose embedding_dim is " + other.getEmbeddingDim() + ", got " + feature.getEmbeddingDim()));
        }
    }

    private static void increasing(List<Double> boundaries, String path, List<Violation> out) {
        for (int k = 1; k < boundaries.size(); k++) {
            if (!(boundaries.get(k) > boundaries.get(k - 1))) {
                out.add(new Violation(path + "[" + k + "]", "boundaries must be strictly increasing, got "
                        + ConfigPaths.number(boundaries.get(k)) + " after " + ConfigPaths.number(boundaries.get(k - 1))));
            }
        }
    }

    private static void normalizer(boolean present, Normalizer normalizer, String path, List<Violation> out) {
        if (!present) {
            return;
        }
        switch (normalizer.getKindCase()) {
            case KIND_NOT_SET -> out.add(new Violation(path, "no normalizer set: expected one of log, zscore, minmax"));
            case MINMAX -> {
                var minmax = normalizer.getMinmax();
                if (!(minmax.getMax() > minmax.getMin())) {
                    out.add(new Violation(path + ".minmax.max", "must be > min (" + ConfigPaths.number(minmax.getMin())
                            + "), got " + ConfigPaths.number(minmax.getMax())));
                }
            }
            case LOG, ZSCORE -> { }
        }
    }

    private static void nonEmptySeparator(String separator, String path, List<Violation> out) {
        if (separator.isEmpty()) {
            out.add(new Violation(path, "must not be empty"));
        }
    }
}

package org.recspark.features;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;

/**
 * Maps a canonical value to an id in [0, size): hashed into buckets, looked up in a vocabulary
 * (ids 1..|V| in list order, 0 for out-of-vocabulary values), or taken as an integer id below num_buckets.
 */
abstract sealed class IdSpace permits IdSpace.Hashed, IdSpace.Vocabulary, IdSpace.Numbered {

    abstract long size();

    abstract long id(String value);

    /**
     * @param configPath the feature's config path, named in errors about the vocabulary file
     */
    static IdSpace of(boolean hashed, long buckets, List<String> vocabList, boolean hasVocabFile, String vocabFile,
                      boolean numbered, long numBuckets, Path baseDir, String configPath) {
        if (hashed) {
            return new Hashed(buckets);
        }
        if (!vocabList.isEmpty()) {
            return new Vocabulary(vocabList);
        }
        if (hasVocabFile) {
            return new Vocabulary(readVocabulary(baseDir.resolve(vocabFile), configPath + ".vocab_file"));
        }
        if (numbered) {
            return new Numbered(numBuckets);
        }
        throw new IllegalStateException("validated config has no id space at " + configPath);
    }

    private static List<String> readVocabulary(Path file, String configPath) {
        try {
            List<String> values = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(line -> !line.isEmpty()).toList();
            if (values.isEmpty()) {
                throw new ConfigException(List.of(new Violation(configPath, "vocabulary file " + file + " is empty")));
            }
            return values;
        } catch (IOException e) {
            throw new ConfigException(List.of(new Violation(configPath, "cannot read vocabulary file " + file + ": " + e)));
        }
    }

    static final class Hashed extends IdSpace {
        private final long buckets;

        Hashed(long buckets) {
            this.buckets = buckets;
        }

        @Override
        long size() {
            return buckets;
        }

        @Override
        long id(String value) {
            return FeatureHashing.bucket(value, buckets);
        }
    }

    static final class Vocabulary extends IdSpace {
        private final Map<String, Long> ids = new HashMap<>();

        Vocabulary(List<String> values) {
            for (String value : values) {
                ids.putIfAbsent(value, ids.size() + 1L);
            }
        }

        @Override
        long size() {
            return ids.size() + 1L;
        }

        @Override
        long id(String value) {
            return ids.getOrDefault(value, 0L);
        }
    }

    static final class Numbered extends IdSpace {
        private final long buckets;

        Numbered(long buckets) {
            this.buckets = buckets;
        }

        @Override
        long size() {
            return buckets;
        }

        @Override
        long id(String value) {
            long id;
            try {
                id = Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new BadValue("expected an integer id in [0, " + buckets + "), got '" + value + "'");
            }
            if (id < 0 || id >= buckets) {
                throw new BadValue("id " + id + " is outside [0, " + buckets + ")");
            }
            return id;
        }
    }
}

package org.recspark.features;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.storage.Locations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a canonical value to an id in [0, size): hashed into buckets, looked up in a vocabulary
 * (ids 1..|V| in list order, 0 for out-of-vocabulary values), or taken as an integer id below num_buckets.
 */
abstract sealed class IdSpace permits IdSpace.Hashed, IdSpace.Vocabulary, IdSpace.Numbered {
    private static final Logger LOG = LoggerFactory.getLogger(IdSpace.class);
    private static final String BYTE_ORDER_MARK = "\uFEFF";

    abstract long size();

    abstract long id(String value);

    /** The id of {@code value.substring(from, to)}; hashed spaces read the range without the substring. */
    long id(String value, int from, int to) {
        return id(value.substring(from, to));
    }

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
            return new Vocabulary(readVocabulary(Locations.resolve(baseDir, vocabFile), configPath + ".vocab_file"));
        }
        if (numbered) {
            return new Numbered(numBuckets);
        }
        throw new IllegalStateException("validated config has no id space at " + configPath);
    }

    /**
     * The values of a vocabulary file, one per line (UTF-8, a leading byte-order mark ignored); blank
     * lines are skipped, and a repeated value is an error since it would leave its id ambiguous.
     */
    static List<String> readVocabulary(Path file, String configPath) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of(new Violation(configPath, "cannot read vocabulary file " + file + ": " + e)));
        }
        List<String> values = new ArrayList<>(lines.size());
        Map<String, Integer> lineOf = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String value = i == 0 && lines.get(0).startsWith(BYTE_ORDER_MARK) ? lines.get(0).substring(1) : lines.get(i);
            if (value.isBlank()) {
                continue;
            }
            Integer first = lineOf.putIfAbsent(value, i + 1);
            if (first != null) {
                throw new ConfigException(List.of(new Violation(configPath, "vocabulary file " + file + " repeats '"
                        + value + "' (lines " + first + " and " + (i + 1) + ")")));
            }
            values.add(value);
        }
        if (values.isEmpty()) {
            throw new ConfigException(List.of(new Violation(configPath, "vocabulary file " + file + " is empty")));
        }
        LOG.info("Read {} values from vocabulary file {} ({})", values.size(), file, configPath);
        return values;
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

        @Override
        long id(String value, int from, int to) {
            return FeatureHashing.bucket(value, from, to, buckets);
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

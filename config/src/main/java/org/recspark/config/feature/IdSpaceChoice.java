package org.recspark.config.feature;

import java.util.List;
import java.util.OptionalLong;
import org.recspark.config.Violation;

/**
 * How an id, tag or sequence feature defines its id space: exactly one of hash_bucket_size,
 * vocab_list, vocab_file and (where the type has it) num_buckets.
 */
record IdSpaceChoice(boolean hashed, long hashBucketSize, int vocabListSize, boolean vocabFile,
                     boolean numbered, long numBuckets, boolean numBucketsAllowed) {

    void check(String typePath, List<Violation> out) {
        int set = (hashed ? 1 : 0) + (vocabListSize > 0 ? 1 : 0) + (vocabFile ? 1 : 0) + (numbered ? 1 : 0);
        if (set != 1) {
            String options = numBucketsAllowed
                    ? "hash_bucket_size, vocab_list, vocab_file, num_buckets" : "hash_bucket_size, vocab_list, vocab_file";
            out.add(new Violation(typePath, "exactly one of " + options + " must define the id space, got " + set));
        }
    }

    /** A vocabulary's ids are 1..|V| plus 0 for values outside it; a file's size is known once it is read. */
    OptionalLong size() {
        if (hashed) {
            return OptionalLong.of(hashBucketSize);
        }
        if (vocabListSize > 0) {
            return OptionalLong.of(vocabListSize + 1L);
        }
        if (numbered) {
            return OptionalLong.of(numBuckets);
        }
        return OptionalLong.empty();
    }

    String field(String typePath) {
        return typePath + "." + (hashed ? "hash_bucket_size" : numbered ? "num_buckets" : "vocab_list");
    }
}

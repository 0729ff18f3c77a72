package org.recspark.config;

/**
 * One problem found in a config: where it is (a field path such as
 * {@code feature_config.features[3].id.hash_bucket_size}, or {@code file:line:column} for a parse
 * error) and what is wrong, including the bad value.
 */
public record Violation(String path, String message) {

    @Override
    public String toString() {
        return path + ": " + message;
    }
}

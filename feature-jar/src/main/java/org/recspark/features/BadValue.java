package org.recspark.features;

/**
 * Thrown by value parsing inside a transform; the generator turns it into a
 * {@link FeatureValueException} naming the feature, or counts it. No stack trace: under
 * COUNT_AND_DEFAULT it is part of normal control flow on dirty data.
 */
final class BadValue extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadValue(String message) {
        super(message, null, false, false);
    }
}

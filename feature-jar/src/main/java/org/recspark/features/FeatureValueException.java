package org.recspark.features;

/** A raw value a feature cannot use (wrong type, unparsable number, malformed map entry, id out of range). */
public final class FeatureValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String feature;

    FeatureValueException(String feature, String message) {
        super(message);
        this.feature = feature;
    }

    /** The name of the feature that rejected the value. */
    public String feature() {
        return feature;
    }
}

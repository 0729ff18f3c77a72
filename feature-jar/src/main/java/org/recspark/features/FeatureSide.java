package org.recspark.features;

/** Where a feature is computed, from its inputs: per item if any input is an item field, else once per request. */
public enum FeatureSide {
    /** Only user and context inputs: computed once per request and broadcast to its items. */
    REQUEST,
    /** Some item input: computed for each item. */
    ITEM
}

package org.recspark.features;

import java.util.function.Supplier;

/**
 * A value derived once per request from a request-side input of a per-item feature (a user-side
 * map parsed once for all items, say), or the bad value it failed with. A failure is rethrown for
 * every row, so each row fails or is counted exactly as the same row would in a single-item call.
 *
 * @param value the derived value; null when the input is missing
 */
record RequestValue<T>(T value, BadValue failure) {

    static <T> RequestValue<T> compute(Supplier<T> derivation) {
        try {
            return new RequestValue<>(derivation.get(), null);
        } catch (BadValue e) {
            return new RequestValue<>(null, e);
        }
    }

    /** The value (null when missing), or the failure thrown again. */
    T get() {
        if (failure != null) {
            throw failure;
        }
        return value;
    }
}

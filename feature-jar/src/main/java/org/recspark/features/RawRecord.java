package org.recspark.features;

import java.util.Map;

/**
 * The raw fields of one user, item or request context, by name. A value is a String, Number,
 * Boolean, List (multi-valued fields), Map (map-valued fields) or float[]/double[] (vectors);
 * null means missing.
 */
@FunctionalInterface
public interface RawRecord {
    RawRecord EMPTY = field -> null;

    Object get(String field);

    static RawRecord of(Map<String, ?> fields) {
        return fields::get;
    }
}

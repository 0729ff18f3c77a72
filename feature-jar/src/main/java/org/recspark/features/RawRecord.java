package org.recspark.features;

import java.util.Map;

/**
 * The raw fields of one user, item or request context, by name. A value is a String, Number,
 * Boolean, List or array (multi-valued fields), Map (map-valued fields) or float[]/double[]
 * (vectors); null, like the empty string, means missing. Implementations must be safe to read from
 * the thread calling the generator; the generator never modifies a record.
 */
@FunctionalInterface
public interface RawRecord {
    /** A record without fields: every feature reading it takes its default. */
    RawRecord EMPTY = field -> null;

    /** The value of a field, or null when it is missing. */
    Object get(String field);

    static RawRecord of(Map<String, ?> fields) {
        return new MapRecord(fields);
    }
}

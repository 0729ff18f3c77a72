package org.recspark.serving;

import java.math.BigDecimal;

/**
 * The key of an item in the cache: the id's canonical string, as the feature jar hashes it, so the
 * table's 42 (an INT64 column) is the request's "42".
 */
final class ItemIds {
    private ItemIds() {
    }

    /** The canonical id, or null when the value is missing (null or empty). */
    static String canonical(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            return s.isEmpty() ? null : s;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return Long.toString(((Number) value).longValue());
        }
        if (value instanceof Number n) {
            BigDecimal d = new BigDecimal(n.toString()).stripTrailingZeros();
            return d.scale() <= 0 ? d.toBigInteger().toString() : n.toString();
        }
        return value.toString();
    }
}

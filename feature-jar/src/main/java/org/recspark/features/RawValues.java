package org.recspark.features;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reading raw values the same way offline and online. The canonical string of a value is what
 * gets hashed or looked up: integral numbers print without a fraction (123, 123L, 123.0f and "123"
 * are the same id, since Spark may hand over a Long where a service holds a String), other numbers
 * as {@link Double#toString}, booleans as true/false.
 */
final class RawValues {
    private RawValues() {}

    /** True for null and the empty string: the field takes its default. */
    static boolean isMissing(Object value) {
        return value == null || (value instanceof String s && s.isEmpty());
    }

    static String canonical(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return Long.toString(((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            double x = ((Number) value).doubleValue();
            if (x == Math.rint(x) && Math.abs(x) < 9.0e15) {
                return Long.toString((long) x);
            }
            return Double.toString(x);
        }
        if (value instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (value instanceof Number n) {
            return n.toString();
        }
        throw new BadValue("expected a single value, got " + describe(value));
    }

    static double number(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        if (value instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw new BadValue("cannot parse " + describe(value) + " as a number");
            }
        }
        throw new BadValue("expected a number, got " + describe(value));
    }

    static long integer(Object value) {
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        double x = number(value);
        if (x != Math.rint(x) || Double.isInfinite(x)) {
            throw new BadValue("expected an integer id, got " + describe(value));
        }
        return (long) x;
    }

    /**
     * Calls {@code action} with the canonical string of each value of a multi-valued field: a List,
     * a String split on {@code separator} (empty tokens skipped), or a single scalar.
     */
    static void forEachToken(Object value, String separator, Consumer<String> action) {
        if (value instanceof String s) {
            int start = 0;
            int length = s.length();
            while (start <= length) {
                int end = s.indexOf(separator, start);
                if (end < 0) {
                    end = length;
                }
                if (end > start) {
                    action.accept(s.substring(start, end));
                }
                start = end + separator.length();
            }
        } else if (value instanceof List<?> list) {
            for (Object element : list) {
                if (!isMissing(element)) {
                    action.accept(canonical(element));
                }
            }
        } else if (value instanceof Object[] array) {
            forEachToken(List.of(array), separator, action);
        } else {
            action.accept(canonical(value));
        }
    }

    /** The numeric value stored under {@code key} in a map-valued field, or NaN when absent. */
    static double mapValue(Object map, String key, String entrySeparator, String kvSeparator) {
        if (map instanceof Map<?, ?> m) {
            Object v = m.get(key);
            if (v == null && !m.isEmpty() && !(m.keySet().iterator().next() instanceof String)) {
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (canonical(e.getKey()).equals(key)) {
                        v = e.getValue();
                        break;
                    }
                }
            }
            return v == null ? Double.NaN : number(v);
        }
        if (map instanceof String s) {
            int start = 0;
            while (start < s.length()) {
                int end = s.indexOf(entrySeparator, start);
                if (end < 0) {
                    end = s.length();
                }
                if (end > start) {
                    int kv = s.indexOf(kvSeparator, start);
                    if (kv < 0 || kv >= end) {
                        throw new BadValue("map entry '" + s.substring(start, end) + "' has no '" + kvSeparator + "'");
                    }
                    if (s.regionMatches(start, key, 0, key.length()) && kv - start == key.length()) {
                        return number(s.substring(kv + kvSeparator.length(), end));
                    }
                }
                start = end + entrySeparator.length();
            }
            return Double.NaN;
        }
        throw new BadValue("expected a map, got " + describe(map));
    }

    /**
     * Whether a map- or set-valued field contains {@code key}: a Map's keys, a List's elements, or a
     * String of entries (each "key" or, with a kv separator, "key:value").
     */
    static boolean containsKey(Object container, String key, String entrySeparator, String kvSeparator) {
        if (container instanceof Map<?, ?> m) {
            if (m.containsKey(key)) {
                return true;
            }
            for (Object k : m.keySet()) {
                if (!(k instanceof String) && canonical(k).equals(key)) {
                    return true;
                }
            }
            return false;
        }
        if (container instanceof List<?> list) {
            for (Object element : list) {
                if (!isMissing(element) && canonical(element).equals(key)) {
                    return true;
                }
            }
            return false;
        }
        if (container instanceof String s) {
            int start = 0;
            while (start < s.length()) {
                int end = s.indexOf(entrySeparator, start);
                if (end < 0) {
                    end = s.length();
                }
                int keyEnd = end;
                if (kvSeparator != null) {
                    int kv = s.indexOf(kvSeparator, start);
                    if (kv >= 0 && kv < end) {
                        keyEnd = kv;
                    }
                }
                if (keyEnd - start == key.length() && s.regionMatches(start, key, 0, key.length())) {
                    return true;
                }
                start = end + entrySeparator.length();
            }
            return false;
        }
        throw new BadValue("expected a map, list or separated string, got " + describe(container));
    }

    static String describe(Object value) {
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        return value.getClass().getSimpleName() + " " + value;
    }
}

package org.recspark.features;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reading raw values the same way offline and online. The canonical string of a value is what
 * gets hashed or looked up: integral numbers print as decimal integers (123, 123L, 123.0, 123.0f,
 * BigDecimal 123.00 and "123" are the same id, since Spark may hand over a Long or a decimal where a
 * service holds a String), other numbers as {@link Double#toString} ({@link Float#toString} for
 * floats, so 0.1f is "0.1"), booleans as true/false, strings as they are.
 */
final class RawValues {
    /** Doubles in [-2^63, 2^63) with an integral value print exactly as the equal long. */
    private static final double LONG_RANGE = 0x1p63;
    /** Longer values are cut in error messages (a 50-long sequence is still shown whole). */
    private static final int MAX_DESCRIBED = 500;

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
        if (value instanceof Float f) {
            return isIntegral(f) ? Long.toString(f.longValue()) : Float.toString(f);
        }
        if (value instanceof BigDecimal d) {
            BigDecimal stripped = d.stripTrailingZeros();
            return stripped.scale() <= 0 ? stripped.toBigInteger().toString() : canonicalDouble(d.doubleValue());
        }
        if (value instanceof BigInteger i) {
            return i.toString();
        }
        if (value instanceof Number n) {
            return canonicalDouble(n.doubleValue());
        }
        if (value instanceof Boolean b) {
            return b ? "true" : "false";
        }
        throw new BadValue("expected a single value, got " + describe(value));
    }

    private static String canonicalDouble(double x) {
        return isIntegral(x) ? Long.toString((long) x) : Double.toString(x);
    }

    private static boolean isIntegral(double x) {
        return x == Math.rint(x) && x >= -LONG_RANGE && x < LONG_RANGE;
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

    static double finite(double x) {
        if (!Double.isFinite(x)) {
            throw new BadValue("expected a finite number, got " + x);
        }
        return x;
    }

    /**
     * Calls {@code action} with the canonical string of each value of a multi-valued field: a List
     * or array, a String split on {@code separator} (empty tokens skipped), or a single scalar.
     */
    static void forEachToken(Object value, String separator, Consumer<String> action) {
        if (value instanceof String s) {
            int start = 0;
            while (true) {
                int end = tokenEnd(s, separator, start);
                if (end > start) {
                    action.accept(s.substring(start, end));
                }
                if (end == s.length()) {
                    return;
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
            forEachToken(Arrays.asList(array), separator, action);
        } else {
            action.accept(canonical(value));
        }
    }

    /** Receives a token as a range of a string, so a caller that only hashes it needs no substring. */
    @FunctionalInterface
    interface TokenRange {
        void accept(String s, int from, int to);
    }

    /**
     * {@link #forEachToken} handing each token over as a range: tokens of a String are ranges of
     * it, any other token is its whole canonical string.
     */
    static void forEachTokenRange(Object value, String separator, TokenRange action) {
        if (value instanceof String s) {
            int start = 0;
            while (true) {
                int end = tokenEnd(s, separator, start);
                if (end > start) {
                    action.accept(s, start, end);
                }
                if (end == s.length()) {
                    return;
                }
                start = end + separator.length();
            }
        }
        forEachToken(value, separator, token -> action.accept(token, 0, token.length()));
    }

    /**
     * Where the token of {@code s} starting at {@code start} ends: at the next separator, else at the
     * end. An empty separator splits nothing (the validator should reject one; this keeps it from looping).
     */
    static int tokenEnd(String s, String separator, int start) {
        int end = separator.isEmpty() ? -1 : s.indexOf(separator, start);
        return end < 0 ? s.length() : end;
    }

    /**
     * A map-valued field as canonical key -> finite number: a Map (null values are absent keys), or
     * a String of entries "k1:v1|k2:v2" (empty entries skipped). The whole map is checked, not only
     * the keys looked up, so a malformed map is bad whichever key a row asks for.
     */
    static Map<String, Double> numericMap(Object value, String entrySeparator, String kvSeparator) {
        Map<String, Double> out = new HashMap<>();
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getKey() != null && e.getValue() != null) {
                    putOnce(out, canonical(e.getKey()), finite(number(e.getValue())));
                }
            }
            return out;
        }
        if (!(value instanceof String s)) {
            throw new BadValue("expected a map, got " + describe(value));
        }
        int start = 0;
        while (start < s.length()) {
            int end = tokenEnd(s, entrySeparator, start);
            if (end > start) {
                int kv = s.indexOf(kvSeparator, start);
                if (kv <= start || kv >= end) {
                    throw new BadValue("map entry '" + s.substring(start, end) + "' is not key" + kvSeparator + "value");
                }
                putOnce(out, s.substring(start, kv), finite(number(s.substring(kv + kvSeparator.length(), end))));
            }
            start = end + entrySeparator.length();
        }
        return out;
    }

    private static void putOnce(Map<String, Double> map, String key, double value) {
        if (map.putIfAbsent(key, value) != null) {
            throw new BadValue("map key '" + key + "' appears twice");
        }
    }

    /**
     * The keys of a map- or set-valued field, canonical: a Map's keys, a List's (or array's)
     * elements, or a String of entries, each "key" or, with a kv separator, "key:value".
     */
    static Set<String> keySet(Object value, String entrySeparator, String kvSeparator) {
        Set<String> out = new HashSet<>();
        if (value instanceof Map<?, ?> map) {
            for (Object key : map.keySet()) {
                if (!isMissing(key)) {
                    out.add(canonical(key));
                }
            }
            return out;
        }
        if (value instanceof List<?> || value instanceof Object[]) {
            forEachToken(value, entrySeparator, out::add);
            return out;
        }
        if (!(value instanceof String s)) {
            throw new BadValue("expected a map, list or separated string, got " + describe(value));
        }
        int start = 0;
        while (start < s.length()) {
            int end = tokenEnd(s, entrySeparator, start);
            int keyEnd = end;
            if (kvSeparator != null) {
                int kv = s.indexOf(kvSeparator, start);
                if (kv >= 0 && kv < end) {
                    keyEnd = kv;
                }
            }
            if (keyEnd > start) {
                out.add(s.substring(start, keyEnd));
            }
            start = end + entrySeparator.length();
        }
        return out;
    }

    /** A value for an error message: quoted if a String, else with its type; long values shortened. */
    static String describe(Object value) {
        String text;
        if (value == null) {
            text = "null";
        } else if (value instanceof String s) {
            text = "'" + s + "'";
        } else if (value instanceof float[] floats) {
            text = "float[] " + Arrays.toString(floats);
        } else if (value instanceof double[] doubles) {
            text = "double[] " + Arrays.toString(doubles);
        } else if (value instanceof Object[] array) {
            text = "array " + Arrays.toString(array);
        } else {
            text = value.getClass().getSimpleName() + " " + value;
        }
        return text.length() <= MAX_DESCRIBED ? text : text.substring(0, MAX_DESCRIBED) + "... (" + text.length() + " chars)";
    }
}

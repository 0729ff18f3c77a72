package org.recspark.config;

/** Formatting of field paths and values in violation messages. */
public final class ConfigPaths {
    private ConfigPaths() {}

    static String child(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    static String index(String path, String field, int i) {
        return child(path, field) + "[" + i + "]";
    }

    static String quote(Object value) {
        return value instanceof String ? "'" + value + "'" : String.valueOf(value);
    }

    /** Integral values without a trailing ".0", so "-5" reads as the user wrote it. */
    public static String number(Number value) {
        double x = value.doubleValue();
        if (x == Math.rint(x) && Math.abs(x) < 1e15) {
            return Long.toString((long) x);
        }
        return value.toString();
    }

    public static String number(double value) {
        return number(Double.valueOf(value));
    }
}

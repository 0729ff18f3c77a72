package org.recspark.sampledata;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Frappe context-aware CTR data in libFM format: "label idx:value ..." with label -1/1
 * (mapped to 0/1) and 10 one-hot fields whose indices are global. Train on
 * frappe.validation.libfm, test on frappe.test.libfm (../shared/data/README.md).
 */
public final class FrappeLibFm {
    public static final int FIELDS = 10;

    public record Row(float label, int[] indices, float[] values) {}

    private FrappeLibFm() {}

    public static List<Row> train(Path dir) {
        return read(dir.resolve("frappe.validation.libfm"));
    }

    public static List<Row> test(Path dir) {
        return read(dir.resolve("frappe.test.libfm"));
    }

    public static List<Row> read(Path file) {
        List<Row> rows = new ArrayList<>();
        MovieLens100k.forEachLine(file, StandardCharsets.US_ASCII, (line, n, f) -> rows.add(parse(line, n, f)));
        return rows;
    }

    static Row parse(String line, long n, Path file) {
        String[] tokens = line.trim().split("\\s+");
        if (tokens.length != FIELDS + 1) {
            throw new DataFormatException(file, n, "expected a label and " + FIELDS + " index:value pairs, got " + (tokens.length - 1) + " pairs");
        }
        float label;
        switch (tokens[0]) {
            case "1", "+1", "1.0" -> label = 1f;
            case "-1", "-1.0", "0" -> label = 0f;
            default -> throw new DataFormatException(file, n, "label must be -1 or 1, got '" + tokens[0] + "'");
        }
        int[] indices = new int[FIELDS];
        float[] values = new float[FIELDS];
        for (int k = 0; k < FIELDS; k++) {
            String token = tokens[k + 1];
            int colon = token.indexOf(':');
            try {
                if (colon <= 0) {
                    throw new NumberFormatException();
                }
                indices[k] = Integer.parseInt(token.substring(0, colon));
                values[k] = Float.parseFloat(token.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new DataFormatException(file, n, "pair " + (k + 1) + " must be index:value, got '" + token + "'");
            }
        }
        return new Row(label, indices, values);
    }
}

package org.recspark.sampledata;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The Frappe context-aware CTR data in libFM format: "label idx:value ..." with label -1 or 1
 * (read as 0 or 1) and {@value #FIELDS} one-hot fields whose indices are global and increase along a line
 * (each field owns a range of indices, in field order). Train on
 * frappe.validation.libfm, test on frappe.test.libfm (../shared/data/README.md).
 */
public final class FrappeLibFm {
    public static final int FIELDS = 10;
    public static final String TRAIN_FILE = "frappe.validation.libfm";
    public static final String TEST_FILE = "frappe.test.libfm";
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private FrappeLibFm() {}

    public static List<LibFmRow> train(Path dir) {
        return read(dir.resolve(TRAIN_FILE));
    }

    public static List<LibFmRow> test(Path dir) {
        return read(dir.resolve(TEST_FILE));
    }

    /** Every row of one file, in file order; a malformed line is a {@link DataFormatException}. */
    public static List<LibFmRow> read(Path file) {
        List<LibFmRow> rows = new ArrayList<>();
        NumberedLines.forEach(file, StandardCharsets.US_ASCII, (line, lineNumber) -> rows.add(parse(line, lineNumber, file)));
        return rows;
    }

    private static LibFmRow parse(String line, long lineNumber, Path file) {
        String[] tokens = WHITESPACE.split(line.strip());
        if (tokens.length != FIELDS + 1) {
            throw new DataFormatException(file, lineNumber, "expected a label and " + FIELDS + " index:value pairs, got "
                    + (tokens.length - 1) + " pairs");
        }
        float label = label(tokens[0], lineNumber, file);
        int[] indices = new int[FIELDS];
        float[] values = new float[FIELDS];
        for (int k = 0; k < FIELDS; k++) {
            String token = tokens[k + 1];
            int colon = token.indexOf(':');
            if (colon <= 0) {
                throw badPair(file, lineNumber, k, token);
            }
            try {
                indices[k] = Integer.parseInt(token.substring(0, colon));
                values[k] = Float.parseFloat(token.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw badPair(file, lineNumber, k, token);
            }
            if (indices[k] < 0 || !Float.isFinite(values[k])) {
                throw badPair(file, lineNumber, k, token);
            }
            // Each field owns its own range of global indices, in field order: an index not above the
            // previous one is a field given twice or pairs out of order, which would shift every later field.
            if (k > 0 && indices[k] <= indices[k - 1]) {
                throw new DataFormatException(file, lineNumber, "pair " + (k + 1) + " has index " + indices[k]
                        + ", not above pair " + k + "'s " + indices[k - 1] + ": each of the " + FIELDS
                        + " fields has one pair, in increasing index order (a field given twice, or pairs out of order)");
            }
        }
        return new LibFmRow(label, indices, values);
    }

    private static float label(String token, long lineNumber, Path file) {
        return switch (token) {
            case "1", "+1", "1.0", "+1.0" -> 1f;
            case "-1", "-1.0" -> 0f;
            default -> throw new DataFormatException(file, lineNumber, "label must be -1 or 1, got '" + token + "'");
        };
    }

    private static DataFormatException badPair(Path file, long lineNumber, int field, String token) {
        return new DataFormatException(file, lineNumber, "pair " + (field + 1)
                + " must be index:value with a non-negative integer index and a finite value, got '" + token + "'");
    }
}

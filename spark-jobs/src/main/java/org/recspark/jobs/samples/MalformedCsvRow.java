package org.recspark.jobs.samples;

import java.util.List;
import java.util.Locale;
import org.recspark.config.proto.FieldType;
import org.recspark.sampledata.CsvRecords;
import org.recspark.sampledata.DataFormatException;

/**
 * Why a CSV record that Spark's reader marked malformed does not parse, said the same way for every
 * record of the same fault so the rejects group by it: a quoting error, a field count other than the
 * header's, or the first column whose text is not of its declared type (the value is in the reject's
 * row). Spark says only that the record is corrupt; this re-reads the record's text by the rules
 * Spark read it with ({@link CsvRecords}, the same conversions for numbers and booleans).
 */
final class MalformedCsvRow implements MalformedRowReason {
    private static final long serialVersionUID = 1L;

    private final String delimiter;
    private final List<String> columns;
    private final List<FieldType> types;
    private final boolean multiLine;
    private final String countedBy;

    /**
     * @param columns the columns in file order, with their declared {@code types}
     * @param header whether the columns come from the file's header (else the schema gives them by position)
     */
    MalformedCsvRow(String delimiter, List<String> columns, List<FieldType> types, boolean multiLine, boolean header) {
        this.delimiter = delimiter;
        this.columns = List.copyOf(columns);
        this.types = List.copyOf(types);
        this.multiLine = multiLine;
        this.countedBy = header ? "the header has" : "the schema declares";
    }

    @Override
    public String reason(String record) {
        List<String> fields;
        try {
            fields = CsvRecords.fields(record, delimiter);
        } catch (DataFormatException e) {
            String hint = !multiLine && e.problem().contains("never closed")
                    ? " (a quoted line break needs source.multi_line: true; without it each line is read as a record)" : "";
            return "malformed row: " + e.problem() + hint;
        }
        if (fields.size() != columns.size()) {
            return "malformed row: " + fields.size() + " fields where " + countedBy + " " + columns.size();
        }
        for (int i = 0; i < fields.size(); i++) {
            String value = fields.get(i);
            // Spark reads an empty field as null, which the null checks judge.
            if (!value.isEmpty() && !parses(types.get(i), value)) {
                return "malformed row: column " + columns.get(i) + " is not " + MalformedRowReason.expected(types.get(i));
            }
        }
        return TableLoader.MALFORMED;
    }

    /** As Spark's CSV source converts text: Long.parseLong, Double.parseDouble (with NaN, Inf, -Inf), Boolean by name. */
    private static boolean parses(FieldType type, String value) {
        try {
            switch (type) {
                case INT64 -> Long.parseLong(value);
                case DOUBLE -> {
                    if (!List.of("NaN", "Inf", "-Inf").contains(value)) {
                        Double.parseDouble(value);
                    }
                }
                case BOOL -> {
                    String lower = value.toLowerCase(Locale.ROOT);
                    return lower.equals("true") || lower.equals("false");
                }
                case STRING, STRING_LIST, STRING_DOUBLE_MAP -> {
                    return true;
                }
            }
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

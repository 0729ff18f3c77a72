package org.recspark.jobs.samples;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.List;
import org.recspark.config.proto.FieldType;

/**
 * Why a JSON line that Spark's reader marked malformed does not parse: not a JSON object, or the
 * first declared key whose value is not of its column's type, as Spark's JSON source reads types
 * (an INT64 an integer literal within a long, a DOUBLE a number or "NaN"/"Infinity"/"-Infinity", a
 * BOOL true or false; a text column takes any value).
 */
final class MalformedJsonRow implements MalformedRowReason {
    private static final long serialVersionUID = 1L;
    private static final List<String> NON_FINITE = List.of("NaN", "Infinity", "+Infinity", "-Infinity");

    private final List<String> columns;
    private final List<FieldType> types;

    MalformedJsonRow(List<String> columns, List<FieldType> types) {
        this.columns = List.copyOf(columns);
        this.types = List.copyOf(types);
    }

    @Override
    public String reason(String record) {
        JsonObject object;
        try {
            JsonElement parsed = JsonParser.parseString(record);
            if (!parsed.isJsonObject()) {
                return "malformed row: not a JSON object";
            }
            object = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            return "malformed row: not a JSON object (" + e.getMessage() + ")";
        }
        for (int i = 0; i < columns.size(); i++) {
            JsonElement value = object.get(columns.get(i));
            if (value != null && !value.isJsonNull() && !holds(types.get(i), value)) {
                return "malformed row: column " + columns.get(i) + " is not " + MalformedRowReason.expected(types.get(i));
            }
        }
        return TableLoader.MALFORMED;
    }

    private static boolean holds(FieldType type, JsonElement value) {
        JsonPrimitive primitive = value.isJsonPrimitive() ? value.getAsJsonPrimitive() : null;
        return switch (type) {
            case INT64 -> primitive != null && primitive.isNumber() && isLong(primitive.getAsString());
            case DOUBLE -> primitive != null && (primitive.isNumber() || (primitive.isString() && NON_FINITE.contains(primitive.getAsString())));
            case BOOL -> primitive != null && primitive.isBoolean();
            case STRING, STRING_LIST, STRING_DOUBLE_MAP -> true;
        };
    }

    private static boolean isLong(String literal) {
        if (literal.contains(".") || literal.contains("e") || literal.contains("E")) {
            return false;
        }
        try {
            new BigDecimal(literal).longValueExact();
            return true;
        } catch (ArithmeticException | NumberFormatException e) {
            return false;
        }
    }
}

package org.recspark.serving;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.recspark.features.RawRecord;

/**
 * JSON objects of a request (protobuf {@link Struct}s) as the feature jar's raw records: numbers
 * become Doubles (the feature jar reads an integral double as the equal integer id), lists Lists,
 * objects Maps, null a missing field.
 */
final class StructRecords {
    private StructRecords() {
    }

    static RawRecord record(Struct struct) {
        if (struct.getFieldsCount() == 0) {
            return RawRecord.EMPTY;
        }
        Map<String, Object> fields = new HashMap<>(struct.getFieldsCount() * 2);
        struct.getFieldsMap().forEach((name, value) -> fields.put(name, value(value)));
        return RawRecord.of(fields);
    }

    private static Object value(Value value) {
        return switch (value.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> null;
            case NUMBER_VALUE -> value.getNumberValue();
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> value.getBoolValue();
            case LIST_VALUE -> list(value.getListValue());
            case STRUCT_VALUE -> map(value.getStructValue());
        };
    }

    private static List<Object> list(ListValue list) {
        List<Object> out = new ArrayList<>(list.getValuesCount());
        list.getValuesList().forEach(v -> out.add(value(v)));
        return out;
    }

    private static Map<String, Object> map(Struct struct) {
        Map<String, Object> out = new HashMap<>();
        struct.getFieldsMap().forEach((k, v) -> out.put(k, value(v)));
        return out;
    }
}

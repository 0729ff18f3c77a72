package org.recspark.serving;

import com.google.protobuf.Struct;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.recspark.config.proto.FieldSchema;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.TableInput;
import org.recspark.features.FeatureSpec;
import org.recspark.predictor.Predictor;

/**
 * The raw fields a request's user, context and item records may name for one model: every field
 * its features read on that side, and the columns of the tables the side comes from (the samples,
 * and the users or items table). Any other name is a typo or a field of another model; scoring it
 * as missing would answer with a plausible score for a request the client did not mean, so it is
 * refused naming the field.
 */
final class RequestFields {
    private final Set<String> user = new HashSet<>();
    private final Set<String> context = new HashSet<>();
    private final Set<String> item = new HashSet<>();

    private RequestFields() {
    }

    static RequestFields of(Predictor predictor) {
        RequestFields fields = new RequestFields();
        for (FeatureSpec spec : predictor.schema().features()) {
            for (String input : spec.inputs()) {
                int dot = input.indexOf('.');
                String side = dot < 0 ? "" : input.substring(0, dot);
                String name = input.substring(dot + 1);
                switch (side) {
                    case "user" -> fields.user.add(name);
                    case "context" -> fields.context.add(name);
                    case "item" -> fields.item.add(name);
                    default -> { }
                }
            }
        }
        InputConfig input = predictor.config().getInputConfig();
        for (Set<String> side : List.of(fields.user, fields.context, fields.item)) {
            addColumns(side, input.getSamples());
        }
        addColumns(fields.user, input.getUsers());
        addColumns(fields.item, input.getItems());
        return fields;
    }

    private static void addColumns(Set<String> names, TableInput table) {
        for (FieldSchema column : table.getSchemaList()) {
            names.add(column.getName());
        }
    }

    /** @throws RequestException naming {@code path.field} for a field of {@code record} the model does not know */
    void checkUser(Struct record) {
        String unknown = unknownField(record, user);
        if (unknown != null) {
            throw refusal("user", unknown, user);
        }
    }

    void checkContext(Struct record) {
        String unknown = unknownField(record, context);
        if (unknown != null) {
            throw refusal("context", unknown, context);
        }
    }

    void checkItem(Struct record, int index) {
        String unknown = unknownField(record, item);
        if (unknown != null) {
            // The item's path is built for the refusal only: a request checks every one of its items.
            throw refusal("items[" + index + "].record", unknown, item);
        }
    }

    /** The first field of {@code record} not in {@code known}, or null. */
    private static String unknownField(Struct record, Set<String> known) {
        for (String name : record.getFieldsMap().keySet()) {
            if (!known.contains(name)) {
                return name;
            }
        }
        return null;
    }

    private static RequestException refusal(String path, String name, Set<String> known) {
        return new RequestException(RequestError.UNKNOWN_FIELD, path + "." + name, "the model reads no field '" + name
                + "' there; its fields are " + new TreeSet<>(known));
    }
}

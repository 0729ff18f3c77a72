package org.recspark.serving;

import com.google.protobuf.Struct;
import java.util.Collection;
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
    private final Set<String> user = new TreeSet<>();
    private final Set<String> context = new TreeSet<>();
    private final Set<String> item = new TreeSet<>();

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
        for (Set<String> side : java.util.List.of(fields.user, fields.context, fields.item)) {
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
        check(record, user, "user");
    }

    void checkContext(Struct record) {
        check(record, context, "context");
    }

    void checkItem(Struct record, int index) {
        check(record, item, "items[" + index + "].record");
    }

    private static void check(Struct record, Collection<String> known, String path) {
        for (String name : record.getFieldsMap().keySet()) {
            if (!known.contains(name)) {
                throw new RequestException(RequestError.UNKNOWN_FIELD, path + "." + name, "the model reads no field '" + name
                        + "' there; its fields are " + known);
            }
        }
    }
}

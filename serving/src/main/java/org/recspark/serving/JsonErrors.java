package org.recspark.serving;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.recspark.serving.proto.ScoreRequest;

/**
 * A JSON body the protobuf JSON parser refused, as a {@link RequestException} naming the field at
 * fault. The parser's messages do not always name it ("Not an uint32 value"), so the field is found
 * by parsing the body's fields one at a time (down to {@code items[i].<field>}); this runs only
 * for refused bodies.
 */
final class JsonErrors {
    private static final Pattern UNKNOWN_FIELD = Pattern.compile("Cannot find field: (\\S+) in message (\\S+)");
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private JsonErrors() {
    }

    static RequestException of(Exception e, String body) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Matcher unknown = UNKNOWN_FIELD.matcher(message);
        if (unknown.find()) {
            return new RequestException(RequestError.MALFORMED_REQUEST, unknown.group(1), "no such field in "
                    + unknown.group(2).replace("recspark.serving.", ""));
        }
        JsonElement root;
        try {
            root = JsonParser.parseString(body);
        } catch (JsonParseException syntax) {
            return new RequestException(RequestError.MALFORMED_REQUEST, "", "not JSON: " + message);
        }
        if (!root.isJsonObject()) {
            return new RequestException(RequestError.MALFORMED_REQUEST, "", "expected a JSON object (a ScoreRequest), got " + kind(root));
        }
        return new RequestException(RequestError.MALFORMED_REQUEST, locate(root.getAsJsonObject()), message);
    }

    /** The first field of the request that fails to parse on its own; empty when none does alone. */
    private static String locate(JsonObject request) {
        for (Map.Entry<String, JsonElement> field : request.entrySet()) {
            JsonObject alone = new JsonObject();
            alone.add(field.getKey(), field.getValue());
            if (parses(alone)) {
                continue;
            }
            if (field.getKey().equals("items") && field.getValue().isJsonArray()) {
                JsonArray items = field.getValue().getAsJsonArray();
                for (int i = 0; i < items.size(); i++) {
                    String item = locateItem(items.get(i));
                    if (item != null) {
                        return "items[" + i + "]" + item;
                    }
                }
            }
            return field.getKey();
        }
        return "";
    }

    /** Where item {@code item} fails: "" for the item as a whole, ".<field>" for one of its fields, null when it parses. */
    private static String locateItem(JsonElement item) {
        if (parses(items(item))) {
            return null;
        }
        if (item.isJsonObject()) {
            for (Map.Entry<String, JsonElement> field : item.getAsJsonObject().entrySet()) {
                JsonObject alone = new JsonObject();
                alone.add(field.getKey(), field.getValue());
                if (!parses(items(alone))) {
                    return "." + field.getKey();
                }
            }
        }
        return "";
    }

    private static JsonObject items(JsonElement item) {
        JsonArray array = new JsonArray();
        array.add(item);
        JsonObject o = new JsonObject();
        o.add("items", array);
        return o;
    }

    private static boolean parses(JsonObject json) {
        try {
            PARSER.merge(json.toString(), ScoreRequest.newBuilder());
            return true;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return false;
        }
    }

    private static String kind(JsonElement e) {
        return e.isJsonArray() ? "an array" : e.isJsonNull() ? "null" : "a " + e.getAsJsonPrimitive().toString();
    }
}

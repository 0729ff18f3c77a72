package org.recspark.serving;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON body the protobuf JSON parser refused, as a {@link RequestException} naming the field
 * when the parser's message does (an unknown field, a value of the wrong type).
 */
final class JsonErrors {
    private static final Pattern UNKNOWN_FIELD = Pattern.compile("Cannot find field: (\\S+) in message (\\S+)");
    private static final Pattern BAD_VALUE = Pattern.compile("Failed to parse field[: ]+(\\S+?)[.,:]?\\s");

    private JsonErrors() {
    }

    static RequestException of(Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Matcher unknown = UNKNOWN_FIELD.matcher(message);
        if (unknown.find()) {
            return new RequestException(RequestError.MALFORMED_REQUEST, unknown.group(1), "no such field in "
                    + unknown.group(2).replace("recspark.serving.", ""));
        }
        Matcher bad = BAD_VALUE.matcher(message + " ");
        if (bad.find()) {
            return new RequestException(RequestError.MALFORMED_REQUEST, bad.group(1), message);
        }
        return new RequestException(RequestError.MALFORMED_REQUEST, "", "not a JSON ScoreRequest: " + message);
    }
}

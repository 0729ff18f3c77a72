package org.recspark.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads JSON as RFC 8259 defines it, where Gson's tree parser (and so protobuf's JsonFormat) is
 * lenient: comments, unquoted or single-quoted names and strings, trailing commas, NaN/Infinity
 * literals and trailing content are syntax errors, and a name given twice in one object is an
 * error instead of "the last one wins". Every duplicate name is reported, each with its line and
 * column; a syntax error ends the reading and is reported with its own.
 */
final class StrictJson {
    private static final Pattern GSON_LOCATION = Pattern.compile(" at line (\\d+) column (\\d+) path (\\S*)");

    private final String text;
    private final String source;
    private final List<Violation> duplicates = new ArrayList<>();

    private StrictJson(String text, String source) {
        this.text = text;
        this.source = source;
    }

    /** A JSON value and the names given twice in one of its objects, each with its location. */
    record Parsed(JsonElement value, List<Violation> duplicateNames) {}

    /**
     * The JSON value of {@code text}, with every name given twice in one object.
     *
     * @throws ConfigException naming the syntax error and its location
     */
    static Parsed parse(String text, String source) {
        return new StrictJson(text, source).read();
    }

    private Parsed read() {
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        JsonElement value;
        try {
            value = readValue(reader);
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new ConfigException(source, List.of(syntaxError(e)));
        }
        if (!atEnd(reader)) {
            throw new ConfigException(source, List.of(new Violation(location(reader),
                    "malformed JSON: more content after the top-level value")));
        }
        return new Parsed(value, List.copyOf(duplicates));
    }

    /** Strict Gson refuses a second top-level value outright; either way it is more than one document. */
    private static boolean atEnd(JsonReader reader) {
        try {
            return reader.peek() == JsonToken.END_DOCUMENT;
        } catch (IOException e) {
            return false;
        }
    }

    private JsonElement readValue(JsonReader reader) throws IOException {
        switch (reader.peek()) {
            case BEGIN_OBJECT -> {
                JsonObject object = new JsonObject();
                Map<String, String> firstAt = new HashMap<>();
                reader.beginObject();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    String here = nameStart(reader, name);
                    String first = firstAt.putIfAbsent(name, here);
                    if (first != null) {
                        duplicates.add(new Violation(source + ":" + here, fieldPath(reader) + ": name '" + name
                                + "' given more than once in one object (first at " + first + ")"));
                    }
                    object.add(name, readValue(reader));
                }
                reader.endObject();
                return object;
            }
            case BEGIN_ARRAY -> {
                JsonArray array = new JsonArray();
                reader.beginArray();
                while (reader.hasNext()) {
                    array.add(readValue(reader));
                }
                reader.endArray();
                return array;
            }
            case STRING -> {
                return new JsonPrimitive(reader.nextString());
            }
            case NUMBER -> {
                return new JsonPrimitive(new BigDecimal(reader.nextString()));
            }
            case BOOLEAN -> {
                return new JsonPrimitive(reader.nextBoolean());
            }
            case NULL -> {
                reader.nextNull();
                return JsonNull.INSTANCE;
            }
            default -> throw new IllegalStateException("unexpected " + reader.peek() + location(reader));
        }
    }

    /**
     * Gson names the point just after the offending character, or the character itself when it
     * stopped before it (an unquoted literal); we name the character and say what it is.
     */
    private Violation syntaxError(Exception e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Matcher m = GSON_LOCATION.matcher(message);
        if (!m.find()) {
            return new Violation(source, "malformed JSON: " + message.lines().findFirst().orElse(message));
        }
        int line = Integer.parseInt(m.group(1));
        int reported = Integer.parseInt(m.group(2));
        for (int column : new int[]{Math.max(1, reported - 1), reported}) {
            String what = describe(offsetOf(line, column));
            if (what != null) {
                return new Violation(source + ":" + line + ":" + column, "malformed JSON: " + what);
            }
        }
        String gsonWords = message.substring(0, m.start()).replaceFirst("^.*MalformedJsonException: ", "");
        return new Violation(source + ":" + line + ":" + Math.max(1, reported - 1), "malformed JSON: "
                + (gsonWords.startsWith("Use JsonReader.setStrictness") ? "not valid JSON here" : gsonWords));
    }

    /** What is wrong at this index, or null when it is none of the usual departures from JSON. */
    private String describe(int offset) {
        String rest = text.substring(offset);
        String before = text.substring(0, offset).stripTrailing();
        if (rest.startsWith("/") || rest.startsWith("#")) {
            return "a comment; JSON has no comments";
        }
        if (rest.startsWith("'")) {
            return "a single-quoted string; JSON strings and names use double quotes";
        }
        if ((rest.startsWith("]") || rest.startsWith("}")) && before.endsWith(",")) {
            return "a trailing comma before '" + rest.charAt(0) + "'";
        }
        if (rest.startsWith("NaN") || rest.startsWith("Infinity") || rest.startsWith("-Infinity")) {
            return "NaN and Infinity are not JSON numbers";
        }
        if (!rest.isEmpty() && (Character.isLetter(rest.charAt(0)) || rest.charAt(0) == '_')) {
            return "unquoted text '" + rest.split("[^A-Za-z0-9_.$-]", 2)[0] + "'; JSON strings and names use double quotes";
        }
        return null;
    }

    /** The index in the text of a 1-based line and column, as Gson counts them (lines end at line feeds). */
    private int offsetOf(int line, int column) {
        int offset = 0;
        for (int l = 1; l < line && offset >= 0; l++) {
            offset = text.indexOf('\n', offset) + 1;
        }
        return Math.min(text.length(), Math.max(0, offset) + column - 1);
    }

    private static String lineColumn(JsonReader reader) {
        Matcher m = GSON_LOCATION.matcher(reader.toString());
        return m.find() ? m.group(1) + ":" + m.group(2) : "?";
    }

    /** Gson stands just after the quoted name; the name starts its length and two quotes before. */
    private static String nameStart(JsonReader reader, String name) {
        Matcher m = GSON_LOCATION.matcher(reader.toString());
        return m.find() ? m.group(1) + ":" + Math.max(1, Integer.parseInt(m.group(2)) - name.length() - 2) : "?";
    }

    private String location(JsonReader reader) {
        return source + ":" + lineColumn(reader);
    }

    /** Gson's "$.a.b[2].c" as the field path the rest of the parser reports, "a.b[2].c". */
    private static String fieldPath(JsonReader reader) {
        String path = reader.getPath();
        return path.startsWith("$.") ? path.substring(2) : path.equals("$") ? "" : path.substring(1);
    }
}

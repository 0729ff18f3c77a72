package org.recspark.hpo.space;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.recspark.config.ConfigException;
import org.recspark.config.FieldPath;
import org.recspark.config.Violation;

/**
 * Sets one field of a config message by its path, the way a search space names it:
 * {@code model_config.deepfm.dnn.dropout}, {@code feature_config.features[2].id.hash_bucket_size},
 * {@code model_config.deepfm.dnn.hidden_units} with {@code "[64, 32]"}.
 *
 * <p>Values are protobuf text format for the target field: numbers, {@code true}/{@code false},
 * enum names ({@code RELU}), strings (quoted or, for a single string field, as they are), lists
 * {@code [..]} for a repeated field without an index (the list replaces the field), and a message's
 * fields ({@code "hidden_units: [64] dropout: 0.1"}, braces optional) for a message field.
 * Intermediate messages that are unset are created; an element of a repeated field must exist.
 * A path may not descend through a oneof member while another member of that oneof is set (that
 * would silently replace, say, a {@code dcn_v2} model by a {@code deepfm} holding only the searched
 * field); naming the member as the last segment sets it whole, which is an explicit choice.
 *
 * <p>The path syntax is {@link FieldPath}'s. Every error is a {@link ConfigException} whose violation names the full path
 * and the value.
 */
public final class ConfigPathSetter {
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");
    private static final Pattern LOCATION_PREFIX = Pattern.compile("^\\d+:\\d+: ");

    private ConfigPathSetter() {}

    /** Returns a copy of {@code message} with the field at {@code path} set to {@code value}. */
    @SuppressWarnings("unchecked")
    public static <M extends Message> M set(M message, String path, String value) {
        if (path == null || path.isEmpty()) {
            throw error(String.valueOf(path), "empty field path");
        }
        Message.Builder root = message.toBuilder();
        setIn(root, FieldPath.parse(path), 0, value);
        return (M) root.build();
    }

    private static void setIn(Message.Builder builder, FieldPath fieldPath, int s, String value) {
        String path = fieldPath.text();
        FieldPath.Segment segment = fieldPath.segment(s).orElseThrow(
                () -> error(path, "'" + fieldPath.part(s) + "' is not a field name with an optional [index]"));
        Descriptor type = builder.getDescriptorForType();
        String name = segment.name();
        FieldDescriptor field = type.findFieldByName(name);
        if (field == null) {
            throw error(path, "no field '" + name + "' in " + type.getName() + " (fields: " + fieldNames(type) + ")");
        }
        if (field.isMapField()) {
            throw error(path, "'" + name + "' is a map field; maps cannot be searched by path");
        }
        boolean last = s == fieldPath.size() - 1;
        boolean message = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
        if (segment.index().isPresent()) {
            String digits = segment.index().get();
            if (!field.isRepeated()) {
                throw error(path, "'" + name + "' is not a repeated field; it cannot be indexed with [" + digits + "]");
            }
            int index = parseIndex(digits, path);
            int count = builder.getRepeatedFieldCount(field);
            if (index >= count) {
                throw error(path, "index " + index + " is out of range: '" + name + "' has " + count
                        + (count == 1 ? " element" : " elements"));
            }
            if (last) {
                builder.setRepeatedField(field, index, parseSingle(builder, field, value, path));
            } else if (message) {
                setIn(builder.getRepeatedFieldBuilder(field, index), fieldPath, s + 1, value);
            } else {
                throw error(path, "'" + name + "[" + index + "]' is " + article(typeName(field)) + ", it has no field '" + fieldPath.part(s + 1) + "'");
            }
            return;
        }
        if (field.isRepeated()) {
            if (!last) {
                throw error(path, "'" + name + "' is a repeated field: index it, e.g. " + name + "[0]");
            }
            List<Object> values = parseList(builder, field, value, path);
            builder.clearField(field);
            for (Object v : values) {
                builder.addRepeatedField(field, v);
            }
            return;
        }
        if (last) {
            builder.setField(field, parseSingle(builder, field, value, path));
            return;
        }
        if (!message) {
            throw error(path, "'" + name + "' is " + article(typeName(field)) + ", it has no field '" + fieldPath.part(s + 1) + "'");
        }
        OneofDescriptor oneof = field.getRealContainingOneof();
        if (oneof != null && builder.hasOneof(oneof) && !builder.getOneofFieldDescriptor(oneof).equals(field)) {
            String held = builder.getOneofFieldDescriptor(oneof).getName();
            throw error(path, "the oneof '" + oneof.getName() + "' of " + type.getName() + " holds '" + held + "', not '" + name
                    + "': search fields under '" + held + "', or set '" + name + "' as a whole message");
        }
        setIn(builder.getFieldBuilder(field), fieldPath, s + 1, value);
    }

    private static int parseIndex(String digits, String path) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw error(path, "index " + digits + " is too large");
        }
    }

    private static Object parseSingle(Message.Builder parent, FieldDescriptor field, String value, String path) {
        String text = value.trim();
        switch (field.getJavaType()) {
            case INT -> {
                long v = parseInteger(field, text, path);
                boolean unsigned = field.getType() == FieldDescriptor.Type.UINT32 || field.getType() == FieldDescriptor.Type.FIXED32;
                long lo = unsigned ? 0 : Integer.MIN_VALUE;
                long hi = unsigned ? 0xFFFF_FFFFL : Integer.MAX_VALUE;
                if (v < lo || v > hi) {
                    throw error(path, "expects an integer (" + typeName(field) + "), got '" + value + "' (out of range)");
                }
                return (int) v;
            }
            case LONG -> {
                return parseInteger(field, text, path);
            }
            case FLOAT -> {
                return (float) parseReal(field, text, path);
            }
            case DOUBLE -> {
                return parseReal(field, text, path);
            }
            case BOOLEAN -> {
                if (text.equals("true") || text.equals("false")) {
                    return Boolean.parseBoolean(text);
                }
                throw error(path, "expects true or false, got '" + value + "'");
            }
            case STRING -> {
                return unquote(parent, field, text, path);
            }
            case ENUM -> {
                EnumValueDescriptor e = field.getEnumType().findValueByName(text);
                if (e == null) {
                    List<String> names = field.getEnumType().getValues().stream().map(EnumValueDescriptor::getName).toList();
                    throw error(path, "expects one of " + names + " (" + field.getEnumType().getName() + "), got '" + value + "'");
                }
                return e;
            }
            case MESSAGE -> {
                String body = text.startsWith("{") && text.endsWith("}") ? text.substring(1, text.length() - 1) : text;
                Message.Builder child = parent.newBuilderForField(field);
                try {
                    TextFormat.Parser.newBuilder().build().merge(body, child);
                } catch (TextFormat.ParseException e) {
                    throw error(path, "expects " + field.getMessageType().getName() + " fields in text format, got '" + value + "': "
                            + cleanMessage(e));
                }
                return child.build();
            }
            case BYTE_STRING -> throw error(path, "'" + field.getName() + "' is a bytes field; bytes cannot be searched");
            default -> throw new IllegalStateException("unhandled field type " + field.getJavaType());
        }
    }

    private static long parseInteger(FieldDescriptor field, String text, String path) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw error(path, "expects an integer (" + typeName(field) + "), got '" + text + "'");
        }
    }

    private static double parseReal(FieldDescriptor field, String text, String path) {
        // Double.parseDouble also reads "1d", "0x1p3" and "NaN"; configs are text format, so only plain decimal numbers count.
        if (!DECIMAL.matcher(text).matches()) {
            throw error(path, "expects a number (" + typeName(field) + "), got '" + text + "'");
        }
        return Double.parseDouble(text);
    }

    /** A single string may be given bare ("user_id") or quoted as in text format ("\"user_id\""), escapes and all. */
    private static String unquote(Message.Builder parent, FieldDescriptor field, String text, String path) {
        boolean quoted = text.length() >= 2 && (text.charAt(0) == '"' || text.charAt(0) == '\'')
                && text.charAt(text.length() - 1) == text.charAt(0);
        if (!quoted) {
            return text;
        }
        Message.Builder scratch = parent.getDefaultInstanceForType().newBuilderForType();
        try {
            TextFormat.Parser.newBuilder().build().merge(field.getName() + ": " + text, scratch);
        } catch (TextFormat.ParseException e) {
            throw error(path, "expects a string, got " + text + ": " + cleanMessage(e));
        }
        return (String) (field.isRepeated() ? scratch.getRepeatedField(field, 0) : scratch.getField(field));
    }

    /** A list in text format, parsed by TextFormat itself as "field: [..]" so every element type follows its rules. */
    private static List<Object> parseList(Message.Builder parent, FieldDescriptor field, String value, String path) {
        String text = value.trim();
        if (!(text.startsWith("[") && text.endsWith("]"))) {
            throw error(path, "'" + field.getName() + "' is a repeated " + typeName(field) + " field: expects a list in text format like "
                    + example(field) + ", got '" + value + "'");
        }
        Message.Builder scratch = parent.getDefaultInstanceForType().newBuilderForType();
        try {
            TextFormat.Parser.newBuilder().build().merge(field.getName() + ": " + text, scratch);
        } catch (TextFormat.ParseException e) {
            throw error(path, "expects a list of " + typeName(field) + " in text format, got '" + value + "': " + cleanMessage(e));
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < scratch.getRepeatedFieldCount(field); i++) {
            out.add(scratch.getRepeatedField(field, i));
        }
        return out;
    }

    private static String example(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case MESSAGE -> "[{ ... }, { ... }]";
            case STRING -> "[\"a\", \"b\"]";
            case ENUM -> "[" + field.getEnumType().getValues().get(0).getName() + "]";
            case BOOLEAN -> "[true, false]";
            default -> "[64, 32]";
        };
    }

    private static String typeName(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case MESSAGE -> field.getMessageType().getName() + " message";
            case ENUM -> field.getEnumType().getName() + " enum";
            default -> field.getType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String article(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    private static String fieldNames(Descriptor type) {
        return String.join(", ", type.getFields().stream().map(FieldDescriptor::getName).toList());
    }

    private static String cleanMessage(TextFormat.ParseException e) {
        return LOCATION_PREFIX.matcher(String.valueOf(e.getMessage())).replaceFirst("");
    }

    private static ConfigException error(String path, String message) {
        return new ConfigException(List.of(new Violation(path, message)));
    }
}

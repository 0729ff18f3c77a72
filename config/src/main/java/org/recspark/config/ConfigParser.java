package org.recspark.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.google.protobuf.TextFormatParseInfoTree;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.storage.Locations;

/**
 * Reads a {@link PipelineConfig} strictly from protobuf text format or JSON: unknown fields are
 * errors, and all of them are reported at once with their location. {@link #load} also validates,
 * and reports the unknown fields together with every invalid value of the rest of the file.
 */
public final class ConfigParser {
    private static final Pattern UNKNOWN_FIELD_LINE = Pattern.compile("^(\\d+):(\\d+):\\s+(\\S+)\\.([A-Za-z0-9_]+)$");
    private static final Pattern LOCATION_PREFIX = Pattern.compile("^\\d+:\\d+: ");
    /** A field name and its colon just before a value (and the opening bracket of a list). */
    private static final Pattern FIELD_BEFORE_VALUE = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*:\\s*(\\[[^\\]]*)?$");
    /** TextFormat's and JsonFormat's words for an enum value the schema does not have. */
    private static final Pattern UNKNOWN_ENUM_VALUE = Pattern.compile(
            "Enum type \"([\\w.]+)\" has no value named|Invalid enum value: .* for enum type: ([\\w.]+)");

    private ConfigParser() {}

    /**
     * Parses and validates a config file; the format follows the extension ({@code .json}, else text
     * format). Its locations must lie in its directory tree or an allowed prefix ({@link LocationConfinement}).
     */
    public static PipelineConfig load(Path file) {
        Parsed parsed = read(file);
        List<Violation> violations = new ArrayList<>(parsed.problems());
        violations.addAll(violations(parsed.config(), Locations.parentOf(file)));
        if (!violations.isEmpty()) {
            throw new ConfigException(file.toString(), violations);
        }
        return parsed.config();
    }

    /**
     * A config file read to its end: {@code config} holds every field the schema knows, and
     * {@code problems} the ones that did not stop the reading (unknown fields, left out of
     * {@code config}; a field given twice), so that a caller validating {@code config} can report
     * them together with its invalid values instead of one round of fixes at a time.
     */
    public record Parsed(PipelineConfig config, List<Violation> problems) {
        public Parsed {
            problems = List.copyOf(problems);
        }
    }

    /**
     * Reads a config file without semantic validation; see {@link Parsed}.
     *
     * @throws ConfigException if the file cannot be read, or its syntax or a value's type is wrong
     *     (the parse stops there, so nothing after it is known)
     */
    public static Parsed read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of(new Violation(file.toString(), "cannot read config file: " + whyUnreadable(file, e))));
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) {
            return readJson(text, file.toString());
        }
        PipelineConfig.Builder builder = PipelineConfig.newBuilder();
        List<Violation> problems = mergeTextToTheEnd(text, builder, file.toString());
        return new Parsed(builder.build(), problems);
    }

    /**
     * Every violation of a parsed config whose locations resolve against {@code configDir}: its
     * validation ({@link ConfigValidator}) and where its locations lie ({@link LocationConfinement}).
     */
    public static List<Violation> violations(PipelineConfig config, Path configDir) {
        List<Violation> violations = new ArrayList<>(ConfigValidator.validate(config));
        violations.addAll(LocationConfinement.check(config, configDir));
        return violations;
    }

    /**
     * Parses several config files as layers and validates the result: each top-level section
     * (input_config, feature_config, model_config, ...) set in a later file replaces the whole
     * section of the earlier ones. A base pipeline plus a file holding only a model_config gives a
     * variant with another model and the same data and features. Every location, and
     * {@code allowed_paths}, resolves against the first file's directory.
     */
    public static PipelineConfig loadLayered(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no config files");
        }
        PipelineConfig.Builder merged = PipelineConfig.newBuilder();
        for (Path file : files) {
            PipelineConfig layer = parseFile(file);
            for (var field : layer.getAllFields().entrySet()) {
                merged.setField(field.getKey(), field.getValue());
            }
        }
        PipelineConfig config = merged.build();
        List<Violation> violations = new ArrayList<>(ConfigValidator.validate(config));
        violations.addAll(LocationConfinement.check(config, Locations.parentOf(files.get(0))));
        if (!violations.isEmpty()) {
            throw new ConfigException(files.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(" + ")), violations);
        }
        return config;
    }

    /** Parses without semantic validation; throws {@link ConfigException} on syntax errors or unknown fields. */
    public static PipelineConfig parseFile(Path file) {
        Parsed parsed = read(file);
        if (!parsed.problems().isEmpty()) {
            throw new ConfigException(file.toString(), parsed.problems());
        }
        return parsed.config();
    }

    /** What stopped a config file from being read, in the user's terms rather than the exception's class. */
    private static String whyUnreadable(Path file, IOException e) {
        if (Files.isDirectory(file)) {
            return "it is a directory; give the config file inside it";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied (" + e.getMessage() + ")";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text (" + e + "); save it as UTF-8";
        }
        return e.toString();
    }

    public static PipelineConfig parseText(String text, String source) {
        PipelineConfig.Builder builder = PipelineConfig.newBuilder();
        mergeText(text, builder, source);
        return builder.build();
    }

    /**
     * Merges text format into any config message as strictly as {@link #parseText}: unknown fields,
     * a singular field given twice and two members of a oneof are all reported at once.
     */
    public static void mergeText(String text, Message.Builder builder, String source) {
        List<Violation> violations = mergeTextToTheEnd(text, builder, source);
        if (!violations.isEmpty()) {
            throw new ConfigException(source, violations);
        }
    }

    /**
     * Merges text format into {@code builder} and returns the problems found once the whole text
     * was read (unknown fields, a field given twice); throws for any other, which stops the parse.
     */
    private static List<Violation> mergeTextToTheEnd(String text, Message.Builder builder, String source) {
        TextFormatParseInfoTree.Builder tree = TextFormatParseInfoTree.builder();
        List<Violation> violations = new ArrayList<>();
        try {
            TextFormat.Parser.newBuilder().setParseInfoTreeBuilder(tree).build().merge(text, builder);
        } catch (TextFormat.ParseException e) {
            violations.addAll(textErrors(e, text, source, builder.getDescriptorForType()));
        }
        // unknown fields end the parse only once the whole text is read (and merged), so the tree is complete then
        if (!violations.stream().allMatch(v -> v.message().startsWith("unknown field"))) {
            throw new ConfigException(source, violations);
        }
        violations.addAll(RepeatedTextFields.find(tree.build(), builder.getDescriptorForType(), source));
        return violations;
    }

    public static PipelineConfig parseJson(String json, String source) {
        Parsed parsed = readJson(json, source);
        if (!parsed.problems().isEmpty()) {
            throw new ConfigException(source, parsed.problems());
        }
        return parsed.config();
    }

    private static Parsed readJson(String json, String source) {
        StrictJson.Parsed parsed = StrictJson.parse(json, source);
        JsonElement tree = parsed.value();
        if (!tree.isJsonObject()) {
            throw new ConfigException(source, List.of(new Violation(source, "expected a JSON object at the top level")));
        }
        List<Violation> problems = new ArrayList<>(parsed.duplicateNames());
        // The known fields are parsed strictly (JsonFormat's ignoringUnknownFields would let an unknown enum value through too)
        JsonObject known = tree.getAsJsonObject().deepCopy();
        removeUnknownJsonFields(known, PipelineConfig.getDescriptor(), "", problems);
        PipelineConfig.Builder builder = PipelineConfig.newBuilder();
        try {
            JsonFormat.parser().merge(known.toString(), builder);
        } catch (InvalidProtocolBufferException e) {
            // a value of the wrong type or an unknown enum value stops the parse; reported with the problems found before it
            problems.add(new Violation(source, withEnumValues(e.getMessage(), PipelineConfig.getDescriptor())));
            throw new ConfigException(source, problems);
        }
        return new Parsed(builder.build(), problems);
    }

    /**
     * TextFormat already gathers every unknown field into one exception, one "line:column:\ttype.field"
     * line each; we turn those into separate violations so callers can list or count them.
     */
    private static List<Violation> textErrors(TextFormat.ParseException e, String text, String source, Descriptor root) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        List<Violation> unknown = new ArrayList<>();
        for (String line : message.split("\n")) {
            Matcher m = UNKNOWN_FIELD_LINE.matcher(line.trim());
            if (m.matches()) {
                unknown.add(new Violation(source + ":" + m.group(1) + ":" + m.group(2),
                        "unknown field '" + m.group(4) + "' in " + simpleName(m.group(3))));
            }
        }
        if (!unknown.isEmpty()) {
            return unknown;
        }
        String location = e.getLine() >= 0 ? source + ":" + e.getLine() + ":" + e.getColumn() : source;
        String problem = withEnumValues(LOCATION_PREFIX.matcher(message).replaceFirst(""), root);
        return List.of(new Violation(location, fieldAt(text, e.getLine(), e.getColumn()).map(f -> f + ": " + problem).orElse(problem)));
    }

    /**
     * The field whose value starts at 1-based {@code line}:{@code column} ({@code batch_size} in
     * {@code batch_size: "big"}), so that a value the parser refuses is named by its field too.
     */
    private static Optional<String> fieldAt(String text, int line, int column) {
        String[] lines = text.split("\n", -1);
        if (line < 1 || line > lines.length) {
            return Optional.empty();
        }
        String before = lines[line - 1].substring(0, Math.min(Math.max(column - 1, 0), lines[line - 1].length()));
        Matcher m = FIELD_BEFORE_VALUE.matcher(before);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** A parser's message about an unknown enum value, with the values the enum has: what was expected. */
    private static String withEnumValues(String message, Descriptor root) {
        Matcher m = UNKNOWN_ENUM_VALUE.matcher(message);
        if (!m.find()) {
            return message;
        }
        String enumName = m.group(1) != null ? m.group(1) : m.group(2);
        return findEnum(root, enumName, new HashSet<>())
                .map(type -> message + " (expected one of " + type.getValues().stream().map(EnumValueDescriptor::getName).toList() + ")")
                .orElse(message);
    }

    private static Optional<EnumDescriptor> findEnum(Descriptor type, String fullName, Set<String> visited) {
        if (!visited.add(type.getFullName())) {
            return Optional.empty();
        }
        for (FieldDescriptor field : type.getFields()) {
            if (field.getJavaType() == FieldDescriptor.JavaType.ENUM && field.getEnumType().getFullName().equals(fullName)) {
                return Optional.of(field.getEnumType());
            }
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                Optional<EnumDescriptor> found = findEnum(field.getMessageType(), fullName, visited);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private static String simpleName(String fullName) {
        return fullName.substring(fullName.lastIndexOf('.') + 1) + " (" + fullName + ")";
    }

    /**
     * Reports every unknown field of {@code object} at any depth, every field named twice (proto
     * and JSON name) and every second member of a oneof, and removes them, so that what remains
     * fails to parse only for a problem of its own.
     */
    private static void removeUnknownJsonFields(JsonObject object, Descriptor type, String path, List<Violation> out) {
        Map<FieldDescriptor, String> namedAs = new HashMap<>();
        Map<OneofDescriptor, String> oneofMember = new HashMap<>();
        List<String> reported = new ArrayList<>();
        for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
            String fieldPath = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
            FieldDescriptor field = findJsonField(type, entry.getKey());
            if (field == null) {
                out.add(new Violation(fieldPath, "unknown field '" + entry.getKey() + "' in " + simpleName(type.getFullName())));
                reported.add(entry.getKey());
                continue;
            }
            String other = namedAs.putIfAbsent(field, entry.getKey());
            if (other != null) {
                out.add(new Violation(fieldPath, "field '" + field.getName() + "' given twice, as '" + other
                        + "' and as '" + entry.getKey() + "'"));
                reported.add(entry.getKey());
            }
            OneofDescriptor oneof = field.getRealContainingOneof();
            if (oneof != null && !entry.getValue().isJsonNull()) {
                String first = oneofMember.putIfAbsent(oneof, entry.getKey());
                if (first != null && !first.equals(entry.getKey()) && other == null) {
                    out.add(new Violation(fieldPath, "'" + entry.getKey() + "' and '" + first
                            + "' are members of the same oneof '" + oneof.getName() + "'; give only one"));
                    reported.add(entry.getKey());
                }
            }
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isMapField()) {
                continue;
            }
            JsonElement value = entry.getValue();
            if (field.isRepeated() && value.isJsonArray()) {
                for (int i = 0; i < value.getAsJsonArray().size(); i++) {
                    JsonElement element = value.getAsJsonArray().get(i);
                    if (element.isJsonObject()) {
                        removeUnknownJsonFields(element.getAsJsonObject(), field.getMessageType(), fieldPath + "[" + i + "]", out);
                    }
                }
            } else if (value.isJsonObject()) {
                removeUnknownJsonFields(value.getAsJsonObject(), field.getMessageType(), fieldPath, out);
            }
        }
        reported.forEach(object::remove);
    }

    /** JsonFormat accepts both the proto field name and its lowerCamelCase JSON name. */
    private static FieldDescriptor findJsonField(Descriptor type, String name) {
        FieldDescriptor byName = type.findFieldByName(name);
        if (byName != null) {
            return byName;
        }
        for (FieldDescriptor field : type.getFields()) {
            if (field.getJsonName().equals(name)) {
                return field;
            }
        }
        return null;
    }
}

package org.recspark.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A dotted path to a field of a config message, as search spaces name the fields they vary:
 * {@code model_config.deepfm.dnn.dropout}, {@code feature_config.features[2].id.hash_bucket_size}.
 * Each dot-separated part is a field name with an optional {@code [index]} into a repeated field.
 * This class is the one place the syntax is read; {@link #problemIn} and {@link #fieldAt} resolve a
 * path against message types, and the search's setter walks the {@link #segment segments} of a
 * message it changes.
 */
public final class FieldPath {
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(?:\\[(\\d+)\\])?");

    /**
     * One part of a path that is a field name with an optional index.
     *
     * @param index the digits between the brackets as written (they may not fit an int), empty without brackets
     */
    public record Segment(String name, Optional<String> index) {}

    private final String text;
    private final List<String> parts;

    private FieldPath(String text, List<String> parts) {
        this.text = text;
        this.parts = parts;
    }

    /** Splits {@code text} at every dot; empty parts are kept, so that a stray dot is reported, not dropped. */
    public static FieldPath parse(String text) {
        return new FieldPath(text, Arrays.asList(text.split("\\.", -1)));
    }

    public String text() {
        return text;
    }

    /** How many dot-separated parts the path has. */
    public int size() {
        return parts.size();
    }

    /** The {@code i}-th part as written. */
    public String part(int i) {
        return parts.get(i);
    }

    /** The {@code i}-th part as a field name and index; empty when it is not one (such as {@code ""} or {@code a-b}). */
    public Optional<Segment> segment(int i) {
        Matcher m = SEGMENT.matcher(parts.get(i));
        return m.matches() ? Optional.of(new Segment(m.group(1), Optional.ofNullable(m.group(2)))) : Optional.empty();
    }

    /**
     * The field the last part names, following field types only (indices are not checked against any
     * message); empty when the path does not lead to a field of {@code root}.
     */
    public Optional<FieldDescriptor> fieldAt(Descriptor root) {
        Descriptor type = root;
        FieldDescriptor field = null;
        for (int i = 0; i < parts.size(); i++) {
            Optional<Segment> segment = segment(i);
            if (type == null || segment.isEmpty() || (field = type.findFieldByName(segment.get().name())) == null) {
                return Optional.empty();
            }
            type = messageType(field);
        }
        return Optional.ofNullable(field);
    }

    /** What keeps the path from naming a field of {@code root} (indices only where the field repeats); empty when it does. */
    public Optional<String> problemIn(Descriptor root) {
        Descriptor type = root;
        for (int i = 0; i < parts.size(); i++) {
            Optional<Segment> segment = segment(i);
            if (type == null || segment.isEmpty()) {
                return Optional.of("'" + text + "' does not name a config field: cannot descend into '" + parts.get(i) + "'");
            }
            String name = segment.get().name();
            FieldDescriptor field = type.findFieldByName(name);
            if (field == null) {
                return Optional.of("'" + text + "' does not name a config field: no field '" + name + "' in " + type.getName());
            }
            if (segment.get().index().isPresent() && !field.isRepeated()) {
                return Optional.of("'" + text + "' indexes '" + name + "', which is not a repeated field");
            }
            type = messageType(field);
        }
        return Optional.empty();
    }

    private static Descriptor messageType(FieldDescriptor field) {
        return field.getJavaType() == FieldDescriptor.JavaType.MESSAGE ? field.getMessageType() : null;
    }

    @Override
    public String toString() {
        return text;
    }
}

package org.recspark.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.TextFormatParseInfoTree;
import com.google.protobuf.TextFormatParseLocation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds what protobuf's text format would silently overwrite: a singular field given twice, or two
 * members of one oneof. Protobuf's own {@code FORBID_SINGULAR_OVERWRITES} stops at the first such
 * field; reading the parse tree instead lets the parser report every one, beside the unknown fields,
 * each at the line and column of its second occurrence.
 */
final class RepeatedTextFields {
    private RepeatedTextFields() {}

    static List<Violation> find(TextFormatParseInfoTree tree, Descriptor type, String source) {
        List<Violation> out = new ArrayList<>();
        walk(tree, type, "", source, out);
        return out;
    }

    private static void walk(TextFormatParseInfoTree tree, Descriptor type, String path, String source, List<Violation> out) {
        for (FieldDescriptor field : type.getFields()) {
            List<TextFormatParseLocation> locations = tree.getLocations(field);
            String fieldPath = ConfigPaths.child(path, field.getName());
            if (!field.isRepeated() && locations.size() > 1) {
                for (int i = 1; i < locations.size(); i++) {
                    out.add(new Violation(at(source, locations.get(i)), fieldPath + ": '" + field.getName()
                            + "' given more than once (first at " + lineColumn(locations.get(0)) + "); it is not a repeated field"));
                }
            }
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isMapField()) {
                List<TextFormatParseInfoTree> nested = tree.getNestedTrees(field);
                for (int i = 0; i < nested.size(); i++) {
                    String nestedPath = field.isRepeated() ? fieldPath + "[" + i + "]" : fieldPath;
                    walk(nested.get(i), field.getMessageType(), nestedPath, source, out);
                }
            }
        }
        for (OneofDescriptor oneof : type.getRealOneofs()) {
            List<FieldDescriptor> given = new ArrayList<>(oneof.getFields().stream()
                    .filter(member -> !tree.getLocations(member).isEmpty()).toList());
            given.sort(Comparator.comparing((FieldDescriptor member) -> tree.getLocations(member).get(0).getLine())
                    .thenComparing(member -> tree.getLocations(member).get(0).getColumn()));
            for (int i = 1; i < given.size(); i++) {
                FieldDescriptor member = given.get(i);
                out.add(new Violation(at(source, tree.getLocations(member).get(0)), ConfigPaths.child(path, member.getName())
                        + ": '" + member.getName() + "' and '" + given.get(0).getName() + "' (at "
                        + lineColumn(tree.getLocations(given.get(0)).get(0)) + ") are members of the same oneof '"
                        + oneof.getName() + "'; give only one"));
            }
        }
    }

    private static String at(String source, TextFormatParseLocation location) {
        return source + ":" + lineColumn(location);
    }

    /** The parse tree counts from 0; editors and the parser's own messages count from 1. */
    private static String lineColumn(TextFormatParseLocation location) {
        return (location.getLine() + 1) + ":" + (location.getColumn() + 1);
    }
}

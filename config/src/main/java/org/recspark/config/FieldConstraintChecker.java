package org.recspark.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.concurrent.ConcurrentHashMap;
import org.recspark.config.proto.Check;
import org.recspark.config.proto.Constraints;

/**
 * Enforces the {@code (check)} options declared on fields in the .proto schema, for any message,
 * recursively. Semantic rules that involve several fields live with each feature type's owner
 * ({@link org.recspark.config.feature.FeatureType#check}), in {@link FeatureConfigRules} and in {@link PipelineRules}.
 */
final class FieldConstraintChecker {
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private FieldConstraintChecker() {}

    static void check(MessageOrBuilder message, String path, List<Violation> out) {
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            String fieldPath = ConfigPaths.child(path, field.getName());
            Check check = field.getOptions().getExtension(Constraints.check);
            if (field.isRepeated()) {
                checkRepeated(message, field, check, fieldPath, out);
            } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (message.hasField(field)) {
                    check((MessageOrBuilder) message.getField(field), fieldPath, out);
                } else if (check.getRequired()) {
                    out.add(new Violation(fieldPath, "is required"));
                }
            } else if (message.hasField(field)) {
                checkValue(message.getField(field), check, fieldPath, out);
            } else if (check.getRequired()) {
                out.add(new Violation(fieldPath, "is required"));
            }
        }
    }

    private static void checkRepeated(MessageOrBuilder message, FieldDescriptor field, Check check, String path,
                                      List<Violation> out) {
        int count = message.getRepeatedFieldCount(field);
        if (count == 0 && check.getRequired()) {
            out.add(new Violation(path, "is required (at least one value)"));
        }
        Map<Object, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < count; i++) {
            Object value = message.getRepeatedField(field, i);
            String elementPath = path + "[" + i + "]";
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                if (!field.isMapField()) {
                    check((MessageOrBuilder) value, elementPath, out);
                }
                continue;
            }
            checkValue(value, check, elementPath, out);
            if (check.getDistinct()) {
                Integer first = firstIndex.putIfAbsent(value, i);
                if (first != null) {
                    out.add(new Violation(elementPath, "duplicate value " + ConfigPaths.quote(value)
                            + " (also at " + path + "[" + first + "])"));
                }
            }
        }
    }

    private static void checkValue(Object value, Check check, String path, List<Violation> out) {
        if (value instanceof Number number) {
            double x = number.doubleValue();
            if (Double.isNaN(x) || Double.isInfinite(x)) {
                // text format reads nan and inf, JSON "NaN" and "Infinity"; no field of the schema means them
                out.add(new Violation(path, "must be a finite number, got " + number));
                return;
            }
            if (check.hasGt() && !(x > check.getGt())) {
                out.add(bound(path, ">", check.getGt(), number));
            }
            if (check.hasGe() && !(x >= check.getGe())) {
                out.add(bound(path, ">=", check.getGe(), number));
            }
            if (check.hasLt() && !(x < check.getLt())) {
                out.add(bound(path, "<", check.getLt(), number));
            }
            if (check.hasLe() && !(x <= check.getLe())) {
                out.add(bound(path, "<=", check.getLe(), number));
            }
        } else if (value instanceof String text) {
            if (text.isEmpty()) {
                if (check.getRequired()) {
                    out.add(new Violation(path, "must not be empty"));
                } else if (check.getLocation()) {
                    // set but empty would resolve to the config's own directory: a guess, never what was meant
                    out.add(new Violation(path, "must not be empty: a location is a path (relative to the config's "
                            + "directory or absolute) or a URI; leave the field out if it is not wanted"));
                }
                return;
            }
            if (check.hasPattern() && !PATTERNS.computeIfAbsent(check.getPattern(), Pattern::compile).matcher(text).matches()) {
                String expected = check.hasPatternHint() ? check.getPatternHint() : "a match of /" + check.getPattern() + "/";
                out.add(new Violation(path, "must be " + expected + ", got " + ConfigPaths.quote(text)));
            }
        }
    }

    private static Violation bound(String path, String operator, double limit, Number actual) {
        return new Violation(path, "must be " + operator + " " + ConfigPaths.number(limit) + ", got " + ConfigPaths.number(actual));
    }
}

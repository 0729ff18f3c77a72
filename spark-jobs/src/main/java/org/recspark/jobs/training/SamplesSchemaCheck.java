package org.recspark.jobs.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.recspark.trainer.plan.SampleColumn;
import org.recspark.trainer.plan.SampleSchema;

/**
 * Compares a samples table's Spark schema with the one a {@link org.recspark.trainer.plan.PipelinePlan}
 * expects, on the driver before any training task starts, as Spark ML's {@code transformSchema}
 * runs before {@code fit}. Every mismatch is named at once; extra columns and struct fields are
 * allowed (build-samples keeps keys and context columns training does not read).
 */
public final class SamplesSchemaCheck {
    private SamplesSchemaCheck() {}

    /**
     * @param location where the table was read from, named in the error
     * @throws SamplesSchemaException listing every missing column or field and every wrong type
     */
    public static void require(StructType actual, SampleSchema expected, String location) {
        List<String> problems = mismatches(actual, expected);
        if (!problems.isEmpty()) {
            throw new SamplesSchemaException(location, problems);
        }
    }

    /** Every mismatch, each as "column: what is wrong (expected ...)", in the expected schema's order. */
    static List<String> mismatches(StructType actual, SampleSchema expected) {
        List<String> problems = new ArrayList<>();
        for (SampleColumn column : expected.columns()) {
            check(field(actual, column.name()), column.name(), column.type(), problems);
        }
        Optional<StructField> features = field(actual, SampleSchema.FEATURES);
        if (features.isEmpty()) {
            problems.add(SampleSchema.FEATURES + ": missing (expected a struct of " + expected.features().size() + " features)");
        } else if (!(features.get().dataType() instanceof StructType struct)) {
            problems.add(SampleSchema.FEATURES + ": is " + features.get().dataType().simpleString() + " (expected a struct of features)");
        } else {
            for (SampleColumn feature : expected.features()) {
                check(field(struct, feature.name()), SampleSchema.FEATURES + "." + feature.name(), feature.type(), problems);
            }
        }
        return problems;
    }

    private static void check(Optional<StructField> field, String name, SampleColumn.Type type, List<String> problems) {
        if (field.isEmpty()) {
            problems.add(name + ": missing (expected " + type.description() + ")" + hint(name));
        } else if (!fits(field.get().dataType(), type)) {
            problems.add(name + ": is " + field.get().dataType().simpleString() + " (expected " + type.description() + ")");
        }
    }

    private static String hint(String missing) {
        return switch (missing) {
            case SampleSchema.SPLIT_DRAW -> "; a random split selects rows by it: build the samples again with this version";
            case SampleSchema.EVAL_TABLE_ROW -> "; input_config.split.eval_table selects the evaluation rows by it: the samples hold no "
                    + "rows of the eval table, build them with this config";
            default -> "";
        };
    }

    private static boolean fits(DataType actual, SampleColumn.Type type) {
        return switch (type) {
            case ANY -> true;
            case NUMBER -> actual instanceof NumericType;
            case ID_LIST -> actual instanceof ArrayType a && a.elementType().equals(DataTypes.LongType);
            case FLOAT_LIST -> actual instanceof ArrayType a && a.elementType().equals(DataTypes.FloatType);
        };
    }

    private static Optional<StructField> field(StructType struct, String name) {
        return Arrays.stream(struct.fields()).filter(f -> f.name().equals(name)).findFirst();
    }
}

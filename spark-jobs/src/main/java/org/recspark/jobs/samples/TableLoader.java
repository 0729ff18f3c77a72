package org.recspark.jobs.samples;

import static org.apache.spark.sql.functions.col;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.DataSource;
import org.recspark.config.proto.FieldSchema;
import org.recspark.config.proto.FieldType;
import org.recspark.config.proto.TableInput;
import org.recspark.storage.Locations;

/**
 * Reads a configured table (a path or Hadoop URI in Parquet, CSV, ORC or JSON, or a Hive table)
 * and checks it against the config's schema before any job runs. Rows that do not parse (CSV,
 * JSON) or hold a null in a non-nullable column are split off with their reason.
 */
public final class TableLoader {
    static final String CORRUPT = "_corrupt_record";
    public static final String REASON = "_reject_reason";

    /** The rows that passed, and the rejected ones with a {@link #REASON} column and the raw row as text. */
    public record Loaded(Dataset<Row> rows, Dataset<Row> rejects) {}

    private final SparkSession spark;
    private final Path baseDir;

    public TableLoader(SparkSession spark, Path baseDir) {
        this.spark = spark;
        this.baseDir = baseDir;
    }

    public Loaded load(TableInput table, String configPath) {
        DataSource source = table.getSource();
        Dataset<Row> raw = read(source, table.getSchemaList(), configPath);
        checkSchema(raw.schema(), table.getSchemaList(), configPath, describe(source));
        Dataset<Row> typed = raw;
        for (FieldSchema field : table.getSchemaList()) {
            DataType actual = raw.schema().apply(field.getName()).dataType();
            DataType wanted = canonicalType(field.getType(), actual);
            if (!actual.equals(wanted)) {
                typed = typed.withColumn(field.getName(), col(field.getName()).cast(wanted));
            }
        }
        Column reason = org.apache.spark.sql.functions.lit(null).cast(DataTypes.StringType);
        List<FieldSchema> fields = new ArrayList<>(table.getSchemaList());
        java.util.Collections.reverse(fields);
        for (FieldSchema field : fields) {
            if (!field.getNullable()) {
                reason = org.apache.spark.sql.functions.when(col(field.getName()).isNull(),
                        "null in non-nullable column " + field.getName()).otherwise(reason);
            }
        }
        if (List.of(typed.columns()).contains(CORRUPT)) {
            reason = org.apache.spark.sql.functions.when(col(CORRUPT).isNotNull(),
                    "malformed row (does not parse as the declared schema)").otherwise(reason);
        }
        Dataset<Row> withReason = typed.withColumn(REASON, reason);
        Column rawText = List.of(typed.columns()).contains(CORRUPT)
                ? org.apache.spark.sql.functions.coalesce(col(CORRUPT), org.apache.spark.sql.functions.to_json(
                        org.apache.spark.sql.functions.struct(columnsOf(table))))
                : org.apache.spark.sql.functions.to_json(org.apache.spark.sql.functions.struct(columnsOf(table)));
        Dataset<Row> rejects = withReason.where(col(REASON).isNotNull())
                .select(org.apache.spark.sql.functions.lit(configPath).as("table"), col(REASON).as("reason"), rawText.as("row"));
        Dataset<Row> rows = withReason.where(col(REASON).isNull()).select(columnsOf(table));
        return new Loaded(rows, rejects);
    }

    private Dataset<Row> read(DataSource source, List<FieldSchema> schema, String configPath) {
        if (source.hasHiveTable()) {
            String table = source.getHiveTable();
            Optional<String> unavailable = HiveSupport.unavailable(spark, table);
            if (unavailable.isPresent() || !spark.catalog().tableExists(table)) {
                throw new ConfigException(List.of(new Violation(configPath + ".source.hive_table",
                        unavailable.orElse("Hive table '" + table + "' does not exist"))));
            }
            return spark.table(table);
        }
        String path = resolve(source.getPath());
        DataFrameReader reader = spark.read();
        return switch (source.getFormat()) {
            case PARQUET -> reader.parquet(path);
            case ORC -> reader.orc(path);
            case CSV -> reader.option("header", source.getHeader()).option("sep", source.getDelimiter())
                    .option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
                    .schema(textSchema(schema).add(CORRUPT, DataTypes.StringType)).csv(path);
            case JSON -> reader.option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
                    .schema(textSchema(schema).add(CORRUPT, DataTypes.StringType)).json(path);
            case LIBFM -> throw new ConfigException(List.of(new Violation(configPath + ".source.format",
                    "LIBFM is read by the trainer's dataset readers, not by the sample jobs")));
        };
    }

    /** Relative to the config's directory, with its scheme; URIs (hdfs://, s3a://) stand for themselves ({@link Locations}). */
    private String resolve(String path) {
        return Locations.uri(Locations.resolve(baseDir, path));
    }

    private static String describe(DataSource source) {
        return source.hasHiveTable() ? "Hive table " + source.getHiveTable() : source.getFormat() + " " + source.getPath();
    }

    /** The schema a text format is read with: lists and maps stay strings, parsed by the feature jar. */
    private static StructType textSchema(List<FieldSchema> fields) {
        StructType schema = new StructType();
        for (FieldSchema field : fields) {
            DataType type = switch (field.getType()) {
                case INT64 -> DataTypes.LongType;
                case DOUBLE -> DataTypes.DoubleType;
                case BOOL -> DataTypes.BooleanType;
                case STRING, STRING_LIST, STRING_DOUBLE_MAP -> DataTypes.StringType;
            };
            schema = schema.add(field.getName(), type, true);
        }
        return schema;
    }

    /** Every missing column and type mismatch at once, naming the column, the expected and the actual type. */
    static void checkSchema(StructType actual, List<FieldSchema> expected, String configPath, String source) {
        List<Violation> problems = new ArrayList<>();
        List<String> names = List.of(actual.fieldNames());
        for (int i = 0; i < expected.size(); i++) {
            FieldSchema field = expected.get(i);
            String path = configPath + ".schema[" + i + "]";
            if (!names.contains(field.getName())) {
                problems.add(new Violation(path, "column '" + field.getName() + "' (" + field.getType() + ") is missing from "
                        + source + ", which has " + names));
                continue;
            }
            DataType type = actual.apply(field.getName()).dataType();
            if (!accepts(field.getType(), type)) {
                problems.add(new Violation(path, "column '" + field.getName() + "' of " + source + " should be "
                        + field.getType() + " but is " + type.simpleString()));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("input " + source, problems);
        }
    }

    static boolean accepts(FieldType expected, DataType actual) {
        return switch (expected) {
            case STRING -> actual.equals(DataTypes.StringType);
            case INT64 -> actual.equals(DataTypes.LongType) || actual.equals(DataTypes.IntegerType)
                    || actual.equals(DataTypes.ShortType) || actual.equals(DataTypes.ByteType);
            case DOUBLE -> actual.equals(DataTypes.DoubleType) || actual.equals(DataTypes.FloatType)
                    || actual.equals(DataTypes.LongType) || actual.equals(DataTypes.IntegerType);
            case BOOL -> actual.equals(DataTypes.BooleanType);
            case STRING_LIST -> actual.equals(DataTypes.StringType)
                    || (actual instanceof ArrayType a && a.elementType().equals(DataTypes.StringType));
            case STRING_DOUBLE_MAP -> actual.equals(DataTypes.StringType)
                    || (actual instanceof MapType m && m.keyType().equals(DataTypes.StringType)
                    && (m.valueType().equals(DataTypes.DoubleType) || m.valueType().equals(DataTypes.FloatType)));
        };
    }

    /** Widening casts applied after the check, so downstream code sees one type per FieldType. */
    private static DataType canonicalType(FieldType expected, DataType actual) {
        return switch (expected) {
            case INT64 -> DataTypes.LongType;
            case DOUBLE -> DataTypes.DoubleType;
            default -> actual;
        };
    }

    private static Column[] columnsOf(TableInput table) {
        return table.getSchemaList().stream().map(f -> col(f.getName())).toArray(Column[]::new);
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}

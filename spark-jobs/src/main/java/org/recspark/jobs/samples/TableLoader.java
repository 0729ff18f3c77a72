package org.recspark.jobs.samples;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.instr;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.DataFormat;
import org.recspark.config.proto.DataSource;
import org.recspark.config.proto.FieldSchema;
import org.recspark.config.proto.FieldType;
import org.recspark.config.proto.TableInput;
import org.recspark.storage.Locations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a configured table (a path or Hadoop URI in Parquet, CSV, ORC or JSON, or a Hive table)
 * and checks it against the config's schema before any job runs. Every format is read by column
 * name: a CSV header must name exactly the schema's columns (in any order), JSON keys are checked
 * on the first rows, Parquet, ORC and Hive columns by their names. Rows that do not parse (CSV,
 * JSON), hold a null in a non-nullable or required column, a blank key, NaN or an infinity, a
 * value outside the column's min/max, or a label other than 0/1 for a binary task are split off
 * with their reason.
 */
public final class TableLoader {
    private static final Logger LOG = LoggerFactory.getLogger(TableLoader.class);
    static final String CORRUPT = "_corrupt_record";
    /** The reason an item_array row gives no samples rows (null user, null or empty array, null element), or null. */
    private static final String ARRAY_REJECT = "_item_array_reject";
    public static final String REASON = "_reject_reason";
    /** What Spark's text decoding puts in place of bytes that are not UTF-8. */
    private static final String REPLACEMENT_CHARACTER = "\uFFFD";
    private static final String BYTE_ORDER_MARK = "\uFEFF";
    static final String MALFORMED = "malformed row (does not parse as the declared schema)";
    /**
     * The reason of a row that does not parse. Spark's CSV and JSON readers parse only the columns
     * a query reads, so a bad value in a column that one query (looking up a side table's keys)
     * does not read would pass there and be rejected elsewhere. Given every column, a function
     * Spark cannot see into makes every read parse whole rows; it runs for malformed rows only.
     */
    private static final UserDefinedFunction MALFORMED_ROW = udf((UDF1<Row, String>) row -> MALFORMED, DataTypes.StringType);

    /** {@link #MALFORMED_ROW} for a CSV or JSON table, whose reason says what is wrong with the record's text. */
    private static UserDefinedFunction malformedRow(MalformedRowReason diagnosis) {
        return udf((UDF2<Row, String, String>) (row, record) -> diagnosis.reason(record), DataTypes.StringType);
    }
    /** JSON has no header: the keys of this many first rows stand for the file's columns. */
    private static final int JSON_KEY_SAMPLE = 1000;

    /**
     * Columns a job needs beyond what the schema declares: {@code required} must be non-null,
     * {@code keys} also non-blank, {@code binary} must be 0 or 1.
     */
    public record Requirements(Set<String> required, Set<String> keys, Set<String> binary) {
        public static final Requirements NONE = new Requirements(Set.of(), Set.of(), Set.of());
    }

    /**
     * The rows that passed; the rejected ones as {@code table, reason, row} (the raw row as text);
     * the rejected ones with their typed columns and a {@link #REASON} column, for keyed lookups;
     * and every row with its typed columns and {@link #REASON} (null when it passed), with
     * {@code rawRow} the text of a rejected row, for a job that adds its own checks and splits once.
     */
    public record Loaded(Dataset<Row> rows, Dataset<Row> rejects, Dataset<Row> rejectedRows, Dataset<Row> checked, Column rawRow,
                         String source) {}

    private final SparkSession spark;
    private final Path baseDir;

    public TableLoader(SparkSession spark, Path baseDir) {
        this.spark = spark;
        this.baseDir = baseDir;
    }

    public Loaded load(TableInput table, String configPath) {
        return load(table, configPath, Requirements.NONE);
    }

    public Loaded load(TableInput table, String configPath, Requirements requirements) {
        DataSource source = table.getSource();
        String description = describe(source);
        Dataset<Row> raw = read(table, configPath, description);
        checkSchema(raw.schema(), table.getSchemaList(), configPath, description);
        Dataset<Row> typed = raw;
        for (FieldSchema field : table.getSchemaList()) {
            DataType actual = raw.schema().apply(field.getName()).dataType();
            DataType wanted = canonicalType(field.getType(), actual);
            if (!actual.equals(wanted)) {
                typed = typed.withColumn(field.getName(), col(field.getName()).cast(wanted));
            }
        }
        boolean hasCorrupt = List.of(typed.columns()).contains(CORRUPT);
        boolean decodedText = source.hasPath() && (source.getFormat() == DataFormat.CSV || source.getFormat() == DataFormat.JSON
                || source.getFormat() == DataFormat.INTERACTION_LIST);
        Dataset<Row> withReason = typed.withColumn(REASON, reason(table, requirements, hasCorrupt, decodedText, typed.schema()));
        Column rawText = hasCorrupt
                ? coalesce(col(CORRUPT), to_json(struct(columnsOf(table))))
                : to_json(struct(columnsOf(table)));
        Dataset<Row> rejected = withReason.where(col(REASON).isNotNull());
        Dataset<Row> rejects = rejected.select(lit(configPath).as("table"), col(REASON).as("reason"), rawText.as("row"));
        Dataset<Row> rows = withReason.where(col(REASON).isNull()).select(columnsOf(table));
        Column[] typedRejected = new Column[table.getSchemaCount() + 1];
        System.arraycopy(columnsOf(table), 0, typedRejected, 0, table.getSchemaCount());
        typedRejected[table.getSchemaCount()] = col(REASON);
        if (!table.getAllowEmpty() && withReason.isEmpty()) {
            throw new ConfigException("input " + description, List.of(new Violation(configPath,
                    description + " has no data rows; set " + configPath + ".allow_empty: true if an empty table is expected")));
        }
        return new Loaded(rows, rejects, rejected.select(typedRejected), withReason, rawText, description);
    }

    /**
     * The first reason that applies to a row, or null: parse errors, undecodable bytes, nulls, blank
     * keys, NaN/infinities, bounds, labels.
     *
     * @param decodedText whether the table was decoded from text files (CSV, JSON), where Spark
     *     replaces bytes that are not UTF-8 by U+FFFD without a word
     */
    private static Column reason(TableInput table, Requirements requirements, boolean hasCorrupt, boolean decodedText, StructType typed) {
        List<Column[]> checks = new ArrayList<>();
        if (List.of(typed.fieldNames()).contains(ARRAY_REJECT)) {
            checks.add(new Column[] {col(ARRAY_REJECT).isNotNull(), col(ARRAY_REJECT)});
        }
        if (hasCorrupt) {
            Column malformed = diagnosis(table, typed).map(d -> malformedRow(d).apply(struct(columnsOf(table)), col(CORRUPT)))
                    .orElseGet(() -> MALFORMED_ROW.apply(struct(columnsOf(table))));
            checks.add(new Column[] {col(CORRUPT).isNotNull(), malformed});
        }
        if (decodedText) {
            for (FieldSchema field : table.getSchemaList()) {
                if (typed.apply(field.getName()).dataType().equals(DataTypes.StringType)) {
                    checks.add(new Column[] {col(field.getName()).contains(REPLACEMENT_CHARACTER), lit("column " + field.getName()
                            + " holds bytes that are not UTF-8 (read as U+FFFD); the file must be UTF-8 text")});
                }
            }
        }
        for (FieldSchema field : table.getSchemaList()) {
            String name = field.getName();
            if (!field.getNullable() || requirements.required().contains(name) || requirements.keys().contains(name)) {
                checks.add(new Column[] {col(name).isNull(), lit("null in non-nullable column " + name)});
            }
        }
        for (FieldSchema field : table.getSchemaList()) {
            String name = field.getName();
            if (requirements.keys().contains(name) && field.getType() == FieldType.STRING) {
                checks.add(new Column[] {trim(col(name)).equalTo(""), lit("blank key in column " + name)});
            }
        }
        for (FieldSchema field : table.getSchemaList()) {
            String name = field.getName();
            if (field.getType() == FieldType.DOUBLE) {
                checks.add(new Column[] {isnan(col(name)).or(col(name).isin(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)),
                        concat(lit("not a finite number in column " + name + ": "), col(name).cast("string"))});
            }
            if (field.hasMin()) {
                checks.add(new Column[] {col(name).lt(field.getMin()), concat(lit("column " + name + " = "), col(name).cast("string"),
                        lit(" is below its min " + bound(field.getMin())))});
            }
            if (field.hasMax()) {
                checks.add(new Column[] {col(name).gt(field.getMax()), concat(lit("column " + name + " = "), col(name).cast("string"),
                        lit(" is above its max " + bound(field.getMax())))});
            }
            if (requirements.binary().contains(name)) {
                checks.add(new Column[] {col(name).cast("double").isin(0.0, 1.0).equalTo(false),
                        concat(lit("label " + name + " = "), col(name).cast("string"), lit(" is not 0 or 1 (a binary task's label)"))});
            }
        }
        Column reason = lit(null).cast(DataTypes.StringType);
        for (int i = checks.size() - 1; i >= 0; i--) {
            reason = when(checks.get(i)[0], checks.get(i)[1]).otherwise(reason);
        }
        return reason;
    }

    /**
     * What says why a CSV or JSON record does not parse, given the columns as read (a CSV's in file
     * order: the header's, or the schema's without one) with their declared types; none for other formats.
     */
    private static Optional<MalformedRowReason> diagnosis(TableInput table, StructType typed) {
        DataSource source = table.getSource();
        if (!source.hasPath() || (source.getFormat() != DataFormat.CSV && source.getFormat() != DataFormat.JSON)) {
            return Optional.empty();
        }
        // CSV and JSON tables are read with exactly the schema's columns and the corrupt record's.
        List<String> order = List.of(typed.fieldNames()).stream().filter(name -> !name.equals(CORRUPT)).toList();
        List<FieldType> types = order.stream().map(name -> table.getSchemaList().stream().filter(f -> f.getName().equals(name))
                .findFirst().orElseThrow().getType()).toList();
        return switch (source.getFormat()) {
            case CSV -> Optional.of(new MalformedCsvRow(source.getDelimiter(), order, types, source.getMultiLine(), source.getHeader()));
            case JSON -> Optional.of(new MalformedJsonRow(order, types));
            default -> Optional.empty();
        };
    }

    private static String bound(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    private Dataset<Row> read(TableInput table, String configPath, String description) {
        Dataset<Row> stored = readStored(table, configPath, description);
        return table.getItemArray() ? explodeItemArrays(stored, table, configPath, description) : stored;
    }

    private Dataset<Row> readStored(TableInput table, String configPath, String description) {
        DataSource source = table.getSource();
        if (source.hasHiveTable()) {
            String name = source.getHiveTable();
            Optional<String> unavailable = HiveSupport.unavailable(spark, name);
            if (unavailable.isPresent() || !spark.catalog().tableExists(name)) {
                throw new ConfigException(List.of(new Violation(configPath + ".source.hive_table",
                        unavailable.orElse("Hive table '" + name + "' does not exist"))));
            }
            return logExtraColumns(spark.table(name), table, description);
        }
        String path = resolve(source.getPath());
        DataFrameReader reader = spark.read();
        return switch (source.getFormat()) {
            case PARQUET -> logExtraColumns(readable(() -> reader.parquet(path), configPath, description), table, description);
            case ORC -> logExtraColumns(readable(() -> reader.orc(path), configPath, description), table, description);
            case CSV -> readCsv(table, path, configPath, description);
            case JSON -> readJson(table, path, configPath, description);
            case LIBFM -> throw new ConfigException(List.of(new Violation(configPath + ".source.format",
                    "LIBFM is read by the trainer's dataset readers, not by the sample jobs")));
            case INTERACTION_LIST -> readInteractionList(table, path);
        };
    }

    /** A columnar table's files are opened to read its schema: one that is not of the format is named with the table. */
    private static Dataset<Row> readable(Supplier<Dataset<Row>> read, String configPath, String description) {
        try {
            return read.get();
        } catch (Exception e) {
            // SparkException is checked, yet Spark's Scala code throws it from methods that declare nothing.
            Optional<String> unreadable = UnreadableInputException.describe(e);
            if (unreadable.isPresent()) {
                throw new UnreadableInputException(configPath + ": " + description + ": " + unreadable.get(), e);
            }
            throw e;
        }
    }

    /**
     * "user<TAB>item item ..." lines exploded into one row per item, as strings (cast to the schema's
     * types like every text format), with the item's position in its line in the optional third
     * column. A non-blank line without a tab does not parse; a user with no items gives no rows.
     */
    private Dataset<Row> readInteractionList(TableInput table, String path) {
        List<FieldSchema> fields = table.getSchemaList();
        Dataset<Row> lines = spark.read().textFile(path).toDF("line");
        Column tab = instr(col("line"), "\t");
        Dataset<Row> items = lines.where(tab.gt(0))
                .select(substring_index(col("line"), "\t", 1).as("user"), expr("substring(line, instr(line, '\t') + 1)").as("items"))
                .select(col("user"), posexplode(split(trim(col("items")), "\\s+")))
                .where(col("col").notEqual(""));
        Dataset<Row> malformed = lines.where(tab.equalTo(0).and(trim(col("line")).notEqual("")));
        List<Column> good = new ArrayList<>(List.of(col("user").as(fields.get(0).getName()), col("col").as(fields.get(1).getName())));
        List<Column> bad = new ArrayList<>(List.of(lit(null).cast(DataTypes.StringType).as(fields.get(0).getName()),
                lit(null).cast(DataTypes.StringType).as(fields.get(1).getName())));
        if (fields.size() > 2) {
            good.add(col("pos").cast(DataTypes.LongType).as(fields.get(2).getName()));
            bad.add(lit(null).cast(DataTypes.LongType).as(fields.get(2).getName()));
        }
        good.add(lit(null).cast(DataTypes.StringType).as(CORRUPT));
        bad.add(col("line").as(CORRUPT));
        return items.select(good.toArray(Column[]::new)).unionByName(malformed.select(bad.toArray(Column[]::new)));
    }

    /**
     * An item_array table (one row per user, the items in an array column) exploded into one row per
     * element like an INTERACTION_LIST line, with the element's 0-based position in the optional third
     * column. A row with a null user or a null or empty array stands for itself, with its reason and
     * the row as JSON for the rejects; so does an element that is null.
     */
    static Dataset<Row> explodeItemArrays(Dataset<Row> table, TableInput input, String configPath, String description) {
        List<FieldSchema> fields = input.getSchemaList();
        String user = fields.get(0).getName();
        String item = fields.get(1).getName();
        checkItemArrayColumns(table.schema(), input, configPath, description);
        Column nullUser = col(user).isNull();
        Column noItems = col(item).isNull().or(functions.size(col(item)).equalTo(0));
        Column rowReason = when(nullUser, lit("null user in column " + user + " of " + description))
                .when(col(item).isNull(), lit("null item array in column " + item + " of " + description))
                .otherwise(lit("empty item array in column " + item + " of " + description));
        Column rowJson = to_json(struct(col(user), col(item)));
        Dataset<Row> exploded = table.where(nullUser.or(noItems).equalTo(false))
                .select(col(user), rowJson.as("row"), posexplode(col(item)));
        List<Column> good = new ArrayList<>(List.of(col(user), col("col").as(item)));
        List<Column> bad = new ArrayList<>(List.of(col(user), lit(null).cast(elementType(table.schema(), item)).as(item)));
        if (fields.size() > 2) {
            good.add(col("pos").cast(DataTypes.LongType).as(fields.get(2).getName()));
            bad.add(lit(null).cast(DataTypes.LongType).as(fields.get(2).getName()));
        }
        Column nullElement = concat(lit("null element at position "), col("pos").cast("string"),
                lit(" of the item array in column " + item + " of " + description));
        good.add(when(col("col").isNull(), col("row")).as(CORRUPT));
        good.add(when(col("col").isNull(), nullElement).as(ARRAY_REJECT));
        bad.add(rowJson.as(CORRUPT));
        bad.add(rowReason.as(ARRAY_REJECT));
        return exploded.select(good.toArray(Column[]::new))
                .unionByName(table.where(nullUser.or(noItems)).select(bad.toArray(Column[]::new)));
    }

    /** The user and item columns exist and the item column is an array of the declared item type, named with the table's location. */
    private static void checkItemArrayColumns(StructType actual, TableInput input, String configPath, String description) {
        List<FieldSchema> fields = input.getSchemaList();
        List<String> names = List.of(actual.fieldNames());
        List<Violation> problems = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            if (!names.contains(fields.get(i).getName())) {
                problems.add(new Violation(configPath + ".schema[" + i + "]", "column '" + fields.get(i).getName() + "' is missing from "
                        + description + ", which has " + names));
            }
        }
        String item = fields.get(1).getName();
        if (names.contains(item)) {
            DataType type = actual.apply(item).dataType();
            FieldType declared = fields.get(1).getType();
            if (!(type instanceof ArrayType array) || !accepts(declared, array.elementType())) {
                problems.add(new Violation(configPath + ".schema[1]", "column '" + item + "' of " + description + " should be an array of "
                        + (declared == FieldType.INT64 ? "bigint or int" : "string") + " (item_array: true, item type " + declared
                        + ") but is " + type.simpleString()));
            }
        }
        if (fields.size() > 2 && names.contains(fields.get(2).getName())) {
            problems.add(new Violation(configPath + ".schema[2]", "column '" + fields.get(2).getName() + "' receives each item's position "
                    + "in its array, but " + description + " has a column of that name; name the position column otherwise"));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("input " + description, problems);
        }
    }

    private static DataType elementType(StructType schema, String arrayColumn) {
        return ((ArrayType) schema.apply(arrayColumn).dataType()).elementType();
    }

    /**
     * Reads the header (the first line) first and checks it names exactly the schema's columns;
     * the file is then read with the declared types in the header's order, and Spark checks that
     * every other file of a directory has the same header ({@code enforceSchema=false}).
     * RFC 4180 quoting: a quote inside a quoted value is doubled.
     */
    private Dataset<Row> readCsv(TableInput table, String path, String configPath, String description) {
        DataSource source = table.getSource();
        DataFrameReader reader = spark.read().option("sep", source.getDelimiter()).option("header", source.getHeader())
                .option("multiLine", source.getMultiLine()).option("escape", "\"");
        List<String> firstLine = firstRecord(source, path);
        if (firstLine.isEmpty()) {
            if (table.getAllowEmpty()) {
                return spark.createDataFrame(List.of(), textSchema(table.getSchemaList(), declaredNames(table)));
            }
            throw new ConfigException("input " + description, List.of(new Violation(configPath, description
                    + " is empty (not even a header line); set " + configPath + ".allow_empty: true if an empty table is expected")));
        }
        List<String> order;
        if (source.getHeader()) {
            checkHeader(firstLine, table, configPath, description);
            order = firstLine;
        } else {
            if (firstLine.size() != table.getSchemaCount()) {
                throw new ConfigException("input " + description, List.of(new Violation(configPath + ".schema",
                        "the first line of " + description + " has " + firstLine.size() + " columns, the schema declares "
                                + table.getSchemaCount() + " " + declaredNames(table) + " (source.header is false: columns are read by position)")));
            }
            order = declaredNames(table);
        }
        return reader.option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT).option("enforceSchema", false)
                .schema(textSchema(table.getSchemaList(), order).add(CORRUPT, DataTypes.StringType)).csv(path);
    }

    /**
     * The fields of the first record as written. Not the header Spark infers: it renames a repeated
     * name ("hour,hour" becomes hour5 and hour6) and an empty one (_c5), which would hide the fault.
     */
    private List<String> firstRecord(DataSource source, String path) {
        Dataset<Row> records = spark.read().option("sep", source.getDelimiter()).option("header", false)
                .option("multiLine", source.getMultiLine()).option("escape", "\"").csv(path);
        if (records.columns().length == 0) {
            return List.of();
        }
        List<Row> first = records.limit(1).collectAsList();
        if (first.isEmpty()) {
            return List.of();
        }
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < first.get(0).length(); i++) {
            String field = first.get(0).isNullAt(i) ? "" : first.get(0).getString(i);
            fields.add(i == 0 && field.startsWith(BYTE_ORDER_MARK) ? field.substring(1) : field);
        }
        return fields;
    }

    /** Missing, unknown and repeated header columns, all at once, each naming the file. */
    static void checkHeader(List<String> header, TableInput table, String configPath, String description) {
        List<Violation> problems = new ArrayList<>();
        List<String> declared = declaredNames(table);
        for (int i = 0; i < declared.size(); i++) {
            if (!header.contains(declared.get(i))) {
                problems.add(new Violation(configPath + ".schema[" + i + "]", "column '" + declared.get(i)
                        + "' is missing from the header of " + description));
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String column : header) {
            if (!seen.add(column)) {
                problems.add(new Violation(configPath + ".schema", "column '" + column + "' appears twice in the header of " + description));
            } else if (!declared.contains(column)) {
                problems.add(new Violation(configPath + ".schema", "column '" + column + "' in the header of " + description
                        + " is not in the schema"));
            }
        }
        if (!problems.isEmpty()) {
            problems.add(new Violation(configPath + ".schema", "expected a header naming " + declared
                    + " (in any order), found " + header));
            throw new ConfigException("input " + description, problems);
        }
    }

    /**
     * JSON is read by key; keys of the first rows are checked like a header, so a misnamed key is
     * an error rather than a column of nulls. Keys beyond the schema are ignored (logged).
     */
    private Dataset<Row> readJson(TableInput table, String path, String configPath, String description) {
        Dataset<String> lines = spark.read().textFile(path).limit(JSON_KEY_SAMPLE);
        Set<String> keys = new LinkedHashSet<>(List.of(spark.read().json(lines).schema().fieldNames()));
        keys.remove(CORRUPT);
        if (keys.isEmpty() && table.getAllowEmpty()) {
            return spark.createDataFrame(List.of(), textSchema(table.getSchemaList(), declaredNames(table)));
        }
        List<Violation> problems = new ArrayList<>();
        List<String> declared = declaredNames(table);
        for (int i = 0; i < declared.size(); i++) {
            if (!keys.contains(declared.get(i))) {
                problems.add(new Violation(configPath + ".schema[" + i + "]", "column '" + declared.get(i) + "' is missing from "
                        + description + ": none of its first " + JSON_KEY_SAMPLE + " rows has the key (keys found: " + keys + ")"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("input " + description, problems);
        }
        keys.removeAll(declared);
        if (!keys.isEmpty()) {
            LOG.info("{}: keys {} are not in the schema and are not read", description, keys);
        }
        return spark.read().option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
                .schema(textSchema(table.getSchemaList(), declared).add(CORRUPT, DataTypes.StringType)).json(path);
    }

    /** Columnar sources are read by name; columns beyond the schema are harmless (a wide table read in part). */
    private static Dataset<Row> logExtraColumns(Dataset<Row> data, TableInput table, String description) {
        List<String> extra = new ArrayList<>(List.of(data.columns()));
        extra.removeAll(declaredNames(table));
        if (!extra.isEmpty()) {
            LOG.info("{}: columns {} are not in the schema and are not read", description, extra);
        }
        return data;
    }

    /** Relative to the config's directory, with its scheme; URIs (hdfs://, s3a://) stand for themselves ({@link Locations}). */
    private String resolve(String path) {
        return Locations.uri(Locations.resolve(baseDir, path));
    }

    private static String describe(DataSource source) {
        return source.hasHiveTable() ? "Hive table " + source.getHiveTable() : source.getFormat() + " " + source.getPath();
    }

    private static List<String> declaredNames(TableInput table) {
        return table.getSchemaList().stream().map(FieldSchema::getName).toList();
    }

    /** The schema a text format is read with, in the given column order: lists and maps stay strings, parsed by the feature jar. */
    private static StructType textSchema(List<FieldSchema> fields, List<String> order) {
        StructType schema = new StructType();
        for (String name : order) {
            FieldSchema field = fields.stream().filter(f -> f.getName().equals(name)).findFirst().orElseThrow();
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

    static Column[] columnsOf(TableInput table) {
        return table.getSchemaList().stream().map(f -> col(f.getName())).toArray(Column[]::new);
    }
}

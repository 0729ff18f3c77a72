package org.recspark.bench.samples;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.from_unixtime;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.recspark.config.BehaviourStatsFields;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.BehaviourLogInput;
import org.recspark.config.proto.BehaviourStats;
import org.recspark.config.proto.FieldSchema;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TableInput;
import org.recspark.storage.Locations;

/**
 * The benchmark peer of {@code build-samples} (issue 16): the same windowed behaviour counts,
 * written as a Spark user would write them without RecSpark, in plain DataFrame code. Impressions
 * and behaviour events are unioned into one stream per key, and each count is a
 * {@code sum(is_<type>) OVER (PARTITION BY key ORDER BY ts RANGE BETWEEN w PRECEDING AND 1 PRECEDING)},
 * i.e. events in {@code [t - w, t)}: times are whole epoch seconds, so "strictly before t" is
 * "at most t - 1". One window pass per key type: user, item, and user x the item's category. The
 * user and item tables are left-joined (as {@code user__*} and {@code item__*}, the names
 * build-samples gives them) and the rows written as Parquet partitioned by {@code dt}, the UTC day
 * of the impression time.
 *
 * <p>It reads the pipeline config only to know the inputs, event types and windows. It computes
 * no sequences and no features, checks no rows (malformed CSV fails the job) and rejects nothing:
 * impressions of unknown users or items keep null side fields. So it does less work than
 * build-samples, which makes it a lower bound for the same statistics.
 */
public final class SparkSqlSamplePeer {
    public static final String USER_PREFIX = "user__";
    public static final String ITEM_PREFIX = "item__";
    public static final String DT = "dt";
    private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");
    private static final String EVENT = "_event";
    private static final String CATEGORY = "_category";
    private static final String IS_IMPRESSION = "_is_impression";

    private final SparkSession spark;
    private final InputConfig input;
    private final BehaviourStats stats;
    private final Path baseDir;

    /**
     * @param baseDir the directory relative input paths are resolved against (the config's)
     * @throws IllegalArgumentException when the config has no behaviour log or no behaviour_stats
     */
    public SparkSqlSamplePeer(SparkSession spark, PipelineConfig config, Path baseDir) {
        if (!config.getFeatureConfig().hasBehaviourStats()) {
            throw new IllegalArgumentException("feature_config.behaviour_stats is not set: the peer computes behaviour counts only");
        }
        if (!config.getInputConfig().hasBehaviours()) {
            throw new IllegalArgumentException("input_config.behaviours is not set: the behaviour counts need the behaviour log");
        }
        this.spark = spark;
        this.input = config.getInputConfig();
        this.stats = config.getFeatureConfig().getBehaviourStats();
        this.baseDir = baseDir;
    }

    /** The impressions with their side fields and counts, lazily; {@link #DT} is the last column. */
    public Dataset<Row> samples() {
        BehaviourLogInput log = input.getBehaviours();
        String userId = input.getUserIdField();
        String itemId = input.getItemIdField();
        String time = input.getTimeField();
        // The impression log's own dt, if any, is replaced by the day of the impression time, as build-samples does.
        Dataset<Row> impressions = read(input.getSamples(), "input_config.samples")
                .withColumn(DT, date_format(from_unixtime(col(time)), "yyyy-MM-dd"));

        Dataset<Row> queries = input.hasItems() && log.hasCategoryField()
                ? joinOn(impressions, read(input.getItems(), "input_config.items").select(col(itemId).as("_category_item"),
                        col(log.getCategoryField()).cast(DataTypes.StringType).as(CATEGORY)), itemId, "_category_item")
                : impressions.withColumn(CATEGORY, lit(null).cast(DataTypes.StringType));
        queries = queries.withColumn(EVENT, lit(null).cast(DataTypes.StringType)).withColumn(IS_IMPRESSION, lit(true));

        Dataset<Row> events = read(log.getTable(), "input_config.behaviours.table")
                .where(col(log.getEventField()).isin(stats.getEventTypesList().toArray()));
        Dataset<Row> eventStream = events.select(col(log.getUserIdField()).as(userId), col(log.getItemIdField()).as(itemId),
                col(log.getTimeField()).cast(DataTypes.LongType).as(time), col(log.getEventField()).as(EVENT),
                (log.hasCategoryField() ? col(log.getCategoryField()).cast(DataTypes.StringType) : lit(null).cast(DataTypes.StringType))
                        .as(CATEGORY),
                lit(false).as(IS_IMPRESSION));

        Dataset<Row> counted = queries;
        if (stats.getUserCounts()) {
            counted = windowCounts(counted, eventStream, Window.partitionBy(col(userId)),
                    BehaviourStatsFields.userCountFields(stats), USER_PREFIX, null);
        }
        if (stats.getItemCounts()) {
            counted = windowCounts(counted, eventStream, Window.partitionBy(col(itemId)),
                    BehaviourStatsFields.itemCountFields(stats), ITEM_PREFIX, null);
        }
        if (stats.getUserCategoryCounts()) {
            counted = windowCounts(counted, eventStream, Window.partitionBy(col(userId), col(CATEGORY)),
                    BehaviourStatsFields.userCategoryCountFields(stats), ITEM_PREFIX, col(CATEGORY).isNull());
        }
        Dataset<Row> joined = counted.drop(CATEGORY, EVENT, IS_IMPRESSION);
        if (input.hasUsers()) {
            joined = joinSide(joined, read(input.getUsers(), "input_config.users"), userId, USER_PREFIX);
        }
        if (input.hasItems()) {
            joined = joinSide(joined, read(input.getItems(), "input_config.items"), itemId, ITEM_PREFIX);
        }
        List<Column> out = new ArrayList<>();
        for (String c : joined.columns()) {
            if (!c.equals(DT)) {
                out.add(col(c));
            }
        }
        out.add(col(DT));
        return joined.select(out.toArray(Column[]::new));
    }

    /** Writes {@link #samples()} as Parquet under {@code out}, partitioned by dt; returns the rows written. */
    public long write(String out) {
        samples().write().mode(SaveMode.Overwrite).partitionBy(DT).parquet(out);
        return spark.read().parquet(out).count();
    }

    /**
     * Adds {@code names} (type-major: every window of the first event type, then the next) as counts
     * over the window spec's partitions: the rows so far and the events are one stream, summed over
     * each impression's range frame, then the impressions kept. Where {@code zero} holds, the counts are 0.
     */
    private Dataset<Row> windowCounts(Dataset<Row> rows, Dataset<Row> events, WindowSpec partition, List<String> names,
                                      String prefix, Column zero) {
        Dataset<Row> stream = rows.unionByName(events, true);
        List<String> types = stats.getEventTypesList();
        for (String type : types) {
            stream = stream.withColumn("_is_" + type, when(col(EVENT).equalTo(type), 1L).otherwise(0L));
        }
        WindowSpec ordered = partition.orderBy(col(input.getTimeField()));
        int k = 0;
        for (String type : types) {
            for (long w : stats.getWindowsList()) {
                Column count = coalesce(sum(col("_is_" + type)).over(ordered.rangeBetween(-w, -1)), lit(0L));
                stream = stream.withColumn(prefix + names.get(k++), zero == null ? count : when(zero, 0L).otherwise(count));
            }
        }
        for (String type : types) {
            stream = stream.drop("_is_" + type);
        }
        return stream.where(col(IS_IMPRESSION));
    }

    /** Left join of a side table's columns as {@code <prefix><column>}; a table with a dt column is matched on the day too. */
    private static Dataset<Row> joinSide(Dataset<Row> rows, Dataset<Row> table, String key, String prefix) {
        Dataset<Row> prefixed = table;
        for (String c : table.columns()) {
            prefixed = prefixed.withColumnRenamed(c, prefix + c);
        }
        Column on = rows.col(key).equalTo(prefixed.col(prefix + key));
        if (List.of(table.columns()).contains(DT)) {
            on = on.and(rows.col(DT).equalTo(prefixed.col(prefix + DT)));
        }
        return rows.join(prefixed, on, "left");
    }

    private static Dataset<Row> joinOn(Dataset<Row> rows, Dataset<Row> table, String rowKey, String tableKey) {
        return rows.join(table, rows.col(rowKey).equalTo(table.col(tableKey)), "left").drop(tableKey);
    }

    /** A table by path in its configured format; text formats with the declared types, lists and maps as strings. */
    Dataset<Row> read(TableInput table, String configPath) {
        if (table.getSource().hasHiveTable()) {
            throw new IllegalArgumentException(configPath + ".source names Hive table " + table.getSource().getHiveTable()
                    + ": the peer reads paths only");
        }
        String path = table.getSource().getPath();
        String location = URI_SCHEME.matcher(path).matches() ? path : baseDir.resolve(path).toAbsolutePath().normalize().toString();
        DataFrameReader reader = spark.read();
        return switch (table.getSource().getFormat()) {
            case CSV -> reader.schema(schema(table)).option("header", table.getSource().getHeader())
                    .option("sep", table.getSource().getDelimiter()).option("escape", "\"").option("mode", "FAILFAST")
                    .csv(location);
            case JSON -> reader.schema(schema(table)).option("mode", "FAILFAST").json(location);
            case PARQUET -> reader.parquet(location);
            case ORC -> reader.orc(location);
            default -> throw new IllegalArgumentException(configPath + ".source.format " + table.getSource().getFormat()
                    + " is not read by the peer (CSV, JSON, Parquet or ORC)");
        };
    }

    private static StructType schema(TableInput table) {
        StructType schema = new StructType();
        for (FieldSchema field : table.getSchemaList()) {
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

    /**
     * {@code SparkSqlSamplePeer --config PIPELINE --out PATH}: writes the samples and prints the
     * rows and seconds, for bench/sample-job. The master comes from {@code -Dspark.master}.
     */
    public static void main(String[] args) {
        Path config = null;
        String out = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " has no value; usage: SparkSqlSamplePeer --config PIPELINE --out PATH");
            }
            switch (args[i]) {
                case "--config" -> config = Locations.of(args[i + 1]);
                case "--out" -> out = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; usage: SparkSqlSamplePeer --config PIPELINE --out PATH");
            }
        }
        if (config == null || out == null) {
            throw new IllegalArgumentException("usage: SparkSqlSamplePeer --config PIPELINE --out PATH");
        }
        PipelineConfig pipeline = ConfigParser.load(config);
        // dt is the UTC day of the impression time, as in build-samples.
        SparkSession spark = SparkSession.builder().appName("spark-sql sample peer").config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
        long start = System.nanoTime();
        long rows = new SparkSqlSamplePeer(spark, pipeline, Locations.parentOf(config)).write(out);
        System.out.printf(Locale.ROOT, "spark-sql peer: %d samples in %.1f s%n", rows, (System.nanoTime() - start) / 1e9);
        spark.stop();
    }
}

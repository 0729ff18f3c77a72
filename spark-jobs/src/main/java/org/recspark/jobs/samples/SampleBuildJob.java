package org.recspark.jobs.samples;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.from_unixtime;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.when;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.recspark.config.BehaviourStatsFields;
import org.recspark.config.proto.BehaviourLogInput;
import org.recspark.config.proto.BehaviourStats;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.LabelField;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TableInput;
import org.recspark.jobs.JobDescriptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds training samples from raw logs: reads and checks the input tables, rejects malformed rows
 * and impressions of unknown users or items (failing above input_config.rejects.max_fraction),
 * replays the behaviour log for windowed statistics as of each sample's time, joins user and item
 * fields, applies the feature jar, and writes them partitioned by {@code dt} (the UTC day of the
 * sample time) to a {@link SampleSink}: Parquet under a path, or a Hive table. With a date, only that
 * day's samples are built and only its partition replaced.
 */
public final class SampleBuildJob {
    private static final Logger LOG = LoggerFactory.getLogger(SampleBuildJob.class);
    public static final String DT = "dt";

    /** What a run did. */
    public record Summary(Map<String, Long> samplesPerDate, Map<String, Long> rejectsPerReason, long totalSamples,
                          long rejectedSamples, double seconds) {}

    private final SparkSession spark;
    private final PipelineConfig config;
    private final Path baseDir;

    public SampleBuildJob(SparkSession spark, PipelineConfig config, Path baseDir) {
        this.spark = spark;
        this.config = config;
        this.baseDir = baseDir;
    }

    /**
     * What becomes of the joined rows (keys, labels, dt, context, {@code user__*} and {@code item__*}
     * fields, behaviour statistics): the feature stage for training samples, the prediction stage
     * for batch scoring. The result is written partitioned by dt.
     */
    @FunctionalInterface
    public interface RowStage {
        Dataset<Row> apply(Dataset<Row> joined, List<String> keep);
    }

    /** Builds training samples into Parquet under {@code outPath}. */
    public Summary run(String outPath, String rejectsPath, Optional<String> date) {
        return run(new ParquetPathSink(outPath), rejectsPath, date);
    }

    /** Builds training samples: the joined rows through the feature jar. */
    public Summary run(SampleSink sink, String rejectsPath, Optional<String> date) {
        return run(sink, rejectsPath, date, (joined, keep) -> FeatureStage.apply(joined, config.getFeatureConfig(), baseDir, keep));
    }

    public Summary run(SampleSink sink, String rejectsPath, Optional<String> date, RowStage stage) {
        long start = System.nanoTime();
        InputConfig input = config.getInputConfig();
        TableLoader loader = new TableLoader(spark, baseDir);
        TableLoader.Loaded samples = load(loader, input.getSamples(), "input_config.samples");
        Optional<TableLoader.Loaded> users = input.hasUsers()
                ? Optional.of(load(loader, input.getUsers(), "input_config.users")) : Optional.empty();
        Optional<TableLoader.Loaded> items = input.hasItems()
                ? Optional.of(load(loader, input.getItems(), "input_config.items")) : Optional.empty();
        boolean replay = config.getFeatureConfig().hasBehaviourStats();
        Optional<TableLoader.Loaded> events = replay
                ? Optional.of(load(loader, input.getBehaviours().getTable(), "input_config.behaviours.table")) : Optional.empty();

        String userId = input.getUserIdField();
        String itemId = input.getItemIdField();
        Dataset<Row> rows = samples.rows().withColumn(DT, date_format(from_unixtime(col(input.getTimeField())), "yyyy-MM-dd"));
        if (date.isPresent()) {
            rows = rows.where(col(DT).equalTo(date.get()));
        }
        Dataset<Row> rejects = samples.rejects();
        if (users.isPresent()) {
            Column known = knownKey(rows, users.get().rows(), userId);
            rejects = rejects.unionByName(unknownKeyRejects(rows, users.get().rows(), known, userId));
            rows = rows.join(keyTable(users.get().rows(), userId), known, "left_semi");
        }
        if (items.isPresent()) {
            Column known = knownKey(rows, items.get().rows(), itemId);
            rejects = rejects.unionByName(unknownKeyRejects(rows, items.get().rows(), known, itemId));
            rows = rows.join(keyTable(items.get().rows(), itemId), known, "left_semi");
        }
        Dataset<Row> otherRejects = null;
        for (Optional<TableLoader.Loaded> t : List.of(users, items, events)) {
            if (t.isPresent()) {
                otherRejects = otherRejects == null ? t.get().rejects() : otherRejects.unionByName(t.get().rejects());
            }
        }
        Dataset<Row> allRejects = otherRejects == null ? rejects : rejects.unionByName(otherRejects);
        allRejects.persist(StorageLevel.MEMORY_AND_DISK());
        // Unpersisted on failure too: a rerun in the same session (a fixed input) must not be served the cached rows.
        Dataset<Row> persistedRows = null;
        long kept;
        long rejectedSamples;
        Map<String, Long> perDate = new LinkedHashMap<>();
        Map<String, Long> rejectsPerReason = new LinkedHashMap<>();
        try {
            rows = rows.withColumn(BehaviourReplayStage.SAMPLE_ID, monotonically_increasing_id()).persist(StorageLevel.MEMORY_AND_DISK());
            persistedRows = rows;
            Dataset<Row> counted = rows;
            // Statistics join the narrow sample rows once; the (small) user and item tables are
            // broadcast-joined after, so the wide rows are never shuffled.
            Dataset<Row> joined = replay
                    ? rows.join(behaviourStats(rows, items.map(TableLoader.Loaded::rows), events.get().rows(), input,
                            config.getFeatureConfig().getBehaviourStats()), BehaviourReplayStage.SAMPLE_ID)
                    : rows;
            if (users.isPresent()) {
                joined = joinSide(joined, users.get().rows(), userId, FeatureStage.USER_PREFIX);
            }
            if (items.isPresent()) {
                joined = joinSide(joined, items.get().rows(), itemId, FeatureStage.ITEM_PREFIX);
            }
            for (LabelField label : input.getLabelsList()) {
                Column value = col(label.hasColumn() ? label.getColumn() : label.getName()).cast("double");
                joined = joined.withColumn(label.getName(), label.hasPositiveThreshold()
                        ? when(value.geq(label.getPositiveThreshold()), 1.0).otherwise(0.0) : value);
            }
            List<String> keep = new ArrayList<>();
            if (input.hasRequestIdField()) {
                keep.add(input.getRequestIdField());
            }
            keep.addAll(List.of(userId, itemId, input.getTimeField()));
            input.getLabelsList().forEach(l -> keep.add(l.getName()));
            keep.add(DT);
            Dataset<Row> output = stage.apply(joined, keep);
            // The plan so far is lazy: the sink sees the output's schema before any Spark job runs.
            sink.check(output.schema());

            List<Row> rejectCounts = JobDescriptions.run(spark, "count rejects",
                    () -> allRejects.groupBy("table", "reason").count().orderBy("table", "reason").collectAsList());
            for (Row r : rejectCounts) {
                rejectsPerReason.put(r.getString(0) + ": " + r.getString(1), r.getLong(2));
            }
            // A daily run keeps other days' rejects: each run owns rejects/ or rejects/dt=<date>/.
            String rejectsTarget = date.map(d -> rejectsPath + "/" + DT + "=" + d).orElse(rejectsPath);
            JobDescriptions.run(spark, "write rejects", () -> allRejects.write().mode(SaveMode.Overwrite).json(rejectsTarget));
            kept = JobDescriptions.run(spark, "count samples", () -> counted.count());
            rejectedSamples = rejectsPerReason.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("input_config.samples:")).mapToLong(Map.Entry::getValue).sum();
            checkRejects(kept, rejectedSamples, rejectsPerReason, rejectsTarget);
            String written = DT + "=" + date.orElse("*");
            JobDescriptions.run(spark, (replay ? "replay and write " : "write ") + written, () -> sink.write(output));

            for (Row r : JobDescriptions.run(spark, "count samples per day", () -> counted.groupBy(DT).count().orderBy(DT).collectAsList())) {
                perDate.put(r.getString(0), r.getLong(1));
            }
        } finally {
            if (persistedRows != null) {
                persistedRows.unpersist();
            }
            allRejects.unpersist();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info("Wrote {} samples in {} partitions to {} in {} s; rejects {}", kept, perDate.size(), sink.location(),
                String.format(Locale.ROOT, "%.1f", seconds), rejectsPerReason);
        return new Summary(perDate, rejectsPerReason, kept, rejectedSamples, seconds);
    }

    /** Loads an input table: listing its files or reading its schema can start jobs. */
    private TableLoader.Loaded load(TableLoader loader, TableInput table, String configPath) {
        return JobDescriptions.run(spark, "read inputs", () -> loader.load(table, configPath));
    }

    /** The key (and, for snapshot tables, dt) columns of a side table, renamed apart from the samples'. */
    private static Dataset<Row> keyTable(Dataset<Row> table, String key) {
        return isSnapshot(table) ? table.select(col(key).as("_key"), col(DT).as("_key_dt")) : table.select(col(key).as("_key"));
    }

    private static Column knownKey(Dataset<Row> rows, Dataset<Row> table, String key) {
        Column on = rows.col(key).equalTo(col("_key"));
        return isSnapshot(table) ? on.and(rows.col(DT).equalTo(col("_key_dt"))) : on;
    }

    private static Dataset<Row> unknownKeyRejects(Dataset<Row> rows, Dataset<Row> table, Column known, String key) {
        String reason = isSnapshot(table) ? "unknown " + key + " on the sample's dt" : "unknown " + key;
        return rows.join(keyTable(table, key), known, "left_anti")
                .select(lit("input_config.samples").as("table"), lit(reason).as("reason"),
                        org.apache.spark.sql.functions.to_json(org.apache.spark.sql.functions.struct(col("*"))).as("row"));
    }

    private void checkRejects(long kept, long rejectedSamples, Map<String, Long> perReason, String rejectsPath) {
        long total = kept + rejectedSamples;
        double maxFraction = config.getInputConfig().getRejects().getMaxFraction();
        if (total > 0 && rejectedSamples > maxFraction * total) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "%d of %d samples (%.4f) were rejected, more than input_config.rejects.max_fraction %s; by reason %s; rows in %s",
                    rejectedSamples, total, (double) rejectedSamples / total, maxFraction, perReason, rejectsPath));
        }
    }

    /**
     * Adds the side table's columns as {@code <prefix><column>}, matched on the key. A table with a
     * {@code dt} column holds daily snapshots and is matched on the sample's day too, so samples
     * see user and item fields as of their own date.
     */
    private static Dataset<Row> joinSide(Dataset<Row> rows, Dataset<Row> table, String key, String prefix) {
        Dataset<Row> prefixed = table;
        for (String c : table.columns()) {
            prefixed = prefixed.withColumnRenamed(c, prefix + c);
        }
        Column on = rows.col(key).equalTo(prefixed.col(prefix + key));
        if (isSnapshot(table)) {
            on = on.and(rows.col(DT).equalTo(prefixed.col(prefix + DT)));
        }
        return rows.join(prefixed, on, "left");
    }

    private static boolean isSnapshot(Dataset<Row> table) {
        return List.of(table.columns()).contains(DT);
    }

    /**
     * {@link BehaviourReplayStage#SAMPLE_ID} and every statistic, named {@code user__...} and
     * {@code item__...} as the feature stage reads them. The item's category (for user x category
     * counts) is its column named like the log's category_field.
     */
    private static Dataset<Row> behaviourStats(Dataset<Row> rows, Optional<Dataset<Row>> items, Dataset<Row> events,
                                               InputConfig input, BehaviourStats stats) {
        BehaviourLogInput log = input.getBehaviours();
        String itemId = input.getItemIdField();
        Dataset<Row> queries = rows.select(col(BehaviourReplayStage.SAMPLE_ID), col(input.getUserIdField()), col(itemId),
                col(input.getTimeField()), col(DT));
        boolean hasCategory = log.hasCategoryField() && items.isPresent()
                && List.of(items.get().columns()).contains(log.getCategoryField());
        if (hasCategory) {
            boolean snapshot = isSnapshot(items.get());
            Dataset<Row> categories = items.get().select(col(itemId).as("_category_item"),
                    (snapshot ? col(DT) : lit(null).cast("string")).as("_category_dt"),
                    col(log.getCategoryField()).cast("string").as(BehaviourReplayStage.ITEM_CATEGORY));
            Column on = queries.col(itemId).equalTo(categories.col("_category_item"));
            if (snapshot) {
                on = on.and(queries.col(DT).equalTo(categories.col("_category_dt")));
            }
            queries = queries.join(categories, on, "left").drop("_category_item", "_category_dt");
        } else {
            queries = queries.withColumn(BehaviourReplayStage.ITEM_CATEGORY, lit(null).cast("string"));
        }
        Dataset<Row> logEvents = log.hasCategoryField() ? events : events.withColumn("_no_category", lit(null).cast("string"));
        BehaviourReplayStage.Columns columns = new BehaviourReplayStage.Columns(input.getUserIdField(), itemId,
                input.getTimeField(), log.getUserIdField(), log.getItemIdField(), log.getEventField(), log.getTimeField(),
                log.hasCategoryField() ? log.getCategoryField() : "_no_category");
        Dataset<Row> user = BehaviourReplayStage.userStats(queries, logEvents, stats, columns);
        for (String name : BehaviourStatsFields.userFields(stats)) {
            user = user.withColumnRenamed(name, FeatureStage.USER_PREFIX + name);
        }
        for (String name : BehaviourStatsFields.userCategoryCountFields(stats)) {
            user = user.withColumnRenamed(name, FeatureStage.ITEM_PREFIX + name);
        }
        Dataset<Row> item = BehaviourReplayStage.itemStats(queries, logEvents, stats, columns);
        for (String name : BehaviourStatsFields.itemCountFields(stats)) {
            item = item.withColumnRenamed(name, FeatureStage.ITEM_PREFIX + name);
        }
        return user.join(item, BehaviourReplayStage.SAMPLE_ID);
    }
}

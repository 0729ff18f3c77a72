package org.recspark.jobs.samples;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.shiftrightunsigned;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.recspark.config.ConfigException;
import org.recspark.config.SampleRoles;
import org.recspark.config.Violation;
import org.recspark.config.proto.BehaviourLogInput;
import org.recspark.config.proto.BehaviourStats;
import org.recspark.config.proto.DSSM;
import org.recspark.config.proto.FieldSchema;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.LabelField;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TableInput;
import org.recspark.jobs.JobDescriptions;
import org.recspark.trainer.plan.SampleSchema;
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
    /** The one day of samples without a time or a dt column. */
    public static final String UNDATED = "undated";
    /** Why an impression is rejected: the loader's reason, else a side table's; null when kept. */
    private static final String SAMPLE_REASON = "_sample_reason";
    /** The input table a checked row comes from, by its config path; and a rejected row's raw text. */
    private static final String SOURCE_TABLE = "_source_table";
    private static final String RAW_ROW = "_raw_row";
    private static final String SAMPLES_PATH = "input_config.samples";
    private static final String EVAL_TABLE_PATH = "input_config.split.eval_table";
    private static final String EVENTS_PATH = "input_config.behaviours.table";
    private static final long SAMPLES_PER_REPLAY_TASK = 1L << 20;
    private static final long EVENT_BYTES_PER_REPLAY_TASK = 128L << 20;

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
        return run(sink, rejectsPath, date, UnaryOperator.identity(), stage);
    }

    /**
     * @param select which of the checked sample rows go on to the stage (predict's --split); the
     *     columns it adds are kept in the output
     */
    public Summary run(SampleSink sink, String rejectsPath, Optional<String> date, UnaryOperator<Dataset<Row>> select, RowStage stage) {
        long start = System.nanoTime();
        InputConfig input = config.getInputConfig();
        // Validated: a users or items table, and the behaviour replay, imply the role they are joined on.
        String userId = input.getUserIdField();
        String itemId = input.getItemIdField();
        if (date.isPresent() && SampleRoles.time(input).isEmpty()
                && input.getSamples().getSchemaList().stream().noneMatch(f -> f.getName().equals(DT))) {
            throw new ConfigException(List.of(new Violation("input_config.time_field", "a date (" + date.get() + ") selects the "
                    + "samples of one day, but the samples table has no column '" + input.getTimeField() + "' nor a " + DT + " column")));
        }
        TableLoader loader = new TableLoader(spark, baseDir);
        TableLoader.Loaded samples = load(loader, input.getSamples(), SAMPLES_PATH, sampleRequirements(input));
        // An eval_table split's rows go through the same checks, joins and behaviour replay (over the
        // same logs) as the samples', marked by the column the split selects them by.
        boolean evalTable = input.getSplit().hasEvalTable();
        if (evalTable) {
            requireSampleColumns(input);
        }
        Optional<TableLoader.Loaded> evalRows = evalTable
                ? Optional.of(load(loader, input.getSplit().getEvalTable(), EVAL_TABLE_PATH, sampleRequirements(input))) : Optional.empty();
        Optional<SideTable> users = input.hasUsers()
                ? Optional.of(side(loader, input.getUsers(), "input_config.users", userId)) : Optional.empty();
        Optional<SideTable> items = input.hasItems()
                ? Optional.of(side(loader, input.getItems(), "input_config.items", itemId)) : Optional.empty();
        boolean replay = config.getFeatureConfig().hasBehaviourStats();
        Optional<TableLoader.Loaded> events = replay
                ? Optional.of(load(loader, input.getBehaviours().getTable(), EVENTS_PATH, eventRequirements(input)))
                : Optional.empty();

        // One pass checks every impression: the loader's checks, then each side table's. Cached, so
        // the reject counts, the per-day counts and the replay read the input once.
        StructType sampleTypes = samples.checked().schema();
        Dataset<Row> checked = marked(samples, SAMPLES_PATH, 0, input, sampleTypes);
        if (evalRows.isPresent()) {
            checked = checked.unionByName(marked(evalRows.get(), EVAL_TABLE_PATH, 1, input, sampleTypes));
        }
        checked = checked.withColumn(DT, day(input));
        if (date.isPresent()) {
            checked = checked.where(col(TableLoader.REASON).isNotNull().or(col(DT).equalTo(date.get())));
        }
        checked = checked.withColumn(SAMPLE_REASON, col(TableLoader.REASON));
        for (Optional<SideTable> side : List.of(users, items)) {
            if (side.isPresent()) {
                checked = side.get().check(checked, SAMPLE_REASON);
            }
        }
        // The samples' columns with dt (the sample time's day) in place of a dt column the table may have.
        Column[] sampleColumns = Stream.concat(input.getSamples().getSchemaList().stream().map(FieldSchema::getName), Stream.of(DT))
                .distinct().map(name -> col("`" + name + "`")).toArray(Column[]::new);
        Column[] keptColumns = evalTable ? Stream.concat(Stream.of(sampleColumns), Stream.of(col(SampleSchema.EVAL_TABLE_ROW))).toArray(Column[]::new)
                : sampleColumns;
        Dataset<Row> cached = checked.persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> allRows = cached.where(col(SAMPLE_REASON).isNull()).select(keptColumns)
                .withColumn(SampleSchema.SPLIT_DRAW, splitDraw(input, checked.schema()));
        Dataset<Row> rejects = cached.where(col(SAMPLE_REASON).isNotNull()).select(col(SOURCE_TABLE).as("table"),
                col(SAMPLE_REASON).as("reason"),
                when(col(TableLoader.REASON).isNotNull(), col(RAW_ROW)).otherwise(to_json(struct(sampleColumns))).as("row"));
        Dataset<Row> allRejects = Stream.of(users.map(SideTable::rejects), items.map(SideTable::rejects),
                events.map(TableLoader.Loaded::rejects)).flatMap(Optional::stream).reduce(rejects, Dataset::unionByName);
        allRejects.persist(StorageLevel.MEMORY_AND_DISK());
        // Unpersisted on failure too: a rerun in the same session (a fixed input) must not be served the cached rows.
        long kept;
        long rejectedSamples;
        Map<String, Long> perDate = new LinkedHashMap<>();
        Map<String, Long> rejectsPerReason = new LinkedHashMap<>();
        try {
            // A selection may run a job (a by-time split's range): inside, so the cached rows are released if it fails.
            Dataset<Row> rows = select.apply(allRows);
            boolean selecting = rows != allRows;
            List<String> selectionColumns = Stream.of(rows.columns()).filter(c -> !List.of(allRows.columns()).contains(c)).toList();
            Map<String, Long> expected = new LinkedHashMap<>();
            for (Row r : JobDescriptions.run(spark, "count samples", () -> rows.groupBy(DT).count().orderBy(DT).collectAsList())) {
                expected.put(r.getString(0), r.getLong(1));
            }
            long expectedTotal = expected.values().stream().mapToLong(Long::longValue).sum();
            // The statistics are appended to the sample rows where they are replayed; the user and
            // item tables are joined after (broadcast when small). Side tables hold one row per
            // key, so no join adds or drops a sample.
            // Planning the replay and feature stages prepares their inputs: Spark starts the
            // broadcasts of the small side tables then.
            Dataset<Row> joined = replay
                    ? JobDescriptions.run(spark, "broadcast side tables", () -> withBehaviourStats(rows, items.map(SideTable::rows),
                            events.get().rows(), input, config.getFeatureConfig().getBehaviourStats(),
                            replayPartitions(expectedTotal, events.get().rows())))
                    : rows;
            if (users.isPresent()) {
                joined = joinSide(joined, users.get().rows(), userId, FeatureStage.USER_PREFIX);
            }
            if (items.isPresent()) {
                joined = joinSide(joined, items.get().rows(), itemId, FeatureStage.ITEM_PREFIX);
            }
            for (LabelField label : input.getLabelsList()) {
                if (input.getPositivesOnly()) {
                    joined = joined.withColumn(label.getName(), lit(1.0));
                    continue;
                }
                Column value = col(label.hasColumn() ? label.getColumn() : label.getName()).cast("double");
                joined = joined.withColumn(label.getName(), label.hasPositiveThreshold()
                        ? when(value.geq(label.getPositiveThreshold()), 1.0).otherwise(0.0) : value);
            }
            // A set: one column may serve several roles (the user id as request id too), and is kept once.
            Set<String> keep = new LinkedHashSet<>();
            if (input.hasRequestIdField()) {
                keep.add(input.getRequestIdField());
            }
            SampleRoles.userId(input).ifPresent(keep::add);
            SampleRoles.itemId(input).ifPresent(keep::add);
            SampleRoles.time(input).ifPresent(keep::add);
            input.getLabelsList().forEach(l -> keep.add(l.getName()));
            keep.add(DT);
            keep.add(SampleSchema.SPLIT_DRAW);
            if (evalTable) {
                keep.add(SampleSchema.EVAL_TABLE_ROW);
            }
            keep.addAll(selectionColumns);
            Dataset<Row> stageInput = joined;
            Dataset<Row> output = JobDescriptions.run(spark, "broadcast side tables", () -> stage.apply(stageInput, List.copyOf(keep)));
            // The sink sees the output's schema before the samples are written.
            sink.check(output.schema());

            List<Row> rejectCounts = JobDescriptions.run(spark, "count rejects",
                    () -> allRejects.groupBy("table", "reason").count().orderBy("table", "reason").collectAsList());
            for (Row r : rejectCounts) {
                rejectsPerReason.put(r.getString(0) + ": " + r.getString(1), r.getLong(2));
            }
            // A daily run keeps other days' rejects: each run owns rejects/ or rejects/dt=<date>/.
            String rejectsTarget = date.map(d -> rejectsPath + "/" + DT + "=" + d).orElse(rejectsPath);
            JobDescriptions.run(spark, "write rejects", () -> allRejects.write().mode(SaveMode.Overwrite).json(rejectsTarget));
            rejectedSamples = rejectsPerReason.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(SAMPLES_PATH + ":") || e.getKey().startsWith(EVAL_TABLE_PATH + ":")).mapToLong(Map.Entry::getValue).sum();
            // Rejects are a fraction of every sample read, whichever of them the selection keeps.
            long passed = selecting ? JobDescriptions.run(spark, "count samples", allRows::count) : expectedTotal;
            checkNotEmpty(passed + rejectedSamples, samples.source(), date);
            checkRejects(passed, rejectedSamples, rejectsPerReason, rejectsTarget);
            // A rejected event rejects no sample, it only lowers the replayed counts: the log answers for its own rows.
            if (events.isPresent()) {
                checkTableRejects(rejectsPerReason, EVENTS_PATH,
                        JobDescriptions.run(spark, "count behaviour events", () -> events.get().checked().count()), rejectsTarget);
            }
            String written = DT + "=" + date.orElse("*");
            // A day built without rows must not keep an earlier run's rows: the sink removes it.
            Set<String> emptiedDays = date.filter(d -> !expected.containsKey(d)).map(Set::of).orElse(Set.of());
            if (!emptiedDays.isEmpty()) {
                LOG.warn("No samples for {}={} in this run: its earlier partition in {}, if any, is removed", DT, date.get(), sink.location());
            }
            JobDescriptions.run(spark, (replay ? "replay and write " : "write ") + written, () -> sink.write(output, expected.keySet(), emptiedDays));
            perDate.putAll(JobDescriptions.run(spark, "count samples per day", () -> sink.written(spark, expected.keySet())));
            if (!perDate.equals(expected)) {
                throw new IllegalStateException("wrote " + perDate + " samples per day to " + sink.location() + ", but " + expected
                        + " passed the checks: the output does not hold what was built");
            }
            kept = perDate.values().stream().mapToLong(Long::longValue).sum();
        } finally {
            cached.unpersist();
            allRejects.unpersist();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info("Wrote {} samples in {} partitions to {} in {} s; rejects {}", kept, perDate.size(), sink.location(),
                String.format(Locale.ROOT, "%.1f", seconds), rejectsPerReason);
        return new Summary(perDate, rejectsPerReason, kept, rejectedSamples, seconds);
    }

    /**
     * A samples-like table's checked rows: its columns in the samples' types, the reason it is
     * rejected (null when kept) with its raw text, the table's config path, and the
     * {@value SampleSchema#EVAL_TABLE_ROW} mark.
     */
    private static Dataset<Row> marked(TableLoader.Loaded loaded, String configPath, int evalTableRow, InputConfig input, StructType types) {
        List<Column> columns = new ArrayList<>();
        for (FieldSchema field : input.getSamples().getSchemaList()) {
            columns.add(col("`" + field.getName() + "`").cast(types.apply(field.getName()).dataType()).as(field.getName()));
        }
        columns.add(col(TableLoader.REASON));
        columns.add(when(col(TableLoader.REASON).isNotNull(), loaded.rawRow()).as(RAW_ROW));
        columns.add(lit(configPath).as(SOURCE_TABLE));
        columns.add(lit(evalTableRow).as(SampleSchema.EVAL_TABLE_ROW));
        return loaded.checked().select(columns.toArray(Column[]::new));
    }

    /** The eval table is built as samples are: it must declare the samples' columns, names and types. */
    private static void requireSampleColumns(InputConfig input) {
        Set<String> samples = columnsOf(input.getSamples());
        Set<String> eval = columnsOf(input.getSplit().getEvalTable());
        if (!samples.equals(eval)) {
            throw new ConfigException(List.of(new Violation(EVAL_TABLE_PATH + ".schema", "must declare the columns of "
                    + SAMPLES_PATH + ".schema " + samples + ", got " + eval)));
        }
    }

    private static Set<String> columnsOf(TableInput table) {
        return table.getSchemaList().stream().map(f -> f.getName() + " " + f.getType()).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Whether the model draws negatives from the item table or scores all of it (full_softmax), which
     * build-samples then writes beside the samples.
     */
    public static boolean needsItemTable(PipelineConfig config) {
        var model = config.getModelConfig();
        return model.hasDssm() && (model.getDssm().hasFullSoftmax() || model.getDssm().hasNegativeSampler()
                && model.getDssm().getNegativeSampler().getPool() == DSSM.NegativeSampler.Pool.ITEM_TABLE);
    }

    /** Whether the model adds hard negatives, which build-samples then writes beside the samples. */
    public static boolean needsHardNegatives(PipelineConfig config) {
        var model = config.getModelConfig();
        return model.hasDssm() && model.getDssm().hasNegativeSampler() && model.getDssm().getNegativeSampler().getHardNegativesPerUser() > 0;
    }

    /** Where build-samples writes the hard negatives of samples written to {@code samplesPath}, and train reads them. */
    public static String hardNegativesBeside(String samplesPath) {
        return samplesPath.replaceAll("/+$", "") + "_hard_negatives";
    }

    /** Where build-samples writes the item table of samples written to {@code samplesPath}, and train reads it. */
    public static String itemTableBeside(String samplesPath) {
        return samplesPath.replaceAll("/+$", "") + "_items";
    }

    /**
     * The item table a negative sampler draws from (dssm.negative_sampler.pool: ITEM_TABLE): every
     * item of input_config.items with its features ({@link #itemFeatures}), written as Parquet rows
     * (the item id column, the features struct) to {@code path}, replacing what is there.
     *
     * @return the items written
     */
    public long writeItemTable(String path) {
        Dataset<Row> features = itemFeatures();
        JobDescriptions.run(spark, "write the item table", () -> features.write().mode(SaveMode.Overwrite).parquet(path));
        long written = JobDescriptions.run(spark, "count the item table", () -> spark.read().parquet(path).count());
        LOG.info("Wrote the {} items of input_config.items with their features to {}", written, path);
        return written;
    }

    /** What {@link #writeHardNegatives} wrote: the pairs written, and those rejected (unknown item, or rejected by the loader). */
    public record HardNegatives(long written, long unknownItem, long rejected) {}

    /**
     * The hard negatives (dssm.negative_sampler.hard_negatives_per_user): each (user, item) pair of
     * input_config.hard_negatives with its item's features, written as Parquet rows (the user id,
     * the item id, the features struct) to {@code path}. A pair whose item the items table does not
     * hold, and a row the loader rejects (a null or blank key), go to {@code rejectsPath} as JSON with
     * their reason, as the samples' rejects do, and count against input_config.rejects.max_fraction
     * of the table's rows.
     */
    public HardNegatives writeHardNegatives(String path, String rejectsPath) {
        InputConfig input = config.getInputConfig();
        String userId = input.getUserIdField();
        String itemId = input.getItemIdField();
        String configPath = "input_config.hard_negatives";
        TableLoader.Loaded pairs = load(new TableLoader(spark, baseDir), input.getHardNegatives(), configPath,
                new TableLoader.Requirements(Set.of(), Set.of(userId, itemId), Set.of()));
        Dataset<Row> items = itemFeatures();
        Dataset<Row> kept = pairs.rows().withColumn(itemId, col("`" + itemId + "`").cast(items.schema().apply(itemId).dataType()));
        // One left join tells known items (with their features) from unknown ones, which are rejects.
        Dataset<Row> known = items.select(col(itemId).as("_known_item"), col(FeatureStage.FEATURES).as("_item_features"));
        Dataset<Row> marked = kept.join(known, kept.col(itemId).equalTo(known.col("_known_item")), "left")
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Dataset<Row> joined = marked.where(col("_known_item").isNotNull())
                    .select(col("`" + userId + "`"), col("`" + itemId + "`"), col("_item_features").as(FeatureStage.FEATURES));
            Column[] pairColumns = TableLoader.columnsOf(input.getHardNegatives());
            Dataset<Row> unknown = marked.where(col("_known_item").isNull()).select(lit(configPath).as("table"),
                    lit("item not in input_config.items").as("reason"), to_json(struct(pairColumns)).as("row"));
            Dataset<Row> rejects = pairs.rejects().unionByName(unknown);
            JobDescriptions.run(spark, "write the hard negatives", () -> joined.write().mode(SaveMode.Overwrite).parquet(path));
            JobDescriptions.run(spark, "write the hard negatives' rejects", () -> rejects.write().mode(SaveMode.Overwrite).json(rejectsPath));
            long written = JobDescriptions.run(spark, "count the hard negatives", joined::count);
            long unknownItem = JobDescriptions.run(spark, "count the hard negatives", unknown::count);
            long rejected = JobDescriptions.run(spark, "count the hard negatives", () -> pairs.rejects().count());
            LOG.info("Wrote {} hard negatives with their item features to {}; rejected {} of an item not in input_config.items and {} "
                    + "malformed rows, to {}", written, path, unknownItem, rejected, rejectsPath);
            new RejectThreshold(input.getRejects().getMaxFraction()).check(unknownItem + rejected, written + unknownItem + rejected,
                    "rows of " + configPath, unknownItem + " of an item not in input_config.items, " + rejected + " malformed; rows in "
                            + rejectsPath);
            return new HardNegatives(written, unknownItem, rejected);
        } finally {
            marked.unpersist();
        }
    }

    /**
     * Every item of input_config.items (its newest dt of a snapshot table) through the feature jar
     * with no user, context or statistics, so its item features are what a sample of it holds: rows
     * of the item id column and the features struct.
     */
    private Dataset<Row> itemFeatures() {
        InputConfig input = config.getInputConfig();
        String itemId = input.getItemIdField();
        SideTable items = side(new TableLoader(spark, baseDir), input.getItems(), "input_config.items", itemId);
        Dataset<Row> rows = items.rows();
        if (isSnapshot(rows)) {
            rows = rows.withColumn("_newest", row_number().over(Window.partitionBy(col("`" + itemId + "`")).orderBy(col(DT).desc())))
                    .where(col("_newest").equalTo(1)).drop("_newest");
        }
        Dataset<Row> prefixed = rows.select(Stream.concat(Stream.of(col("`" + itemId + "`")), Stream.of(rows.columns())
                .map(c -> col("`" + c + "`").as(FeatureStage.ITEM_PREFIX + c))).toArray(Column[]::new));
        return FeatureStage.apply(prefixed, config.getFeatureConfig(), baseDir, List.of(itemId));
    }

    private TableLoader.Loaded load(TableLoader loader, TableInput table, String configPath, TableLoader.Requirements requirements) {
        return JobDescriptions.run(spark, "read inputs", () -> loader.load(table, configPath, requirements));
    }

    /** A users or items table: its key non-null and non-blank, one row per key under its duplicate-key policy. */
    private SideTable side(TableLoader loader, TableInput table, String configPath, String key) {
        TableLoader.Loaded loaded = load(loader, table, configPath, new TableLoader.Requirements(Set.of(), Set.of(key), Set.of()));
        return JobDescriptions.run(spark, "check " + configPath + " keys", () -> SideTable.of(loaded, table, key, configPath));
    }

    /**
     * The day of each sample: of its time when the samples have one, else the table's own dt
     * column, else {@value #UNDATED} for every sample (one partition).
     */
    private static Column day(InputConfig input) {
        Optional<String> time = SampleRoles.time(input);
        if (time.isPresent()) {
            // The day in the session's time zone (UTC): a date cast to text, not a timestamp
            // formatted to text and parsed back, which cost 2% of the job.
            return to_date(timestamp_seconds(col(time.get()))).cast("string");
        }
        boolean hasDay = input.getSamples().getSchemaList().stream().anyMatch(f -> f.getName().equals(DT));
        return hasDay ? col(DT).cast("string") : lit(UNDATED);
    }

    /**
     * A uniform number in [0, 1) from a hash of the sample's raw columns: what a random split selects
     * on, so a row lands in the same split in the built samples and in predict's rows.
     */
    private static Column splitDraw(InputConfig input, StructType schema) {
        Column[] raw = input.getSamples().getSchemaList().stream().map(f -> {
            Column c = col("`" + f.getName() + "`");
            // Spark hashes no map; its JSON text stands for it
            return schema.apply(f.getName()).dataType() instanceof MapType ? to_json(c) : c;
        }).toArray(Column[]::new);
        return shiftrightunsigned(xxhash64(raw), 11).cast("double").multiply(0x1.0p-53);
    }

    /** Keys, request id, time and labels of every impression; binary labels 0 or 1. */
    private TableLoader.Requirements sampleRequirements(InputConfig input) {
        Set<String> keys = new LinkedHashSet<>();
        SampleRoles.userId(input).ifPresent(keys::add);
        SampleRoles.itemId(input).ifPresent(keys::add);
        if (input.hasRequestIdField()) {
            keys.add(input.getRequestIdField());
        }
        Set<String> required = new LinkedHashSet<>();
        SampleRoles.time(input).ifPresent(required::add);
        if (input.getPositivesOnly()) {
            return new TableLoader.Requirements(required, keys, Set.of());
        }
        input.getLabelsList().forEach(l -> required.add(l.hasColumn() ? l.getColumn() : l.getName()));
        return new TableLoader.Requirements(required, keys, BinaryLabelColumns.of(config));
    }

    private static TableLoader.Requirements eventRequirements(InputConfig input) {
        BehaviourLogInput log = input.getBehaviours();
        return new TableLoader.Requirements(Set.of(log.getEventField(), log.getTimeField()),
                Set.of(log.getUserIdField(), log.getItemIdField()), Set.of());
    }

    /** No sample at all (none kept, none rejected) is an error unless input_config.samples.allow_empty. */
    private void checkNotEmpty(long samples, String source, Optional<String> date) {
        if (samples == 0 && !config.getInputConfig().getSamples().getAllowEmpty()) {
            String where = date.map(d -> source + " has no samples on " + DT + "=" + d).orElse(source + " has no samples");
            throw new ConfigException("input " + source, List.of(new Violation("input_config.samples",
                    where + "; set input_config.samples.allow_empty: true if an empty run is expected")));
        }
    }

    /** A table whose rejected rows reject no sample, held to max_fraction of its own rows. */
    private void checkTableRejects(Map<String, Long> perReason, String configPath, long rows, String rejectsPath) {
        Map<String, Long> own = new LinkedHashMap<>();
        perReason.forEach((reason, count) -> {
            if (reason.startsWith(configPath + ":")) {
                own.put(reason, count);
            }
        });
        long rejected = own.values().stream().mapToLong(Long::longValue).sum();
        new RejectThreshold(config.getInputConfig().getRejects().getMaxFraction()).check(rejected, rows, "rows of " + configPath,
                "by reason " + own + "; rows in " + rejectsPath);
    }

    private void checkRejects(long kept, long rejectedSamples, Map<String, Long> perReason, String rejectsPath) {
        new RejectThreshold(config.getInputConfig().getRejects().getMaxFraction()).check(rejectedSamples, kept + rejectedSamples,
                "samples", "by reason " + perReason + "; rows in " + rejectsPath);
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
     * The sample rows with every statistic appended, named {@code user__...} and {@code item__...}
     * as the feature stage reads them. The item's category (for user x category counts) is its
     * column named like the log's category_field.
     */
    /**
     * The replay's task count, which is also how many files each day's samples are written in:
     * enough tasks for every core, about a million samples or 128 MB of behaviour log per task,
     * and at most spark.sql.shuffle.partitions. A fixed count of shuffle partitions (200 by
     * default) wrote every day's samples in 200 files: MovieLens-100K's 215 days became 29,388
     * files of a few rows each, which readers then wait on.
     */
    private int replayPartitions(long samples, Dataset<Row> events) {
        long eventBytes = events.queryExecution().optimizedPlan().stats().sizeInBytes().longValue();
        long wanted = Math.max(Math.max(ceilDiv(samples, SAMPLES_PER_REPLAY_TASK), ceilDiv(eventBytes, EVENT_BYTES_PER_REPLAY_TASK)),
                spark.sparkContext().defaultParallelism());
        return (int) Math.min(wanted, spark.sessionState().conf().numShufflePartitions());
    }

    private static long ceilDiv(long a, long b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }

    private static Dataset<Row> withBehaviourStats(Dataset<Row> rows, Optional<Dataset<Row>> items, Dataset<Row> events,
                                                   InputConfig input, BehaviourStats stats, int partitions) {
        BehaviourLogInput log = input.getBehaviours();
        String itemId = input.getItemIdField();
        Dataset<Row> queries = rows;
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
        // The user replay comes last: its output is ordered by user and time, so the rows of one
        // request are adjacent and the feature stage computes their request features once.
        Dataset<Row> withItem = BehaviourReplayStage.withItemStats(queries, logEvents, stats, columns, partitions);
        return BehaviourReplayStage.withUserStats(withItem, logEvents, stats, columns, partitions).drop(BehaviourReplayStage.ITEM_CATEGORY);
    }
}

package org.recspark.jobs.consistency;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.SampleRoles;
import org.recspark.config.proto.BehaviourLogInput;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.DenseColumn;
import org.recspark.features.FeatureBatch;
import org.recspark.features.FeatureColumn;
import org.recspark.features.FeatureSpec;
import org.recspark.features.RawRecord;
import org.recspark.features.SparseColumn;
import org.recspark.features.behaviour.BehaviourEvent;
import org.recspark.features.behaviour.BehaviourStatsCalculator;
import org.recspark.features.behaviour.BehaviourStatsLayout;
import org.recspark.jobs.samples.FeatureStage;
import org.recspark.jobs.samples.PartitionedOutputDirectory;
import org.recspark.jobs.samples.SampleBuildJob;
import org.recspark.jobs.samples.SideTable;
import org.recspark.jobs.samples.SparkValues;
import org.recspark.jobs.samples.TableLoader;
import org.recspark.model.data.Examples;
import org.recspark.model.data.ExamplesBuilder;
import org.recspark.predictor.Predictor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that serving computes what training saw: for a sample of training rows, the features are
 * recomputed from the raw inputs the online way (the user's and item's rows, behaviour statistics
 * from their raw events with the feature jar's online calculator) through the exported model's
 * {@link Predictor}, and compared value for value with the stored training sample; the
 * predictor's score from raw inputs is compared with the model's score of the stored sample (what
 * the trainer evaluated). Mismatches are counted per feature, with the first example of each.
 *
 * <p>The sampled rows and the raw rows, users, items and events they need are brought to the
 * driver, so the sample size bounds the memory used.
 */
public final class ConsistencyCheck {
    private static final Logger LOG = LoggerFactory.getLogger(ConsistencyCheck.class);
    /** Scores of the same inputs through the same model agree to float rounding of a different batch composition. */
    public static final double SCORE_TOLERANCE = 1e-6;

    private final SparkSession spark;
    private final InputConfig input;
    private final Path baseDir;
    private final Predictor predictor;

    /** What the check found. */
    public record Report(long rowsChecked, long rowsWithoutRawInput, Map<String, Long> mismatchesByFeature,
                         Map<String, String> firstMismatchByFeature, long scoreMismatches, double maxScoreDifference) {
        public long featureMismatches() {
            return mismatchesByFeature.values().stream().mapToLong(Long::longValue).sum();
        }

        public boolean consistent() {
            return rowsWithoutRawInput == 0 && featureMismatches() == 0 && scoreMismatches == 0;
        }
    }

    /**
     * @param config the pipeline whose input_config names the raw tables the samples were built from
     */
    public ConsistencyCheck(SparkSession spark, PipelineConfig config, Path baseDir, Predictor predictor) {
        this.spark = spark;
        this.input = config.getInputConfig();
        this.baseDir = baseDir;
        this.predictor = predictor;
    }

    public Report run(String samplesPath, int maxRows, long seed) {
        SampleRoles.requireAll(input, "check-consistency (it finds each stored sample's raw row by user, item and time)");
        List<String> keys = new ArrayList<>();
        if (input.hasRequestIdField()) {
            keys.add(input.getRequestIdField());
        }
        keys.addAll(List.of(input.getUserIdField(), input.getItemIdField(), input.getTimeField()));
        Column[] keyColumns = keys.stream().map(k -> col("`" + k + "`")).toArray(Column[]::new);
        Column[] hashed = new Column[keyColumns.length + 1];
        hashed[0] = lit(seed);
        System.arraycopy(keyColumns, 0, hashed, 1, keyColumns.length);
        Dataset<Row> sampled = PartitionedOutputDirectory.read(spark, samplesPath).withColumn("_pick", xxhash64(hashed)).orderBy("_pick").limit(maxRows)
                .drop("_pick").cache();
        List<Row> offline = sampled.collectAsList();
        LOG.info("Checking {} sampled training rows of {}", offline.size(), samplesPath);

        TableLoader loader = new TableLoader(spark, baseDir);
        Dataset<Row> sampleKeys = sampled.select(keyColumns);
        Map<String, Row> rawByKey = new HashMap<>();
        Map<String, Integer> duplicates = new HashMap<>();
        Dataset<Row> rawSamples = loader.load(input.getSamples(), "input_config.samples").rows().join(sampleKeys, scalaSeq(keys), "left_semi");
        for (Row r : rawSamples.collectAsList()) {
            String k = key(r, keys);
            if (rawByKey.put(k, r) != null) {
                duplicates.merge(k, 1, Integer::sum);
            }
        }
        Dataset<Row> users = sampled.select(col("`" + input.getUserIdField() + "`")).distinct();
        Dataset<Row> items = sampled.select(col("`" + input.getItemIdField() + "`")).distinct();
        // The rows build-samples joined: one per key under the table's on_duplicate_key.
        Map<String, Row> userRows = input.hasUsers() ? sideRows(SideTable.of(loader.load(input.getUsers(), "input_config.users"),
                input.getUsers(), input.getUserIdField(), "input_config.users").rows(), users, input.getUserIdField()) : Map.of();
        Map<String, Row> itemRows = input.hasItems() ? sideRows(SideTable.of(loader.load(input.getItems(), "input_config.items"),
                input.getItems(), input.getItemIdField(), "input_config.items").rows(), items, input.getItemIdField()) : Map.of();
        Events events = predictor.config().getFeatureConfig().hasBehaviourStats() ? events(loader, users, items) : null;
        BehaviourStatsCalculator calculator = events == null ? null
                : new BehaviourStatsCalculator(new BehaviourStatsLayout(predictor.config().getFeatureConfig().getBehaviourStats()));

        List<FeatureSpec> specs = predictor.schema().features();
        Map<String, Long> mismatches = new LinkedHashMap<>();
        Map<String, String> firstMismatch = new LinkedHashMap<>();
        long checked = 0;
        long missing = 0;
        long scoreMismatches = 0;
        double maxDiff = 0;
        for (Row stored : offline) {
            String k = key(stored, keys);
            Row raw = rawByKey.get(k);
            if (raw == null || duplicates.containsKey(k)) {
                missing++;
                firstMismatch.putIfAbsent("(raw input)", "row " + k + (raw == null ? ": not in the raw samples table" : ": several raw rows share its key"));
                continue;
            }
            String dt = stored.getAs(SampleBuildJob.DT).toString();
            FeatureBatch online = predictor.features(userRecord(raw, userRows, dt, events, calculator),
                    List.of(itemRecord(raw, itemRows, dt, events, calculator)), record(raw));
            Row storedFeatures = stored.getAs(FeatureStage.FEATURES);
            for (FeatureSpec spec : specs) {
                String difference = compare(spec, storedFeatures, online.column(spec.name()));
                if (difference != null) {
                    mismatches.merge(spec.name(), 1L, Long::sum);
                    firstMismatch.putIfAbsent(spec.name(), "row " + k + ": " + difference);
                }
            }
            Predictor.Scores onlineScores = predictor.score(online);
            Predictor.Scores offlineScores = predictor.score(storedExample(storedFeatures));
            for (String task : predictor.tasks()) {
                float onlineScore = onlineScores.task(task)[0];
                float offlineScore = offlineScores.task(task)[0];
                double diff = Math.abs(onlineScore - offlineScore);
                maxDiff = Math.max(maxDiff, diff);
                if (diff > SCORE_TOLERANCE) {
                    scoreMismatches++;
                    firstMismatch.putIfAbsent("(score)", String.format(Locale.ROOT,
                            "row %s, task %s: %.7f from raw inputs, %.7f from the training sample", k, task, onlineScore, offlineScore));
                }
            }
            checked++;
        }
        sampled.unpersist();
        Report report = new Report(checked, missing, mismatches, firstMismatch, scoreMismatches, maxDiff);
        LOG.info("Consistency: {} rows checked, {} without raw input, feature mismatches {}, {} score mismatches (max difference {})",
                checked, missing, mismatches, scoreMismatches, maxDiff);
        return report;
    }

    private static scala.collection.immutable.Seq<String> scalaSeq(List<String> list) {
        return scala.jdk.javaapi.CollectionConverters.asScala(list).toList();
    }

    private static String key(Row row, List<String> fields) {
        StringBuilder sb = new StringBuilder();
        for (String f : fields) {
            sb.append(sb.length() == 0 ? "" : "/").append(Objects.toString(row.getAs(f)));
        }
        return sb.toString();
    }

    /** A side table's rows for the sampled keys, by key (and by key + "@" + dt for daily snapshot tables). */
    private static Map<String, Row> sideRows(Dataset<Row> table, Dataset<Row> keys, String key) {
        Map<String, Row> out = new HashMap<>();
        boolean snapshot = List.of(table.columns()).contains(SampleBuildJob.DT);
        for (Row r : table.join(keys, scalaSeq(List.of(key)), "left_semi").collectAsList()) {
            String k = Objects.toString(r.getAs(key)) + (snapshot ? "@" + r.getAs(SampleBuildJob.DT) : "");
            out.put(k, r);
        }
        return out;
    }

    /** The raw events of the sampled users and items. */
    private record Events(Map<String, List<BehaviourEvent>> byUser, Map<String, List<BehaviourEvent>> byItem, String categoryField) {}

    private Events events(TableLoader loader, Dataset<Row> users, Dataset<Row> items) {
        BehaviourLogInput log = input.getBehaviours();
        Dataset<Row> all = loader.load(log.getTable(), "input_config.behaviours.table").rows();
        Dataset<Row> ofUsers = all.join(users.withColumnRenamed(input.getUserIdField(), "_u"),
                all.col(log.getUserIdField()).equalTo(col("_u")), "left_semi");
        Dataset<Row> ofItems = all.join(items.withColumnRenamed(input.getItemIdField(), "_i"),
                all.col(log.getItemIdField()).equalTo(col("_i")), "left_semi");
        Map<String, List<BehaviourEvent>> byUser = new HashMap<>();
        Map<String, List<BehaviourEvent>> byItem = new HashMap<>();
        for (Row r : ofUsers.collectAsList()) {
            byUser.computeIfAbsent(Objects.toString(r.getAs(log.getUserIdField())), u -> new ArrayList<>()).add(event(r, log));
        }
        for (Row r : ofItems.collectAsList()) {
            byItem.computeIfAbsent(Objects.toString(r.getAs(log.getItemIdField())), i -> new ArrayList<>()).add(event(r, log));
        }
        return new Events(byUser, byItem, log.hasCategoryField() ? log.getCategoryField() : null);
    }

    private static BehaviourEvent event(Row r, BehaviourLogInput log) {
        Object category = log.hasCategoryField() ? r.getAs(log.getCategoryField()) : null;
        String c = category == null || category.toString().isEmpty() ? null : category.toString();
        return new BehaviourEvent(Objects.toString(r.getAs(log.getItemIdField())), Objects.toString(r.getAs(log.getEventField())),
                ((Number) r.getAs(log.getTimeField())).longValue(), c);
    }

    private RawRecord userRecord(Row raw, Map<String, Row> users, String dt, Events events, BehaviourStatsCalculator calculator) {
        String user = Objects.toString(raw.getAs(input.getUserIdField()));
        Map<String, Object> fields = fields(side(users, user, dt));
        if (calculator != null) {
            calculator.userFields(events.byUser().getOrDefault(user, List.of()), time(raw), fields);
        }
        return withFallback(fields, raw);
    }

    private RawRecord itemRecord(Row raw, Map<String, Row> items, String dt, Events events, BehaviourStatsCalculator calculator) {
        String user = Objects.toString(raw.getAs(input.getUserIdField()));
        String item = Objects.toString(raw.getAs(input.getItemIdField()));
        Map<String, Object> fields = fields(side(items, item, dt));
        if (calculator != null) {
            Object category = events.categoryField() == null ? null : fields.get(events.categoryField());
            calculator.itemFields(events.byItem().getOrDefault(item, List.of()), events.byUser().getOrDefault(user, List.of()), time(raw),
                    category == null || category.toString().isEmpty() ? null : category.toString(), fields);
        }
        return withFallback(fields, raw);
    }

    private static Optional<Row> side(Map<String, Row> rows, String key, String dt) {
        Row r = rows.get(key);
        return Optional.ofNullable(r != null ? r : rows.get(key + "@" + dt));
    }

    private long time(Row raw) {
        return ((Number) raw.getAs(input.getTimeField())).longValue();
    }

    private static Map<String, Object> fields(Optional<Row> row) {
        Map<String, Object> out = new HashMap<>();
        row.ifPresent(r -> {
            String[] names = r.schema().fieldNames();
            for (int i = 0; i < names.length; i++) {
                if (!r.isNullAt(i)) {
                    out.put(names[i], SparkValues.toJava(r.get(i)));
                }
            }
        });
        return out;
    }

    /** A side's fields, falling back to the sample's own columns for fields the side's table lacks (as the sample job joins them). */
    private static RawRecord withFallback(Map<String, Object> fields, Row raw) {
        RawRecord sample = record(raw);
        return field -> fields.containsKey(field) ? fields.get(field) : sample.get(field);
    }

    private static RawRecord record(Row raw) {
        List<String> names = List.of(raw.schema().fieldNames());
        return field -> {
            int i = names.indexOf(field);
            return i < 0 || raw.isNullAt(i) ? null : SparkValues.toJava(raw.get(i));
        };
    }

    /** Null when equal, else the two values. */
    private static String compare(FeatureSpec spec, Row stored, FeatureColumn online) {
        if (spec.sparse()) {
            SparseColumn s = (SparseColumn) online;
            long[] onlineIds = new long[s.length(0)];
            float[] onlineWeights = s.hasWeights() ? new float[s.length(0)] : null;
            for (int k = s.start(0); k < s.end(0); k++) {
                onlineIds[k - s.start(0)] = s.id(k);
                if (onlineWeights != null) {
                    onlineWeights[k - s.start(0)] = s.weight(k);
                }
            }
            long[] storedIds = longs(stored.getList(stored.fieldIndex(spec.name())));
            if (!Arrays.equals(storedIds, onlineIds)) {
                return "ids " + Arrays.toString(storedIds) + " in the training sample, " + Arrays.toString(onlineIds) + " from raw inputs";
            }
            if (spec.weighted()) {
                float[] storedWeights = floats(stored.getList(stored.fieldIndex(spec.name() + FeatureStage.WEIGHTS_SUFFIX)));
                if (!Arrays.equals(storedWeights, onlineWeights)) {
                    return "weights " + Arrays.toString(storedWeights) + " in the training sample, " + Arrays.toString(onlineWeights)
                            + " from raw inputs";
                }
            }
            return null;
        }
        DenseColumn d = (DenseColumn) online;
        float[] onlineValues = new float[d.dim()];
        for (int j = 0; j < d.dim(); j++) {
            onlineValues[j] = d.value(0, j);
        }
        float[] storedValues = floats(stored.getList(stored.fieldIndex(spec.name())));
        return Arrays.equals(storedValues, onlineValues) ? null
                : "values " + Arrays.toString(storedValues) + " in the training sample, " + Arrays.toString(onlineValues) + " from raw inputs";
    }

    private Examples storedExample(Row features) {
        List<FeatureSpec> specs = predictor.schema().features();
        long[][] ids = new long[specs.size()][];
        float[][] weights = new float[specs.size()][];
        float[][] dense = new float[specs.size()][];
        for (int f = 0; f < specs.size(); f++) {
            FeatureSpec spec = specs.get(f);
            if (spec.sparse()) {
                ids[f] = longs(features.getList(features.fieldIndex(spec.name())));
                weights[f] = spec.weighted() ? floats(features.getList(features.fieldIndex(spec.name() + FeatureStage.WEIGHTS_SUFFIX))) : null;
            } else {
                dense[f] = floats(features.getList(features.fieldIndex(spec.name())));
            }
        }
        return new ExamplesBuilder(predictor.schema(), List.of()).addRow(ids, weights, dense, new float[0], null).build();
    }

    private static long[] longs(List<Object> values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) values.get(i)).longValue();
        }
        return out;
    }

    private static float[] floats(List<Object> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) values.get(i)).floatValue();
        }
        return out;
    }
}

package org.recspark.config;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.recspark.config.feature.FeatureTypes;
import org.recspark.config.proto.Constraints;
import org.recspark.config.proto.DSSM;
import org.recspark.config.proto.DataFormat;
import org.recspark.config.proto.DailyGuards;
import org.recspark.config.proto.DataSource;
import org.recspark.config.proto.ExportConfig;
import org.recspark.config.proto.Exporter;
import org.recspark.config.proto.ExporterType;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureGroup;
import org.recspark.config.proto.FieldSchema;
import org.recspark.config.proto.FieldType;
import org.recspark.config.proto.GroupType;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.LabelField;
import org.recspark.config.proto.ModelConfig;
import org.recspark.config.proto.Optimizer;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchParam;
import org.recspark.config.proto.SearchSpace;
import org.recspark.config.proto.TableInput;
import org.recspark.config.proto.TaskTower;

/**
 * Cross-references between the sections of a pipeline: inputs, features, model, training, evaluation,
 * search. Only the model rules that hold for every model are here (groups, tasks, labels); each
 * model's own rules are its check in the model module's registry, which the pipeline plan runs.
 */
final class PipelineRules {
    /** The day partition column of built samples, which a by-date split selects on. */
    private static final String DAY_COLUMN = "dt";
    /** {@code ModelConfig.model}, the oneof that selects the model. */
    private static final OneofDescriptor MODEL_ONEOF =
            ModelConfig.getDescriptor().findFieldByNumber(ModelConfig.LR_FIELD_NUMBER).getContainingOneof();

    private PipelineRules() {}

    static void check(PipelineConfig config, List<Violation> out) {
        Map<String, Feature> features = new HashMap<>();
        config.getFeatureConfig().getFeaturesList().forEach(f -> features.putIfAbsent(f.getName(), f));
        if (config.hasInputConfig()) {
            checkInput(config.getInputConfig(), config, out);
        }
        List<String> tasks = new ArrayList<>();
        if (config.hasModelConfig()) {
            checkModel(config.getModelConfig(), features, labels(config), tasks, out);
        }
        if (config.hasTrainConfig()) {
            var train = config.getTrainConfig();
            if (train.hasSparseOptimizer()) {
                checkOptimizer(train.getSparseOptimizer(), "train_config.sparse_optimizer", true, out);
            }
            if (train.hasDenseOptimizer()) {
                checkOptimizer(train.getDenseOptimizer(), "train_config.dense_optimizer", false, out);
            }
        }
        if (config.hasEvalConfig()) {
            var metrics = config.getEvalConfig().getMetricsList();
            for (int i = 0; i < metrics.size(); i++) {
                String path = ConfigPaths.index("eval_config", "metrics", i);
                if (metrics.get(i).getKindCase() == org.recspark.config.proto.Metric.KindCase.KIND_NOT_SET) {
                    out.add(new Violation(path, "no metric set: expected one of auc, gauc, logloss, mse, rmse, mae, "
                            + "calibration, precision_recall, recall_at_k, hit_rate_at_k, ndcg_at_k, mrr_at_k"));
                }
                if (metrics.get(i).hasTask() && !tasks.contains(metrics.get(i).getTask())) {
                    out.add(new Violation(path + ".task", "must name a task of the multi-task model " + tasks
                            + ", got '" + metrics.get(i).getTask() + "'"));
                }
            }
        }
        if (config.hasExportConfig()) {
            checkExport(config.getExportConfig(), out);
        }
        if (config.hasHpoConfig()) {
            checkSearch(config.getHpoConfig(), out);
        }
        if (config.getDailyConfig().hasGuards()) {
            checkDailyGuards(config.getDailyConfig().getGuards(), features, out);
        }
    }

    private static void checkDailyGuards(DailyGuards guards, Map<String, Feature> features, List<Violation> out) {
        String path = "daily_config.guards";
        if (guards.getMinPositiveRate() > guards.getMaxPositiveRate()) {
            out.add(new Violation(path + ".min_positive_rate", "must be <= max_positive_rate "
                    + ConfigPaths.number(guards.getMaxPositiveRate()) + ", got " + ConfigPaths.number(guards.getMinPositiveRate())));
        }
        for (int i = 0; i < guards.getFeaturesCount(); i++) {
            if (!features.containsKey(guards.getFeatures(i))) {
                out.add(new Violation(ConfigPaths.index(path, "features", i), "no feature named '" + guards.getFeatures(i)
                        + "' in feature_config"));
            }
        }
    }

    private static Set<String> labels(PipelineConfig config) {
        Set<String> labels = new LinkedHashSet<>();
        config.getInputConfig().getLabelsList().forEach(l -> labels.add(l.getName()));
        return labels;
    }

    private static void checkInput(InputConfig input, PipelineConfig config, List<Violation> out) {
        Set<String> sampleFields = checkTable(input.hasSamples(), input.getSamples(), "input_config.samples", out);
        Set<String> userFields = checkTable(input.hasUsers(), input.getUsers(), "input_config.users", out);
        Set<String> itemFields = checkTable(input.hasItems(), input.getItems(), "input_config.items", out);
        if (input.hasBehaviours()) {
            var log = input.getBehaviours();
            Set<String> logFields = checkTable(log.hasTable(), log.getTable(), "input_config.behaviours.table", out);
            requireColumn(logFields, log.getUserIdField(), "input_config.behaviours.user_id_field", "behaviours", out);
            requireColumn(logFields, log.getItemIdField(), "input_config.behaviours.item_id_field", "behaviours", out);
            requireColumn(logFields, log.getEventField(), "input_config.behaviours.event_field", "behaviours", out);
            requireColumn(logFields, log.getTimeField(), "input_config.behaviours.time_field", "behaviours", out);
            if (log.hasCategoryField()) {
                requireColumn(logFields, log.getCategoryField(), "input_config.behaviours.category_field", "behaviours", out);
            }
        }
        if (input.hasSplit() && input.getSplit().hasEvalTable()) {
            checkTable(true, input.getSplit().getEvalTable(), "input_config.split.eval_table", out);
        }
        checkTable(input.hasHardNegatives(), input.getHardNegatives(), "input_config.hard_negatives", out);
        checkSplitFractions(input, out);
        // A role field set explicitly must name a column; one left at its default is in use only when the column exists.
        SampleRoles.userId(input).ifPresent(c -> requireColumn(sampleFields, c, "input_config.user_id_field", "samples", out));
        SampleRoles.itemId(input).ifPresent(c -> requireColumn(sampleFields, c, "input_config.item_id_field", "samples", out));
        SampleRoles.time(input).ifPresent(c -> requireColumn(sampleFields, c, "input_config.time_field", "samples", out));
        checkRolesNeeded(config, sampleFields, out);
        checkItemTablePool(config, itemFields, out);
        if (input.hasRequestIdField()) {
            requireColumn(sampleFields, input.getRequestIdField(), "input_config.request_id_field", "samples", out);
        }
        Map<String, Integer> firstLabel = new HashMap<>();
        for (int i = 0; i < input.getLabelsCount(); i++) {
            LabelField label = input.getLabels(i);
            Integer first = label.getName().isEmpty() ? null : firstLabel.putIfAbsent(label.getName(), i);
            if (first != null) {
                out.add(new Violation(ConfigPaths.index("input_config", "labels", i) + ".name", "duplicate label '"
                        + label.getName() + "' (first at " + ConfigPaths.index("input_config", "labels", first) + ")"));
            }
            if (!input.getPositivesOnly()) {
                requireColumn(sampleFields, label.hasColumn() ? label.getColumn() : label.getName(),
                        ConfigPaths.index("input_config", "labels", i) + (label.hasColumn() ? ".column" : ".name"), "samples", out);
            }
        }
        if (input.getPositivesOnly()) {
            checkPositivesOnly(input, config, sampleFields, out);
        } else {
            checkLabelNames(input, sampleFields, out);
        }
        if (input.hasUsers()) {
            requireColumn(userFields, input.getUserIdField(), "input_config.user_id_field", "users", out);
        }
        if (input.hasItems()) {
            requireColumn(itemFields, input.getItemIdField(), "input_config.item_id_field", "items", out);
        }
        checkFeatureInputs(config, sampleFields, userFields, itemFields, out);
    }

    /**
     * A role the samples lack (user id, item id, time) while a setting needs it: one violation per
     * role at its field path, naming every setting that needs it.
     */
    private static void checkRolesNeeded(PipelineConfig config, Set<String> sampleFields, List<Violation> out) {
        InputConfig input = config.getInputConfig();
        boolean replay = config.getFeatureConfig().hasBehaviourStats();
        List<String> needUser = new ArrayList<>();
        List<String> needItem = new ArrayList<>();
        List<String> needTime = new ArrayList<>();
        if (input.hasUsers()) {
            needUser.add("input_config.users (joined on it)");
        }
        if (input.hasItems()) {
            needItem.add("input_config.items (joined on it)");
        }
        if (replay) {
            needUser.add("feature_config.behaviour_stats (replayed per user)");
            needItem.add("feature_config.behaviour_stats (replayed per item)");
            needTime.add("feature_config.behaviour_stats (replayed as of each sample's time)");
        }
        if (input.getSplit().hasByTime()) {
            needTime.add("input_config.split.by_time");
        }
        if (input.getSplit().hasLeaveLastOut()) {
            needUser.add("input_config.split.leave_last_out (per user)");
            needTime.add("input_config.split.leave_last_out (the last by time)");
        }
        if (input.getSplit().hasByDate() && !sampleFields.contains(DAY_COLUMN)) {
            needTime.add("input_config.split.by_date (the samples' days; or declare a '" + DAY_COLUMN + "' column)");
        }
        if (config.hasEvalConfig()) {
            var metrics = config.getEvalConfig().getMetricsList();
            for (int i = 0; i < metrics.size(); i++) {
                switch (metrics.get(i).getKindCase()) {
                    case GAUC, RECALL_AT_K, HIT_RATE_AT_K, NDCG_AT_K -> needUser.add(ConfigPaths.index("eval_config", "metrics", i)
                            + " (" + metrics.get(i).getKindCase().name().toLowerCase(java.util.Locale.ROOT) + ", per user)");
                    default -> { }
                }
            }
        }
        requireRole(SampleRoles.userId(input).isPresent(), "input_config.user_id_field", input.getUserIdField(), "user", needUser, out);
        requireRole(SampleRoles.itemId(input).isPresent(), "input_config.item_id_field", input.getItemIdField(), "item", needItem, out);
        requireRole(SampleRoles.time(input).isPresent(), "input_config.time_field", input.getTimeField(), "event time", needTime, out);
    }

    private static void requireRole(boolean present, String path, String column, String role, List<String> neededBy,
                                    List<Violation> out) {
        if (!present && !neededBy.isEmpty()) {
            out.add(new Violation(path, "is required by " + String.join(", ", neededBy) + ", but the samples table has no column '"
                    + column + "'; set " + path + " to the samples' " + role + " column"));
        }
    }

    /**
     * A label column is rewritten under the label's name (as a number, thresholded when set), so that
     * name cannot be a key of the samples, nor another samples column a feature may read.
     */
    private static void checkLabelNames(InputConfig input, Set<String> sampleFields, List<Violation> out) {
        Map<String, String> keys = new LinkedHashMap<>();
        SampleRoles.userId(input).ifPresent(c -> keys.put(c, "input_config.user_id_field"));
        SampleRoles.itemId(input).ifPresent(c -> keys.putIfAbsent(c, "input_config.item_id_field"));
        SampleRoles.time(input).ifPresent(c -> keys.putIfAbsent(c, "input_config.time_field"));
        if (input.hasRequestIdField()) {
            keys.putIfAbsent(input.getRequestIdField(), "input_config.request_id_field");
        }
        for (int i = 0; i < input.getLabelsCount(); i++) {
            LabelField label = input.getLabels(i);
            String path = ConfigPaths.index("input_config", "labels", i) + ".name";
            if (keys.containsKey(label.getName())) {
                out.add(new Violation(path, "'" + label.getName() + "' is also " + keys.get(label.getName())
                        + ": the label is rewritten as a number under its name, so it cannot be a key too; name the label "
                        + "otherwise and set its column: '" + label.getName() + "'"));
            } else if (label.hasColumn() && !label.getColumn().equals(label.getName()) && sampleFields.contains(label.getName())) {
                out.add(new Violation(path, "'" + label.getName() + "' is also a column of the samples table, which the label "
                        + "(read from column '" + label.getColumn() + "') would replace; name the label otherwise"));
            }
        }
    }

    /**
     * Positives-only samples: labels read no column (every one is 1), no samples column shares a
     * label's name (it would be silently replaced), and the model makes its own negatives.
     */
    private static void checkPositivesOnly(InputConfig input, PipelineConfig config, Set<String> sampleFields, List<Violation> out) {
        for (int i = 0; i < input.getLabelsCount(); i++) {
            LabelField label = input.getLabels(i);
            String path = ConfigPaths.index("input_config", "labels", i);
            if (label.hasColumn()) {
                out.add(new Violation(path + ".column", "input_config.positives_only: every label is 1 and read from no column, got column '"
                        + label.getColumn() + "'"));
            }
            if (label.hasPositiveThreshold()) {
                out.add(new Violation(path + ".positive_threshold", "input_config.positives_only: every label is 1, there is no value to threshold"));
            }
            if (sampleFields.contains(label.getName())) {
                out.add(new Violation(path + ".name", "input_config.positives_only: the samples table has a column '" + label.getName()
                        + "', which the constant label would replace; drop positives_only to read it as the label, or name the label otherwise"));
            }
        }
        if (!config.hasModelConfig()) {
            return;
        }
        ModelConfig model = config.getModelConfig();
        boolean makesNegatives = model.hasDssm()
                && (model.getDssm().getInBatchNegatives() || model.getDssm().hasNegativeSampler() || model.getDssm().hasFullSoftmax());
        if (!makesNegatives) {
            String kind = model.getModelCase() == ModelConfig.ModelCase.MODEL_NOT_SET ? "no model"
                    : "model_config." + ModelConfig.getDescriptor().findFieldByNumber(model.getModelCase().getNumber()).getName()
                    + (model.hasDssm() ? " without in-batch negatives, a negative_sampler or full_softmax (pointwise)" : "");
            out.add(new Violation("input_config.positives_only", "every row is a positive, so the model must make its own negatives "
                    + "(dssm with in-batch negatives, a negative_sampler or full_softmax); " + kind + " learns from labels 0 and 1"));
        }
        if (config.hasEvalConfig()) {
            var metrics = config.getEvalConfig().getMetricsList();
            for (int i = 0; i < metrics.size(); i++) {
                var kind = metrics.get(i).getKindCase();
                boolean ranking = switch (kind) {
                    case RECALL_AT_K, HIT_RATE_AT_K, NDCG_AT_K, MRR_AT_K, KIND_NOT_SET -> true;
                    default -> false;
                };
                if (!ranking) {
                    out.add(new Violation(ConfigPaths.index("eval_config", "metrics", i), "input_config.positives_only: every label is 1, so "
                            + kind.name().toLowerCase(java.util.Locale.ROOT) + " has no negatives to measure; use recall_at_k, hit_rate_at_k, "
                            + "ndcg_at_k or mrr_at_k"));
                }
            }
        }
    }

    /**
     * A negative sampler drawing from the item table, or adding hard negatives, needs an items
     * table, and an item group whose features build-samples can compute from an items table row
     * alone: every input an item.field of that table. Hard negatives need their (user, item) table,
     * which nothing else reads.
     */
    private static void checkItemTablePool(PipelineConfig config, Set<String> itemFields, List<Violation> out) {
        ModelConfig model = config.getModelConfig();
        InputConfig input = config.getInputConfig();
        boolean sampler = model.hasDssm() && model.getDssm().hasNegativeSampler();
        boolean full = model.hasDssm() && model.getDssm().hasFullSoftmax();
        boolean pool = full || sampler && model.getDssm().getNegativeSampler().getPool() == DSSM.NegativeSampler.Pool.ITEM_TABLE;
        boolean hard = sampler && model.getDssm().getNegativeSampler().getHardNegativesPerUser() > 0;
        String hardPath = "model_config.dssm.negative_sampler.hard_negatives_per_user";
        if (input.hasHardNegatives()) {
            Set<String> columns = input.getHardNegatives().getSchemaList().stream().map(FieldSchema::getName)
                    .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new));
            requireColumn(columns, input.getUserIdField(), "input_config.hard_negatives.schema", "hard_negatives", out);
            requireColumn(columns, input.getItemIdField(), "input_config.hard_negatives.schema", "hard_negatives", out);
            if (!hard) {
                out.add(new Violation("input_config.hard_negatives", "is read for model_config.dssm.negative_sampler.hard_negatives_per_user "
                        + "only, which is not set above 0"));
            }
        } else if (hard) {
            out.add(new Violation(hardPath, "adds the user's items of input_config.hard_negatives, which is not set"));
        }
        if (!pool && !hard) {
            return;
        }
        String path = full ? "model_config.dssm.full_softmax" : pool ? "model_config.dssm.negative_sampler.pool" : hardPath;
        String what = full ? "full_softmax" : pool ? "ITEM_TABLE" : "hard negatives";
        if (!input.hasItems()) {
            out.add(new Violation(path, (full ? "full_softmax scores every item" : pool ? "ITEM_TABLE draws negatives"
                    : "hard negatives take their item features") + " from input_config.items, which is not set"));
            return;
        }
        Map<String, Feature> features = new HashMap<>();
        config.getFeatureConfig().getFeaturesList().forEach(f -> features.putIfAbsent(f.getName(), f));
        for (FeatureGroup group : model.getFeatureGroupsList()) {
            if (!group.getName().equals(model.getDssm().getItemGroup())) {
                continue;
            }
            for (String name : group.getFeaturesList()) {
                Feature feature = features.get(name);
                if (feature == null) {
                    continue;
                }
                for (String in : FeatureTypes.of(feature).inputs(feature)) {
                    boolean fromTable = in.startsWith("item.") && itemFields.contains(in.substring("item.".length()));
                    if (!fromTable) {
                        out.add(new Violation(path, what + " computes the item features from input_config.items alone, but feature '"
                                + name + "' of the item group '" + group.getName() + "' reads '" + in + "', which is not a column of "
                                + "that table"));
                    }
                }
            }
        }
    }

    /** Held-out fractions leave rows to train on; test dates are neither training nor evaluation dates. */
    private static void checkSplitFractions(InputConfig input, List<Violation> out) {
        var split = input.getSplit();
        if (split.hasByTime() && split.getByTime().getEvalFraction() + split.getByTime().getTestFraction() >= 1) {
            out.add(new Violation("input_config.split.by_time", "eval_fraction + test_fraction must be < 1, got "
                    + (split.getByTime().getEvalFraction() + split.getByTime().getTestFraction())));
        }
        if (split.hasRandom() && split.getRandom().getEvalFraction() + split.getRandom().getTestFraction() >= 1) {
            out.add(new Violation("input_config.split.random", "eval_fraction + test_fraction must be < 1, got "
                    + (split.getRandom().getEvalFraction() + split.getRandom().getTestFraction())));
        }
        if (split.hasByDate()) {
            var dates = split.getByDate();
            for (int i = 0; i < dates.getTestDatesCount(); i++) {
                String d = dates.getTestDates(i);
                if (dates.getTrainDatesList().contains(d) || dates.getEvalDatesList().contains(d)) {
                    out.add(new Violation("input_config.split.by_date.test_dates[" + i + "]",
                            "'" + d + "' is also a training or evaluation date"));
                }
            }
        }
    }

    /** Each "side.field" input of a feature must be a column of that side's table or of the samples table. */
    private static void checkFeatureInputs(PipelineConfig config, Set<String> samples, Set<String> users,
                                           Set<String> items, List<Violation> out) {
        List<Feature> features = config.getFeatureConfig().getFeaturesList();
        if (config.getFeatureConfig().hasBehaviourStats()) {
            if (!config.getInputConfig().hasBehaviours()) {
                out.add(new Violation("feature_config.behaviour_stats", "needs input_config.behaviours, the log to replay"));
            }
            users = new LinkedHashSet<>(users);
            users.addAll(BehaviourStatsFields.userFields(config.getFeatureConfig().getBehaviourStats()));
            items = new LinkedHashSet<>(items);
            items.addAll(BehaviourStatsFields.itemFields(config.getFeatureConfig().getBehaviourStats()));
        }
        for (int i = 0; i < features.size(); i++) {
            for (String input : FeatureTypes.of(features.get(i)).inputs(features.get(i))) {
                int dot = input.indexOf('.');
                if (dot < 0) {
                    continue;
                }
                String side = input.substring(0, dot);
                String field = input.substring(dot + 1);
                Set<String> sideFields = switch (side) {
                    case "user" -> users;
                    case "item" -> items;
                    default -> Set.of();
                };
                if (!samples.contains(field) && !sideFields.contains(field)) {
                    String where = side.equals("context") ? "input_config.samples" : "input_config.samples or input_config." + side + "s";
                    out.add(new Violation(ConfigPaths.index("feature_config", "features", i),
                            "input '" + input + "' is not a column of " + where));
                }
            }
        }
    }

    private static Set<String> checkTable(boolean present, TableInput table, String path, List<Violation> out) {
        Set<String> names = new LinkedHashSet<>();
        if (!present) {
            return names;
        }
        if (table.hasSource() && table.getSource().getLocationCase() == DataSource.LocationCase.LOCATION_NOT_SET) {
            out.add(new Violation(path + ".source", "one of path, hive_table is required"));
        }
        for (int i = 0; i < table.getSchemaCount(); i++) {
            String name = table.getSchema(i).getName();
            if (!name.isEmpty() && !names.add(name)) {
                out.add(new Violation(ConfigPaths.index(path, "schema", i) + ".name", "duplicate column '" + name + "'"));
            }
            checkBounds(table.getSchema(i), ConfigPaths.index(path, "schema", i), out);
        }
        if (table.hasOnDuplicateKey() && !path.equals("input_config.users") && !path.equals("input_config.items")) {
            out.add(new Violation(path + ".on_duplicate_key", "applies to input_config.users and input_config.items only, "
                    + "the tables looked up by key"));
        }
        DataSource source = table.getSource();
        if (source.getMultiLine() && (source.hasHiveTable() || source.getFormat() != DataFormat.CSV)) {
            out.add(new Violation(path + ".source.multi_line", "applies to CSV files only, the source is "
                    + (source.hasHiveTable() ? "a Hive table" : source.getFormat().name())));
        }
        boolean textList = !source.hasHiveTable() && source.getFormat() == DataFormat.INTERACTION_LIST;
        if (textList) {
            checkInteractionList(table, path, path + ".source.format", "INTERACTION_LIST", "an INTERACTION_LIST", "line", out);
        }
        if (table.getItemArray()) {
            if (textList || (!source.hasHiveTable() && source.getFormat() != DataFormat.PARQUET && source.getFormat() != DataFormat.ORC)) {
                out.add(new Violation(path + ".item_array", "reads an array column of a Parquet or ORC file or a Hive table, the source is "
                        + source.getFormat().name() + (textList ? " (already a list of items per line; drop item_array)" : "")));
            }
            checkInteractionList(table, path, path + ".item_array", "item_array", "an item_array table", "row", out);
        }
        return names;
    }

    /**
     * An interaction list (format INTERACTION_LIST, or item_array) is the samples: a user column, an
     * item column and optionally a position column.
     */
    private static void checkInteractionList(TableInput table, String path, String settingPath, String setting, String form, String unit,
                                             List<Violation> out) {
        if (!path.equals("input_config.samples")) {
            out.add(new Violation(settingPath, setting + " applies to input_config.samples only"));
            return;
        }
        List<FieldSchema> schema = table.getSchemaList();
        if (schema.size() < 2 || schema.size() > 3) {
            out.add(new Violation(path + ".schema", form + " " + unit + " gives a user column, an item column and optionally "
                    + "an INT64 position column; the schema declares " + schema.size() + " columns"));
            return;
        }
        for (int i = 0; i < 2; i++) {
            FieldType type = schema.get(i).getType();
            if (type != FieldType.STRING && type != FieldType.INT64) {
                out.add(new Violation(ConfigPaths.index(path, "schema", i) + ".type", (i == 0 ? "the user" : "the item")
                        + " column of " + form + " is STRING or INT64, got " + type));
            }
        }
        if (schema.size() == 3 && schema.get(2).getType() != FieldType.INT64) {
            out.add(new Violation(ConfigPaths.index(path, "schema", 2) + ".type", "the position column of " + form
                    + " is INT64, got " + schema.get(2).getType()));
        }
    }

    /** Range bounds are numeric and ordered. */
    private static void checkBounds(FieldSchema field, String path, List<Violation> out) {
        boolean numeric = field.getType() == FieldType.INT64 || field.getType() == FieldType.DOUBLE;
        for (var bound : List.of(Map.entry("min", field.hasMin()), Map.entry("max", field.hasMax()))) {
            if (bound.getValue() && !numeric) {
                out.add(new Violation(path + "." + bound.getKey(), "applies to INT64 and DOUBLE columns, '" + field.getName()
                        + "' is " + field.getType()));
            }
        }
        if (field.hasMin() && field.hasMax() && field.getMin() > field.getMax()) {
            out.add(new Violation(path + ".min", "must be <= max " + ConfigPaths.number(field.getMax()) + ", got "
                    + ConfigPaths.number(field.getMin())));
        }
        for (var bound : List.of(Map.entry("min", field.getMin()), Map.entry("max", field.getMax()))) {
            if (Double.isNaN(bound.getValue())) {
                out.add(new Violation(path + "." + bound.getKey(), "must be a number, got NaN"));
            }
        }
    }

    private static void requireColumn(Set<String> columns, String column, String path, String table, List<Violation> out) {
        if (!columns.isEmpty() && !columns.contains(column)) {
            out.add(new Violation(path, "'" + column + "' is not a column of the " + table + " table " + columns));
        }
    }

    private static void checkModel(ModelConfig model, Map<String, Feature> features, Set<String> labels,
                                   List<String> tasks, List<Violation> out) {
        Set<String> groups = new HashSet<>();
        for (int i = 0; i < model.getFeatureGroupsCount(); i++) {
            FeatureGroup group = model.getFeatureGroups(i);
            String path = ConfigPaths.index("model_config", "feature_groups", i);
            if (!groups.add(group.getName())) {
                out.add(new Violation(path + ".name", "duplicate feature group '" + group.getName() + "'"));
            }
            for (int j = 0; j < group.getFeaturesCount(); j++) {
                Feature feature = features.get(group.getFeatures(j));
                String featurePath = ConfigPaths.index(path, "features", j);
                if (feature == null) {
                    out.add(new Violation(featurePath, "no feature named '" + group.getFeatures(j) + "' in feature_config"));
                } else if (group.getType() == GroupType.SEQUENCE && feature.getTypeCase() != Feature.TypeCase.SEQUENCE) {
                    out.add(new Violation(featurePath, "a SEQUENCE group holds sequence features, '"
                            + feature.getName() + "' is " + FeatureTypes.of(feature).name()));
                }
            }
        }
        if (model.getModelCase() == ModelConfig.ModelCase.MODEL_NOT_SET) {
            out.add(new Violation("model_config", "no model set: expected one of " + String.join(", ", modelNames())));
        } else {
            checkTaskTowers(model, labels, tasks, out);
        }
        if (tasks.isEmpty() && model.getModelCase() != ModelConfig.ModelCase.MODEL_NOT_SET) {
            checkSingleLabel(model, labels, out);
        }
    }

    private static void checkSingleLabel(ModelConfig model, Set<String> labels, List<Violation> out) {
        if (model.hasLabel()) {
            if (!labels.isEmpty() && !labels.contains(model.getLabel())) {
                out.add(new Violation("model_config.label", "must be one of input_config.labels " + labels
                        + ", got '" + model.getLabel() + "'"));
            }
        } else if (labels.size() > 1) {
            out.add(new Violation("model_config.label", "is required when input_config has several labels " + labels));
        }
    }

    /** The names of the oneof {@code ModelConfig.model}'s fields, in the proto's order: what a config may select. */
    static List<String> modelNames() {
        return MODEL_ONEOF.getFields().stream().map(FieldDescriptor::getName).toList();
    }

    /**
     * Every task tower of the selected model (each field of its message of type TaskTower, in field
     * order), whatever the model: task names are distinct and labels are among the input's labels.
     * Found through the descriptor so that a new multi-task model is checked without a line here;
     * the model's own rules (groups, relations) are its {@code check} in the model registry.
     */
    private static void checkTaskTowers(ModelConfig model, Set<String> labels, List<String> tasks, List<Violation> out) {
        FieldDescriptor selected = model.getOneofFieldDescriptor(MODEL_ONEOF);
        if (selected == null || selected.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
            return;
        }
        Message message = (Message) model.getField(selected);
        String modelPath = "model_config." + selected.getName();
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.getMessageType() != TaskTower.getDescriptor()) {
                continue;
            }
            String path = modelPath + "." + field.getName();
            if (field.isRepeated()) {
                for (int j = 0; j < message.getRepeatedFieldCount(field); j++) {
                    checkTask((TaskTower) message.getRepeatedField(field, j), path + "[" + j + "]", labels, tasks, out);
                }
            } else {
                checkTask((TaskTower) message.getField(field), path, labels, tasks, out);
            }
        }
    }

    private static void checkTask(TaskTower tower, String towerPath, Set<String> labels, List<String> tasks, List<Violation> out) {
        if (tasks.contains(tower.getName())) {
            out.add(new Violation(towerPath + ".name", "duplicate task name '" + tower.getName() + "'"));
        }
        tasks.add(tower.getName());
        if (!labels.isEmpty() && tower.hasLabel() && !labels.contains(tower.getLabel())) {
            out.add(new Violation(towerPath + ".label", "must be one of input_config.labels " + labels
                    + ", got '" + tower.getLabel() + "'"));
        }
    }

    private static void checkOptimizer(Optimizer optimizer, String path, boolean sparse, List<Violation> out) {
        Optimizer.KindCase kind = optimizer.getKindCase();
        if (kind == Optimizer.KindCase.KIND_NOT_SET) {
            out.add(new Violation(path, "no optimizer set: expected one of sgd, adagrad, adam, lazy_adam, adamw, ftrl"));
        } else if (sparse && kind == Optimizer.KindCase.ADAMW) {
            out.add(new Violation(path, "adamw is for dense parameters; sparse embeddings use sgd, adagrad, adam, lazy_adam or ftrl"));
        } else if (!sparse && (kind == Optimizer.KindCase.FTRL || kind == Optimizer.KindCase.LAZY_ADAM)) {
            out.add(new Violation(path, kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " is for sparse embeddings; dense parameters use sgd, adagrad, adam or adamw"));
        }
    }

    private static void checkExport(ExportConfig export, List<Violation> out) {
        Set<ExporterType> seen = new HashSet<>();
        for (int i = 0; i < export.getExportersCount(); i++) {
            Exporter exporter = export.getExporters(i);
            String path = ConfigPaths.index("export_config", "exporters", i);
            if (!seen.add(exporter.getType())) {
                out.add(new Violation(path + ".type", "duplicate exporter " + exporter.getType()));
            }
            if (exporter.getType() == ExporterType.BEST && !export.hasBestMetric()) {
                out.add(new Violation("export_config.best_metric", "is required by the BEST exporter at " + path));
            }
        }
    }

    private static void checkSearch(SearchSpace search, List<Violation> out) {
        for (int i = 0; i < search.getParamsCount(); i++) {
            SearchParam param = search.getParams(i);
            String path = ConfigPaths.index("hpo_config", "params", i);
            switch (param.getDomainCase()) {
                case DOMAIN_NOT_SET -> out.add(new Violation(path, "no domain set: expected one of choices, int_range, float_range"));
                case INT_RANGE -> {
                    var range = param.getIntRange();
                    if (range.getMin() > range.getMax()) {
                        out.add(new Violation(path + ".int_range", "min must be <= max, got " + range.getMin() + " > " + range.getMax()));
                    }
                    if (range.getLogScale() && range.getMin() <= 0) {
                        out.add(new Violation(path + ".int_range.min", "log scale needs min > 0, got " + range.getMin()));
                    }
                }
                case FLOAT_RANGE -> {
                    var range = param.getFloatRange();
                    if (!(range.getMin() < range.getMax())) {
                        out.add(new Violation(path + ".float_range", "min must be < max, got "
                                + ConfigPaths.number(range.getMin()) + " >= " + ConfigPaths.number(range.getMax())));
                    }
                    if (range.getLogScale() && range.getMin() <= 0) {
                        out.add(new Violation(path + ".float_range.min", "log scale needs min > 0, got "
                                + ConfigPaths.number(range.getMin())));
                    }
                }
                case CHOICES -> { }
            }
            if (!param.getPath().isEmpty()) {
                String problem = resolveFieldPath(param.getPath());
                if (problem != null) {
                    out.add(new Violation(path + ".path", problem));
                } else if (isLocation(param.getPath())) {
                    // trial configs are validated, not loaded from a file, so a searched location would escape confinement
                    out.add(new Violation(path + ".path", "'" + param.getPath() + "' is a location (or allowed_paths); "
                            + "a search varies hyper-parameters, not where data and files are"));
                }
            }
        }
    }

    /** Whether a valid dotted path ends at a field marked location, or at allowed_paths. */
    private static boolean isLocation(String fieldPath) {
        return FieldPath.parse(fieldPath).fieldAt(PipelineConfig.getDescriptor())
                .filter(field -> field.getOptions().getExtension(Constraints.check).getLocation()
                        || field.getNumber() == PipelineConfig.ALLOWED_PATHS_FIELD_NUMBER
                        && field.getContainingType() == PipelineConfig.getDescriptor())
                .isPresent();
    }

    /** Returns null when the dotted path names a field of PipelineConfig, else what is wrong. */
    static String resolveFieldPath(String fieldPath) {
        return FieldPath.parse(fieldPath).problemIn(PipelineConfig.getDescriptor()).orElse(null);
    }
}

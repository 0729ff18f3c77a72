package org.recspark.trainer.plan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.config.ConfigValidator;
import org.recspark.config.Violation;
import org.recspark.config.proto.Metric;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TrainConfig;
import org.recspark.evaluator.ConfiguredMetrics;
import org.recspark.evaluator.RankingMetric;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.features.FeatureSpec;
import org.recspark.storage.Locations;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.KnowledgeDistillation;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.ModelTypes;
import org.recspark.model.TaskSpec;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.recspark.trainer.optim.DenseOptimizer;
import org.recspark.trainer.optim.SparseOptimizer;

/**
 * Everything a config will do, worked out before any data is read: the compiled features, the
 * model's type, parameter shapes and tasks, the metric names evaluation reports and the samples
 * table training expects. Compiling runs every check a later stage would make (the config's own
 * validation, the feature compile, the model's own checks from the {@link ModelTypes} registry and
 * its constructor, the optimizers and evaluation rules)
 * and reports all their violations at once, so {@code validate-config}, every command and the
 * driver of a distributed run refuse a config the trainer would refuse. Immutable.
 *
 * <p>A config without a model_config (one that only builds samples) plans its features alone: no
 * model, no tasks, no metrics.
 */
public final class PipelinePlan {
    private final PipelineConfig config;
    private final FeatureSchema schema;
    private final String modelType;
    private final List<ParameterShape> parameters;
    private final List<TaskSpec> tasks;
    private final List<String> metricNames;
    private final SampleSchema samples;

    private PipelinePlan(PipelineConfig config, FeatureSchema schema, String modelType, List<ParameterShape> parameters,
                         List<TaskSpec> tasks, List<String> metricNames) {
        this.config = config;
        this.schema = schema;
        this.modelType = modelType;
        this.parameters = List.copyOf(parameters);
        this.tasks = List.copyOf(tasks);
        this.metricNames = List.copyOf(metricNames);
        this.samples = SampleSchema.expected(schema, config.getInputConfig());
    }

    /**
     * Parses a config file strictly and plans it; its relative locations resolve against its
     * directory, and must stay in its tree.
     *
     * @throws ConfigException naming the file and every problem
     */
    public static PipelinePlan load(Path configFile) {
        ConfigParser.Parsed parsed = ConfigParser.read(configFile);
        List<Violation> problems = new ArrayList<>(parsed.problems());
        PipelinePlan plan = null;
        try {
            plan = compile(parsed.config(), Locations.parentOf(configFile));
        } catch (ConfigException e) {
            problems.addAll(e.violations());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(configFile.toString(), problems);
        }
        return plan;
    }

    /**
     * Plans a config whose relative locations (vocabularies) resolve against {@code configDir}.
     *
     * @throws ConfigException with every problem found
     */
    public static PipelinePlan compile(PipelineConfig config, Path configDir) {
        Set<Violation> problems = new LinkedHashSet<>(ConfigParser.violations(config, configDir));
        FeatureSchema schema = null;
        if (problems.stream().noneMatch(v -> v.path().startsWith("feature_config"))) {
            try {
                schema = FeatureGenerator.compile(config.getFeatureConfig(), configDir).schema();
            } catch (ConfigException e) {
                problems.addAll(e.violations());
            }
        }
        return plan(config, schema, problems);
    }

    /**
     * Plans a config whose features are compiled already (on an executor, from a config with its
     * vocabularies inlined). Runs the same checks as {@link #compile(PipelineConfig, Path)} but the
     * location ones, which concern files the compile has read.
     */
    public static PipelinePlan compile(PipelineConfig config, FeatureSchema schema) {
        return plan(config, schema, new LinkedHashSet<>(ConfigValidator.validate(config)));
    }

    /** @param schema null when the features could not be compiled (their problems are in {@code problems}) */
    private static PipelinePlan plan(PipelineConfig config, FeatureSchema schema, Set<Violation> problems) {
        TrainConfig train = config.getTrainConfig();
        problems.addAll(optimizerRules(train));
        if (config.hasModelConfig()) {
            problems.addAll(ModelTypes.check(config));
        }
        ModelParameters params = new ModelParameters(train.getSeed());
        Model model = null;
        boolean modelCheckable = problems.stream().noneMatch(v -> v.path().startsWith("model_config") || v.path().startsWith("input_config"));
        if (schema != null && config.hasModelConfig() && modelCheckable) {
            try {
                model = ModelFactory.create(new ModelContext(config, schema, params));
            } catch (ConfigException e) {
                problems.addAll(e.violations());
            }
        }
        List<TaskSpec> tasks = model == null ? List.of() : model.tasks();
        problems.addAll(KnowledgeDistillation.check(config, model == null ? null : tasks));
        List<String> metricNames = List.of();
        // A metric the field checks refused (recall_at_k { k: 0 }) cannot be built; its violation says why.
        boolean metricsCheckable = problems.stream().noneMatch(v -> v.path().startsWith("eval_config.metrics"));
        if (model != null && metricsCheckable) {
            List<String> taskNames = tasks.stream().map(TaskSpec::name).toList();
            try {
                ConfiguredMetrics metrics = new ConfiguredMetrics(config.getEvalConfig().getMetricsList(), taskNames,
                        config.getInputConfig().getUserIdField());
                metricNames = metrics.names();
                problems.addAll(EvaluationRules.check(config.getExportConfig(), metricNames, taskNames));
            } catch (ConfigException e) {
                problems.addAll(e.violations());
            }
            problems.addAll(rankingRules(config, model));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(firstPerPath(problems));
        }
        String modelType = model == null ? "" : ModelFactory.typeName(config.getModelConfig());
        List<ParameterShape> shapes = model == null ? List.of() : shapes(params, schema);
        return new PipelinePlan(config, schema, modelType, shapes, tasks, metricNames);
    }

    /**
     * Ranking metrics rank an item corpus by a two-tower model's embeddings, with items identified
     * by the item tower's key feature.
     */
    private static List<Violation> rankingRules(PipelineConfig config, Model model) {
        List<Violation> problems = new ArrayList<>();
        List<Metric> metrics = config.getEvalConfig().getMetricsList();
        for (int i = 0; i < metrics.size(); i++) {
            Optional<RankingMetric> ranking = RankingMetric.of(metrics.get(i));
            if (ranking.isEmpty()) {
                continue;
            }
            String path = "eval_config.metrics[" + i + "]";
            if (!(model instanceof TwoTowerModel twoTower)) {
                problems.add(new Violation(path, ranking.get().name() + " ranks the item corpus by a two-tower model's user and item "
                        + "embeddings (dssm, mf_bpr); model_config is " + ModelFactory.typeName(config.getModelConfig())));
            } else if (twoTower.itemKeyFeature() < 0) {
                problems.add(new Violation(path, ranking.get().name() + " needs a sparse feature identifying the item "
                        + "(the first sparse feature of the item tower's group); the item group has none"));
            }
        }
        return problems;
    }

    /**
     * The first problem found at each path: the config's own rules restate some of the trainer's
     * (an optimizer that does not apply, a metric's task) in other words, and one is enough.
     */
    private static List<Violation> firstPerPath(Set<Violation> problems) {
        Set<String> paths = new HashSet<>();
        return problems.stream().filter(v -> paths.add(v.path())).toList();
    }

    /** The optimizers' own rules: which kinds apply to dense parameters and which to embedding tables. */
    private static List<Violation> optimizerRules(TrainConfig train) {
        List<Violation> problems = new ArrayList<>();
        try {
            DenseOptimizer.of(train.getDenseOptimizer(), "train_config.dense_optimizer");
        } catch (ConfigException e) {
            problems.addAll(e.violations());
        }
        try {
            SparseOptimizer.of(train.getSparseOptimizer(), "train_config.sparse_optimizer");
        } catch (ConfigException e) {
            problems.addAll(e.violations());
        }
        return problems;
    }

    /** Dense state at its allocated size; a table (allocated row by row) at the id space of the features it embeds. */
    private static List<ParameterShape> shapes(ModelParameters params, FeatureSchema schema) {
        List<ParameterShape> out = new ArrayList<>();
        for (Parameter p : params.all()) {
            out.add(new ParameterShape(p.name(), p.trainable() ? ParameterShape.Kind.WEIGHT : ParameterShape.Kind.BUFFER, p.rows(), p.cols()));
        }
        for (EmbeddingTable table : params.tables()) {
            long rows = schema.features().stream().filter(f -> f.sparse() && f.embeddingTable().equals(table.name()))
                    .mapToLong(FeatureSpec::idSpaceSize).max().orElse(0);
            out.add(new ParameterShape(table.name(), ParameterShape.Kind.EMBEDDING_TABLE, rows, table.dim()));
        }
        return out;
    }

    public PipelineConfig config() {
        return config;
    }

    /** The compiled features, in the order samples and models see them. */
    public FeatureSchema schema() {
        return schema;
    }

    /** Whether the config has a model_config (else only its features and samples are planned). */
    public boolean hasModel() {
        return !modelType.isEmpty();
    }

    /** The name a checkpoint and an export record for the model type; empty without a model. */
    public String modelType() {
        return modelType;
    }

    /** Every dense parameter, buffer and embedding table of the model, in creation order. */
    public List<ParameterShape> parameters() {
        return parameters;
    }

    /** The model's tasks, in output order. */
    public List<TaskSpec> tasks() {
        return tasks;
    }

    public List<String> taskNames() {
        return tasks.stream().map(TaskSpec::name).toList();
    }

    /** What evaluation reports, in its order. */
    public List<String> metricNames() {
        return metricNames;
    }

    /** The metrics evaluation computes (a new instance: it is cheap and keeps the plan free of shared state). */
    public ConfiguredMetrics metrics() {
        return new ConfiguredMetrics(config.getEvalConfig().getMetricsList(), taskNames(), config.getInputConfig().getUserIdField());
    }

    /** The samples table training reads. */
    public SampleSchema samples() {
        return samples;
    }

    /**
     * A fresh model with its parameters created in {@code params}: the planned one, whose config
     * the plan has checked.
     */
    public Model buildModel(ModelParameters params) {
        if (!hasModel()) {
            throw new IllegalStateException("the config has no model_config");
        }
        return ModelFactory.create(new ModelContext(config, schema, params));
    }

    /** Total floats of the dense state (embedding tables grow with the ids met, so are not counted). */
    public long denseParameterCount() {
        return parameters.stream().filter(p -> p.kind() != ParameterShape.Kind.EMBEDDING_TABLE).mapToLong(ParameterShape::count).sum();
    }

    /** The shape of a parameter or table by name. */
    public Optional<ParameterShape> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}

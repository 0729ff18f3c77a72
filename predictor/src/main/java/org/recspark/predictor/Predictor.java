package org.recspark.predictor;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.export.ExportManifest;
import org.recspark.features.FeatureBatch;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.features.RawRecord;
import org.recspark.model.Model;
import org.recspark.model.ModelOutput;
import org.recspark.model.RequestScoring;
import org.recspark.model.TaskSpec;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.model.data.Examples;
import org.recspark.model.data.ExamplesBuilder;
import org.recspark.model.data.RequestExamples;
import org.recspark.model.nn.Pass;
import org.recspark.model.tensor.Workspace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores raw inputs with an exported model bundle, through the same feature jar the training
 * samples were built with: {@link #predict} takes one user, N items and the request's context,
 * computes the user and context features once for the request (the feature jar broadcasts them)
 * and the item features per item, and runs the model's forward pass in inference mode (no dropout,
 * batch norm with its running statistics). This is the only scoring code: batch prediction on
 * Spark wraps it per partition.
 *
 * <p>Thread-safe: requests may be scored concurrently (weights are only read). Each scoring thread
 * keeps the large arrays of its last request (the per-item input matrix and the layers' activations,
 * about 2 MB for 1,000 items of the benchmark's DeepFM) and reuses them for its next request of the
 * same shape, so a steady stream of requests makes little garbage.
 */
public final class Predictor {
    private static final Logger LOG = LoggerFactory.getLogger(Predictor.class);

    private final ExportBundle bundle;
    private final FeatureGenerator generator;
    private final Model model;
    private final List<TaskSpec> tasks;
    /** Per scoring thread: its last request's large arrays, reused by its next request of that shape. */
    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);

    private Predictor(ExportBundle bundle, ExportBundle.LoadedModel loaded) {
        this.bundle = bundle;
        this.generator = loaded.generator();
        this.model = loaded.model();
        this.tasks = model.tasks();
    }

    /** Loads and verifies a bundle (format version, checksums, input schema, weights' shapes). */
    public static Predictor load(Path bundleDir) {
        ExportBundle bundle = ExportBundle.open(bundleDir);
        Predictor p = new Predictor(bundle, bundle.load());
        ExportManifest m = bundle.manifest();
        LOG.info("Loaded {} model from {} (step {}, {} features, tasks {}, exported by {} at {})", m.getModelType(), bundleDir,
                m.getGlobalStep(), m.getInputSchemaCount(), m.getTasksList(), m.getRecsparkVersion(), m.getCreatedUnixMillis());
        return p;
    }

    /** Scores of one request: per task, one score per item in request order. */
    public record Scores(Map<String, float[]> byTask) {
        /** The only task's scores (single-task models). */
        public float[] scores() {
            if (byTask.size() != 1) {
                throw new IllegalStateException("the model has tasks " + byTask.keySet() + "; name one");
            }
            return byTask.values().iterator().next();
        }

        public float[] task(String name) {
            float[] s = byTask.get(name);
            if (s == null) {
                throw new IllegalArgumentException("no task '" + name + "'; the model's tasks are " + byTask.keySet());
            }
            return s;
        }
    }

    /**
     * Scores N items for one user in one context. Fields are read by name as the feature config
     * names them ({@code user.<field>}, {@code item.<field>}, {@code context.<field>}).
     */
    public Scores predict(RawRecord user, List<? extends RawRecord> items, RawRecord context) {
        return score(features(user, items, context));
    }

    /** The model inputs of a request, exactly as the trainer's samples hold them. */
    public FeatureBatch features(RawRecord user, List<? extends RawRecord> items, RawRecord context) {
        return generator.generate(user, items, context);
    }

    /**
     * Scores a batch of model inputs computed by this predictor's feature generator. A request whose
     * user and context features are broadcast is scored without copying them per item when the
     * model can ({@link RequestScoring}).
     */
    public Scores score(FeatureBatch batch) {
        if (model instanceof RequestScoring scoring && batch.numRows() > 1 && RequestExamples.hasSharedFeatures(batch)) {
            Workspace workspace = workspaces.get();
            workspace.begin();
            return scores(scoring.forwardRequest(RequestExamples.of(batch), workspace));
        }
        Examples examples = new ExamplesBuilder(generator.schema(), List.of()).add(batch, new float[0][], null).build();
        return score(examples);
    }

    /** Scores model inputs already in the trainer's layout (stored training samples). */
    public Scores score(Examples examples) {
        if (examples.numRows() == 0) {
            Map<String, float[]> out = new LinkedHashMap<>();
            tasks.forEach(t -> out.put(t.name(), new float[0]));
            return new Scores(out);
        }
        return scores(model.forward(Pass.inference(examples)));
    }

    private Scores scores(ModelOutput output) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (TaskSpec task : tasks) {
            out.put(task.name(), output.predictions(task));
        }
        return new Scores(out);
    }

    public FeatureSchema schema() {
        return generator.schema();
    }

    public List<String> tasks() {
        return tasks.stream().map(TaskSpec::name).toList();
    }

    /** The label a task was trained on. */
    public String label(String task) {
        return tasks.stream().filter(t -> t.name().equals(task)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no task '" + task + "'; the model's tasks are " + tasks()))
                .label();
    }

    /** The bundle's pipeline config (the model's and features' as trained). */
    public PipelineConfig config() {
        return bundle.config();
    }

    public ExportManifest manifest() {
        return bundle.manifest();
    }

    /** The feature generator: its schema and its counts of bad values replaced by defaults. */
    public FeatureGenerator featureGenerator() {
        return generator;
    }
}

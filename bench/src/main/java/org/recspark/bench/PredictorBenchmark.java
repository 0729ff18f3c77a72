package org.recspark.bench;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.recspark.config.ConfigParser;
import org.recspark.config.feature.FeatureTypes;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.FeatureConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureBatch;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSpec;
import org.recspark.features.FeatureValueException;
import org.recspark.features.RawRecord;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.data.Examples;
import org.recspark.model.data.ExamplesBuilder;
import org.recspark.model.data.SparseValues;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.nn.ModelParameters;
import org.recspark.predictor.Predictor;
import org.recspark.trainer.export.ModelExporter;
import org.recspark.trainer.train.CheckpointWriter;
import org.recspark.trainer.train.Trainer;

/**
 * Serving latency of one request through {@link Predictor}: the request of
 * {@link FeatureGenerationBenchmark} (1 user x 1,000 items, 30 features) scored by a DeepFM over all
 * 30 features (embedding dim 16, MLP 256-128 ReLU, like examples/trainer/movielens_deepfm.pbtxt).
 * The model is trained for a few steps on requests that include this one, so every id of the
 * request has a trained embedding row (the serving case, not the unseen-id path), exported to a
 * bundle and loaded back. End to end, features only, and the forward pass only on precomputed
 * features; sampled per call, so JMH reports percentiles. Single-threaded with single-threaded BLAS;
 * bench/run pins it to one core. The warm-up is a minute, as a serving JVM gets before it takes
 * traffic: methods called once per request reach the optimising compiler only after some 10,000
 * requests, and on one core each of those compilations takes the core from the requests for a
 * few milliseconds (bench/RESULTS.md: with 5 s of warm-up the pinned p99 was twice as high, at
 * the same p50). OpenBLAS 0.3.19 runs its SSE3 (Prescott) kernels on CPUs it does not know, such
 * as the Xeon of bench/RESULTS.md's run; {@code OPENBLAS_CORETYPE=SkylakeX} in the environment
 * selects its AVX-512 ones.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 60, time = 1)
@Measurement(iterations = 20, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Drecspark.blas.threads=1"})
public class PredictorBenchmark {
    /** Requests the model is trained on: the benchmark's own and this many more of the same shape. */
    private static final int OTHER_TRAINING_REQUESTS = 7;

    private static final String MODEL_AND_TRAINING = """
            model_config {
              feature_groups { name: "all" features: [%s] }
              deepfm { dnn { hidden_units: [256, 128] activation: RELU } }
              label: "click"
            }
            train_config {
              batch_size: 1024
              num_epochs: 1
              seed: 2026
              dense_optimizer { adam {} learning_rate { initial: 0.001 } }
              sparse_optimizer { adam {} learning_rate { initial: 0.001 } }
              log_every_steps: 100000
            }
            """;

    private Path bundleDir;
    private Predictor predictor;
    private RawRecord user;
    private RawRecord context;
    private List<RawRecord> items;
    private FeatureBatch features;
    private Examples examples;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        FeatureGenerationBenchmark request = new FeatureGenerationBenchmark();
        request.setUp();
        user = request.user;
        context = request.context;
        items = request.items;
        FeatureGenerator generator = request.generator;

        PipelineConfig config = pipelineConfig();
        ModelParameters params = new ModelParameters(config.getTrainConfig().getSeed());
        Model model = ModelFactory.create(new ModelContext(config, generator.schema(), params));
        bundleDir = Files.createTempDirectory("recspark-predictor-bench");
        try (Trainer trainer = new Trainer(config.getTrainConfig(), model, params, 1)) {
            trainer.fit(trainingExamples(generator, user, items, context), null);
            requireTrainedRows(params, new ExamplesBuilder(generator.schema(), List.of())
                    .add(generator.generate(user, items, context), new float[0][], null).build());
            new ModelExporter(config, bundleDir, generator.schema(), model.tasks(), ModelFactory.typeName(config.getModelConfig()))
                    .export(trainer, bundleDir.resolve("bundle"), "final", Map.of());
        }

        predictor = Predictor.load(bundleDir.resolve("bundle"));
        features = predictor.features(user, items, context);
        examples = new ExamplesBuilder(predictor.schema(), List.of()).add(features, new float[0][], null).build();
        float[] scores = predictor.predict(user, items, context).scores();
        if (scores.length != items.size()) {
            throw new IllegalStateException("expected " + items.size() + " scores, got " + scores.length);
        }
        int blasThreads = openblas_nolapack.blas_get_num_threads();
        if (blasThreads != 1) {
            throw new IllegalStateException("BLAS runs " + blasThreads + " threads; the benchmark measures one core");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        CheckpointWriter.deleteRecursively(bundleDir);
    }

    /**
     * The benchmark's features in one DEEP group (sparse ones into the FM and the MLP, dense ones
     * into the MLP and the first-order term), with an input table that has every field they read.
     */
    static PipelineConfig pipelineConfig() throws TextFormat.ParseException {
        FeatureConfig features = TextFormat.parse(FeatureGenerationBenchmark.FEATURES, FeatureConfig.class);
        TreeSet<String> columns = new TreeSet<>(List.of("user_id", "item_id", "ts", "click"));
        for (Feature f : features.getFeaturesList()) {
            FeatureTypes.of(f).inputs(f).forEach(input -> columns.add(input.substring(input.indexOf('.') + 1)));
        }
        String text = "name: \"predictor_benchmark\"\ninput_config {\n  samples {\n    source { path: \"requests.csv\" format: CSV }\n"
                + columns.stream().map(c -> "    schema { name: \"" + c + "\" }\n").collect(Collectors.joining())
                + "  }\n  labels { name: \"click\" }\n}\nfeature_config {\n" + FeatureGenerationBenchmark.FEATURES + "}\n"
                + MODEL_AND_TRAINING.formatted(features.getFeaturesList().stream().map(f -> "\"" + f.getName() + "\"")
                        .collect(Collectors.joining(", ")));
        return ConfigParser.parseText(text, "PredictorBenchmark");
    }

    /**
     * The benchmark's request and {@link #OTHER_TRAINING_REQUESTS} more (other users and items),
     * with random clicks (10%): the weights' values do not change the latency, only that the rows exist.
     */
    private static Examples trainingExamples(FeatureGenerator generator, RawRecord user, List<RawRecord> items, RawRecord context) {
        SplittableRandom rnd = new SplittableRandom(7);
        ExamplesBuilder builder = new ExamplesBuilder(generator.schema(), List.of("click"));
        builder.add(generator.generate(user, items, context), new float[][]{clicks(rnd, items.size())}, null);
        while (builder.numRows() < (OTHER_TRAINING_REQUESTS + 1) * items.size()) {
            List<RawRecord> others = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                others.add(RawRecord.of(FeatureGenerationBenchmark.itemFields(rnd)));
            }
            FeatureBatch batch;
            try {
                batch = generator.generate(RawRecord.of(FeatureGenerationBenchmark.userFields(rnd)), others, context);
            } catch (FeatureValueException e) {
                // userFields draws map keys independently, so a user may repeat one, which the feature jar refuses
                continue;
            }
            builder.add(batch, new float[][]{clicks(rnd, items.size())}, null);
        }
        return builder.build();
    }

    private static float[] clicks(SplittableRandom rnd, int n) {
        float[] clicks = new float[n];
        for (int i = 0; i < n; i++) {
            clicks[i] = rnd.nextDouble() < 0.1 ? 1 : 0;
        }
        return clicks;
    }

    /** Fails unless every id of the request has a trained row in its feature's table. */
    private static void requireTrainedRows(ModelParameters params, Examples request) {
        for (int f = 0; f < request.schema().size(); f++) {
            FeatureSpec spec = request.schema().features().get(f);
            if (!spec.sparse()) {
                continue;
            }
            EmbeddingTable table = params.tableNamed(spec.embeddingTable());
            SparseValues values = request.sparse(f);
            for (int k = 0; k < values.offsets()[values.rows()]; k++) {
                if (table.findSlot(values.ids()[k]) < 0) {
                    throw new IllegalStateException("feature '" + spec.name() + "': id " + values.ids()[k] + " has no trained row");
                }
            }
        }
    }

    /** What a serving call costs: raw records to scores. */
    @Benchmark
    public Predictor.Scores predictEndToEnd() {
        return predictor.predict(user, items, context);
    }

    /** The feature jar's part: raw records to a 1 x N feature batch. */
    @Benchmark
    public FeatureBatch featuresOnly() {
        return predictor.features(user, items, context);
    }

    /** The model's part: the batch into the trainer's column layout, then the forward pass. */
    @Benchmark
    public Predictor.Scores forwardOnFeatureBatch() {
        return predictor.score(features);
    }

    /** The forward pass alone, on inputs already in the trainer's layout. */
    @Benchmark
    public Predictor.Scores forwardOnExamples() {
        return predictor.score(examples);
    }
}

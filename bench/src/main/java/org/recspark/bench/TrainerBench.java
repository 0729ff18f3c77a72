package org.recspark.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.AucAccumulator;
import org.recspark.evaluator.LogLossAccumulator;
import org.recspark.evaluator.RankingAccumulator;
import org.recspark.features.FeatureGenerator;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.TaskSpec;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.ModelParameters;
import org.recspark.trainer.retrieval.TowerEmbeddings;
import org.recspark.trainer.train.Trainer;
import org.recspark.trainer.train.TrainingListener;

/**
 * Trains a model from config on a shared real dataset and prints one JSON line in the shape of
 * ../shared/bench/deepfm_reference.py's: per task, the best test AUC over epochs (the reference's
 * protocol) with its epoch and logloss, the last epoch's AUC, the test AUC and logloss of every epoch
 * and the mean training loss of every epoch (to compare learning curves with the reference's), and
 * training throughput (samples/s over training time only, evaluation excluded, and per CPU-second of
 * the process), plus where training time went.
 *
 * <pre>
 *   TrainerBench --data movielens|frappe --config base.pbtxt [--config layer.pbtxt] [--threads 2] [--epochs N] [--seed S]
 * </pre>
 *
 * {@code --seed} overrides train_config.seed alone (a config layer would replace the whole train_config),
 * so the same config can be trained over several seeds to see its spread.
 */
public final class TrainerBench {
    private TrainerBench() {
    }

    public static void main(String[] args) {
        BenchArgs a = BenchArgs.parse(args, "usage: TrainerBench --data movielens|frappe --config base.pbtxt [--config layer.pbtxt] "
                + "[--threads N] [--epochs N] [--seed S] [--retrieval-k K --user-feature F --item-feature F]",
                Set.of("config", "data", "threads", "epochs", "seed", "retrieval-k", "user-feature", "item-feature"));
        List<Path> configs = a.requiredPaths("config");
        String data = a.required("data");
        int threads = a.integer("threads", 2);
        int epochs = a.integer("epochs", 0);
        Long seed = a.optionalLong("seed").orElse(null);
        int retrievalK = a.integer("retrieval-k", 0);
        String userFeature = a.optional("user-feature").orElse(null);
        String itemFeature = a.optional("item-feature").orElse(null);
        PipelineConfig config = ConfigParser.loadLayered(configs);
        if (epochs > 0) {
            config = config.toBuilder().setTrainConfig(config.getTrainConfig().toBuilder().setNumEpochs(epochs)).build();
        }
        if (seed != null) {
            config = config.toBuilder().setTrainConfig(config.getTrainConfig().toBuilder().setSeed(seed)).build();
        }
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), configs.get(0).toAbsolutePath().getParent());
        Path shared = Path.of(System.getProperty("recspark.shared.data", "../shared/data"));
        RealDatasets.TrainTest sets = switch (data) {
            case "movielens" -> RealDatasets.movieLens(shared.resolve("movielens-100k"), generator);
            case "frappe" -> RealDatasets.frappe(shared.resolve("frappe"), generator);
            default -> throw new IllegalArgumentException("unknown dataset " + data);
        };
        ModelParameters params = new ModelParameters(config.getTrainConfig().getSeed());
        Model model = ModelFactory.create(new ModelContext(config, generator.schema(), params));
        Examples test = sets.test();
        Map<String, double[]> best = new LinkedHashMap<>();
        Map<String, Double> last = new LinkedHashMap<>();
        Map<String, StringBuilder> curves = new LinkedHashMap<>();
        StringBuilder trainLoss = new StringBuilder();
        double[] epochLoss = {0, 0};
        long[] evalNanos = {0};
        long[] evalCpuNanos = {0};
        long started;
        long cpuStarted;
        Trainer trainer = new Trainer(config.getTrainConfig(), model, params, threads);
        try (trainer) {
            started = System.nanoTime();
            cpuStarted = processCpuNanos();
            trainer.fit(sets.train(), new TrainingListener() {
                @Override
                public boolean afterStep(Trainer t, double loss) {
                    epochLoss[0] += loss;
                    epochLoss[1]++;
                    return true;
                }

                @Override
                public boolean afterEpoch(Trainer t) {
                    long evalStarted = System.nanoTime();
                    long evalCpuStarted = processCpuNanos();
                    appendNumber(trainLoss, epochLoss[0] / epochLoss[1]);
                    epochLoss[0] = 0;
                    epochLoss[1] = 0;
                    Map<String, float[]> predictions = t.predict(test, 4096);
                    for (TaskSpec task : model.tasks()) {
                        float[] p = predictions.get(task.name());
                        float[] y = test.label(task.label());
                        AucAccumulator auc = new AucAccumulator();
                        LogLossAccumulator logloss = new LogLossAccumulator();
                        for (int i = 0; i < y.length; i++) {
                            auc.add(p[i], y[i]);
                            logloss.add(Math.min(Math.max(p[i], 1e-7), 1 - 1e-7), y[i]);
                        }
                        double[] b = best.computeIfAbsent(task.name(), k -> new double[]{-1, 0, 0});
                        if (auc.value() > b[0]) {
                            b[0] = auc.value();
                            b[1] = t.state().epoch();
                            b[2] = logloss.value();
                        }
                        last.put(task.name(), auc.value());
                        StringBuilder curve = curves.computeIfAbsent(task.name(), k -> new StringBuilder());
                        curve.append(curve.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "[%.5f, %.5f]", auc.value(), logloss.value()));
                    }
                    evalNanos[0] += System.nanoTime() - evalStarted;
                    evalCpuNanos[0] += processCpuNanos() - evalCpuStarted;
                    return true;
                }
            });
        }
        double trainSeconds = (System.nanoTime() - started - evalNanos[0]) / 1e9;
        double trainCpuSeconds = (processCpuNanos() - cpuStarted - evalCpuNanos[0]) / 1e9;
        String retrieval = "";
        if (retrievalK > 0) {
            RankingAccumulator ranking = retrieval(model, sets, generator.schema().index(userFeature),
                    generator.schema().index(itemFeature), model.tasks().get(0).label(), retrievalK);
            retrieval = String.format(Locale.ROOT, ", \"retrieval\": {\"k\": %d, \"users\": %d, \"recall\": %.5f, \"hit_rate\": %.5f, \"ndcg\": %.5f}",
                    retrievalK, ranking.queries(), ranking.recall(), ranking.hitRate(), ranking.ndcg());
        }
        StringBuilder tasks = new StringBuilder();
        for (Map.Entry<String, double[]> e : best.entrySet()) {
            if (!tasks.isEmpty()) {
                tasks.append(", ");
            }
            tasks.append(String.format(Locale.ROOT, "\"%s\": {\"best_auc\": %.5f, \"best_epoch\": %d, \"logloss_at_best\": %.5f, \"final_auc\": %.5f, "
                            + "\"auc_logloss_by_epoch\": [%s]}",
                    e.getKey(), e.getValue()[0], (int) e.getValue()[1], e.getValue()[2], last.get(e.getKey()), curves.get(e.getKey())));
        }
        String first = best.keySet().iterator().next();
        System.out.println(String.format(Locale.ROOT,
                "{\"impl\": \"recspark\", \"model\": \"%s\", \"data\": \"%s\", \"seed\": %d, \"train_rows\": %d, \"test_rows\": %d, \"threads\": %d, "
                        + "\"epochs\": %d, \"best_auc\": %.5f, \"best_epoch\": %d, \"tasks\": {%s}%s, \"train_loss_by_epoch\": [%s], \"train_samples_per_s\": %.1f, "
                        + "\"train_samples_per_cpu_s\": %.1f, \"profile\": \"%s\"}",
                ModelFactory.typeName(config.getModelConfig()), data, config.getTrainConfig().getSeed(), sets.train().numRows(), test.numRows(), threads,
                config.getTrainConfig().getNumEpochs(), best.get(first)[0], (int) best.get(first)[1], tasks, retrieval,
                trainLoss, trainer.state().samplesSeen() / trainSeconds, trainer.state().samplesSeen() / trainCpuSeconds, trainer.profile()));
    }

    private static void appendNumber(StringBuilder list, double value) {
        list.append(list.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.5f", value));
    }

    /**
     * Recall@K of a two-tower model: per test user, the items they rated positively in the test
     * period are the relevant ones; every item of the corpus (train and test) is scored by the dot
     * product of the towers, and items the user rated in training are excluded from their ranking.
     */
    private static RankingAccumulator retrieval(Model model, RealDatasets.TrainTest sets, int userFeature, int itemFeature,
                                                String label, int k) {
        Map<Long, float[]> itemVectors = new LinkedHashMap<>();
        int dim = 0;
        for (Examples part : List.of(sets.train(), sets.test())) {
            TowerEmbeddings items = TowerEmbeddings.compute(model, part, itemFeature, "item_embedding", 4096);
            dim = items.dim();
            for (int i = 0; i < items.keys().length; i++) {
                itemVectors.putIfAbsent(items.keys()[i], java.util.Arrays.copyOfRange(items.vectors(), i * dim, (i + 1) * dim));
            }
        }
        List<Long> corpus = new ArrayList<>(itemVectors.keySet());
        Map<Long, Integer> itemIndex = new java.util.HashMap<>();
        for (int i = 0; i < corpus.size(); i++) {
            itemIndex.put(corpus.get(i), i);
        }
        Map<Long, java.util.Set<Integer>> seen = new java.util.HashMap<>();
        Examples train = sets.train();
        for (int r = 0; r < train.numRows(); r++) {
            seen.computeIfAbsent(userOf(train, userFeature, r), u -> new java.util.HashSet<>()).add(itemIndex.get(userOf(train, itemFeature, r)));
        }
        Examples test = sets.test();
        Map<Long, java.util.Set<Integer>> relevant = new LinkedHashMap<>();
        float[] labels = test.label(label);
        for (int r = 0; r < test.numRows(); r++) {
            if (labels[r] > 0) {
                relevant.computeIfAbsent(userOf(test, userFeature, r), u -> new java.util.TreeSet<>()).add(itemIndex.get(userOf(test, itemFeature, r)));
            }
        }
        TowerEmbeddings users = TowerEmbeddings.compute(model, test, userFeature, "user_embedding", 4096);
        RankingAccumulator ranking = new RankingAccumulator(k);
        for (int u = 0; u < users.keys().length; u++) {
            java.util.Set<Integer> rel = relevant.get(users.keys()[u]);
            if (rel == null) {
                continue;
            }
            float[] scores = new float[corpus.size()];
            for (int i = 0; i < corpus.size(); i++) {
                float[] v = itemVectors.get(corpus.get(i));
                float dot = 0;
                for (int j = 0; j < dim; j++) {
                    dot += users.vectors()[u * dim + j] * v[j];
                }
                scores[i] = dot;
            }
            for (int i : seen.getOrDefault(users.keys()[u], java.util.Set.of())) {
                scores[i] = Float.NEGATIVE_INFINITY;
            }
            ranking.addQuery(scores, rel.stream().mapToInt(Integer::intValue).toArray());
        }
        return ranking;
    }

    /**
     * CPU time of the whole process (every thread, GC and JIT included): on a shared machine the
     * wall-clock rate follows the other tenants' load, while samples per CPU-second follow the code.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long userOf(Examples examples, int feature, int row) {
        var values = examples.sparse(feature);
        return values.ids()[values.start(row)];
    }
}

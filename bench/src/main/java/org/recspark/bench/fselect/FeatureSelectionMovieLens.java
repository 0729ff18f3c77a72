package org.recspark.bench.fselect;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.recspark.bench.BenchArgs;
import org.recspark.bench.Median;
import org.recspark.bench.RealDatasets;
import org.recspark.bench.distill.DistillMovieLens;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.VariationalDropout;
import org.recspark.features.FeatureGenerator;
import org.recspark.model.FeatureGates.FeatureKeep;
import org.recspark.model.data.Examples;
import org.recspark.trainer.eval.FeatureRankingFiles;
import org.recspark.trainer.eval.TopFeatures;
import org.recspark.trainer.eval.TrainingRun;

/**
 * Variational dropout feature selection on MovieLens-100K (bench/RESULTS.md, "Feature selection"):
 * the DeepFM config as is, then with model_config.variational_dropout (whose run writes the feature
 * ranking, from the first seed), then restricted to the top K of that ranking for each K asked; the
 * full and the top-K configs are trained with every seed. Each run is reported by its best bundle on
 * the evaluation rows (export_config BEST by auc) and that bundle's test AUC, then medians over seeds.
 *
 * <p>Rows: the ratings through the config's features ({@link RealDatasets#movieLens}); the first 80%
 * by time are split again by time, their last 20% being the evaluation rows, and the last 20% are the
 * test rows. Progress goes to stderr, the table to stdout.
 *
 * <pre>
 *   FeatureSelectionMovieLens --data DIR --out DIR --config CONFIG [--threads N] [--lambda L] [--top-k K,K,...] [--seeds N]
 * </pre>
 */
public final class FeatureSelectionMovieLens {
    private static final double VALIDATION_FRACTION = 0.2;

    /** One run: its features, validation and test AUC and wall time. */
    record Result(String run, List<String> features, long seed, double validationAuc, double testAuc, double seconds) {}

    private final Path movieLens;
    private final Path out;
    private final Path configDir;
    private final int threads;
    private final List<Result> results = new ArrayList<>();

    FeatureSelectionMovieLens(Path movieLens, Path out, Path configDir, int threads) {
        this.movieLens = movieLens;
        this.out = out;
        this.configDir = configDir;
        this.threads = threads;
    }

    private TrainingRun.Summary train(PipelineConfig config, Path runDir) {
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), configDir);
        RealDatasets.TrainTest sets = RealDatasets.movieLens(movieLens, generator);
        Examples all = sets.train();
        int validation = (int) Math.floor(all.numRows() * VALIDATION_FRACTION);
        return new TrainingRun(config, configDir, generator.schema(), runDir, threads).overwriting(true)
                .run(all.slice(0, all.numRows() - validation), all.slice(all.numRows() - validation, all.numRows()), Optional.of(sets.test()));
    }

    private Result run(String name, PipelineConfig base, long seed, Path runDir) {
        long started = System.nanoTime();
        PipelineConfig config = base.toBuilder().setTrainConfig(base.getTrainConfig().toBuilder().setSeed(seed)).build();
        TrainingRun.Summary summary = train(config, runDir);
        Result r = new Result(name, config.getModelConfig().getFeatureGroups(0).getFeaturesList(), seed,
                summary.outcome().best().map(e -> e.metrics().get("auc")).orElse(Double.NaN), summary.testMetrics().get("auc"),
                (System.nanoTime() - started) / 1e9);
        System.err.printf(Locale.ROOT, "%s %s seed %d: validation AUC %.4f, test AUC %.4f (%.0f s)%n", name, r.features(), seed, r.validationAuc(),
                r.testAuc(), r.seconds());
        results.add(r);
        return r;
    }

    private void run(PipelineConfig base, float lambda, List<Integer> topKs, int seeds) {
        PipelineConfig full = DistillMovieLens.withBestExport(base);
        long seed0 = full.getTrainConfig().getSeed();
        PipelineConfig gated = full.toBuilder().setModelConfig(full.getModelConfig().toBuilder()
                .setVariationalDropout(VariationalDropout.newBuilder().setRegularizationLambda(lambda))).build();
        Path gatedDir = out.resolve("variational-dropout");
        run(String.format(Locale.ROOT, "variational dropout (lambda %s)", lambda), gated, seed0, gatedDir);
        List<FeatureKeep> ranking = TopFeatures.read(gatedDir.resolve(FeatureRankingFiles.CSV));
        StringBuilder ranked = new StringBuilder("ranking:");
        for (FeatureKeep k : ranking) {
            ranked.append(String.format(Locale.ROOT, " %s %.3f", k.feature(), k.keepProbability()));
        }
        System.err.println(ranked);
        System.out.println(ranked);
        for (long seed = seed0; seed < seed0 + seeds; seed++) {
            run("full", full, seed, out.resolve("full-" + seed));
            for (int k : topKs) {
                run("top " + k, TopFeatures.restrict(full, ranking, k).config(), seed, out.resolve("top-" + k + "-" + seed));
            }
        }
    }

    /** The markdown tables: every run, then per run name the medians over seeds and the test AUC kept of the full model's. */
    String table() {
        StringBuilder sb = new StringBuilder("| run | features | seed | validation AUC | test AUC | seconds |\n|---|---|---|---|---|---|\n");
        Map<String, List<Result>> byRun = new LinkedHashMap<>();
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4f | %.4f | %.0f |%n", r.run(), String.join(", ", r.features()), r.seed(),
                    r.validationAuc(), r.testAuc(), r.seconds()));
            byRun.computeIfAbsent(r.run(), k -> new ArrayList<>()).add(r);
        }
        double fullAuc = Median.of(byRun.get("full").stream().mapToDouble(Result::testAuc).toArray());
        sb.append("\n| run | number of features | runs | median validation AUC | median test AUC | - full's median | share of full's AUC - 0.5 |\n"
                + "|---|---|---|---|---|---|---|\n");
        byRun.forEach((name, rs) -> {
            double test = Median.of(rs.stream().mapToDouble(Result::testAuc).toArray());
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %.4f | %.4f | %+.4f | %.1f%% |%n", name, rs.get(0).features().size(), rs.size(),
                    Median.of(rs.stream().mapToDouble(Result::validationAuc).toArray()), test, test - fullAuc,
                    100 * (test - 0.5) / (fullAuc - 0.5)));
        });
        return sb.toString();
    }

    /** The benchmark's entry point (a process boundary: it prints the table). */
    public static void main(String[] args) {
        BenchArgs a = BenchArgs.parse(args, "usage: FeatureSelectionMovieLens --data DIR --out DIR --config CONFIG [--threads N] "
                + "[--lambda L] [--top-k K,K,...] [--seeds N]", Set.of("config", "data", "out", "threads", "lambda", "seeds", "top-k"));
        Path config = a.path("config");
        Path data = a.path("data");
        Path out = a.path("out");
        int threads = a.integer("threads", 2);
        float lambda = (float) a.number("lambda", 0.01);
        List<Integer> topKs = a.integers("top-k", List.of(1, 2, 3, 4, 5, 6));
        int seeds = a.integer("seeds", 1);
        long started = System.nanoTime();
        FeatureSelectionMovieLens bench = new FeatureSelectionMovieLens(data, out, config.toAbsolutePath().getParent(), threads);
        bench.run(ConfigParser.load(config), lambda, topKs, seeds);
        System.out.print(bench.table());
        System.out.printf(Locale.ROOT, "total wall time %.0f s%n", (System.nanoTime() - started) / 1e9);
    }
}

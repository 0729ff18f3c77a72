package org.recspark.bench.autocross;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.recspark.bench.BenchArgs;
import org.recspark.bench.Median;
import org.recspark.bench.RealDatasets;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.ExportConfig;
import org.recspark.config.proto.Exporter;
import org.recspark.config.proto.ExporterType;
import org.recspark.config.proto.MetricTarget;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.model.data.Examples;
import org.recspark.trainer.autocross.AutoCrossResult;
import org.recspark.trainer.autocross.AutoCrossSearch;
import org.recspark.trainer.autocross.AutoCrossSettings;
import org.recspark.trainer.autocross.CrossConfig;
import org.recspark.trainer.autocross.CrossSearchData;
import org.recspark.trainer.autocross.ScoredCross;
import org.recspark.trainer.eval.TrainingRun;
import org.recspark.trainer.plan.PipelinePlan;

/**
 * Automatic feature crosses on MovieLens-100K (bench/RESULTS.md, "Automatic feature crosses"): the
 * cross search ({@link AutoCrossSearch}) over the logistic regression config's id features, fitted on
 * the training rows and scored on the evaluation rows, then the LR and DeepFM configs trained with
 * and without the selected crosses (as {@code combo} features computed by the feature jar), each run
 * reported at its best evaluation AUC (export BEST by auc) on the test rows.
 *
 * <p>Rows as in the distillation benchmark: the ratings through each config's features
 * ({@link RealDatasets#movieLens}), the first 80% by time split again by time, its last
 * {@value #VALIDATION_FRACTION} the evaluation rows; the last 20% the test rows, which the search
 * never reads.
 *
 * <pre>
 *   AutoCrossMovieLens --data DIR --out DIR --lr CONFIG --deepfm CONFIG [--threads N] [--seeds N] [--top K] [--max-order N]
 *                      [--min-gain G]
 * </pre>
 */
public final class AutoCrossMovieLens {
    static final double VALIDATION_FRACTION = 0.2;

    record Result(String model, String features, long seed, double validationAuc, double testAuc, double seconds) {}

    private final Path movieLens;
    private final Path out;
    private final Path configDir;
    private final int threads;
    private final List<Result> results = new ArrayList<>();

    AutoCrossMovieLens(Path movieLens, Path out, Path configDir, int threads) {
        this.movieLens = movieLens;
        this.out = out;
        this.configDir = configDir;
        this.threads = threads;
    }

    static PipelineConfig withBestExport(PipelineConfig config) {
        return config.toBuilder().setExportConfig(ExportConfig.newBuilder()
                .addExporters(Exporter.newBuilder().setType(ExporterType.BEST))
                .setBestMetric(MetricTarget.newBuilder().setMetric("auc"))).build();
    }

    private List<Examples> rows(PipelineConfig config) {
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), configDir);
        RealDatasets.TrainTest sets = RealDatasets.movieLens(movieLens, generator);
        Examples all = sets.train();
        int validation = (int) Math.floor(all.numRows() * VALIDATION_FRACTION);
        return List.of(all.slice(0, all.numRows() - validation), all.slice(all.numRows() - validation, all.numRows()), sets.test());
    }

    AutoCrossResult search(PipelineConfig lr, AutoCrossSettings settings) {
        List<Examples> rows = rows(lr);
        CrossSearchData data = CrossSearchData.fromExamples(rows.get(0), rows.get(1), CrossConfig.crossableFeatures(lr),
                lr.getModelConfig().getLabel());
        return new AutoCrossSearch(settings).run(data);
    }

    void train(String model, String features, PipelineConfig config, int seeds) {
        PipelinePlan.compile(config, configDir);
        List<Examples> rows = rows(config);
        var schema = FeatureGenerator.compile(config.getFeatureConfig(), configDir).schema();
        for (int s = 0; s < seeds; s++) {
            long seed = 2026 + s;
            PipelineConfig seeded = config.toBuilder().setTrainConfig(config.getTrainConfig().toBuilder().setSeed(seed)).build();
            long started = System.nanoTime();
            TrainingRun.Summary summary = new TrainingRun(seeded, configDir, schema, out.resolve(model + "-" + features + "-" + seed), threads)
                    .overwriting(true).run(rows.get(0), rows.get(1), Optional.of(rows.get(2)));
            double validation = summary.outcome().best().map(e -> e.metrics().get("auc")).orElse(Double.NaN);
            Result r = new Result(model, features, seed, validation, summary.testMetrics().get("auc"), (System.nanoTime() - started) / 1e9);
            System.err.printf(Locale.ROOT, "%s [%s] seed %d: validation AUC %.4f, test AUC %.4f (%.0f s)%n", model, features, seed,
                    r.validationAuc(), r.testAuc(), r.seconds());
            results.add(r);
        }
    }

    static String searchTable(AutoCrossResult result) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "field-wise LR evaluation AUC on the single fields %.4f, with the selected crosses %.4f%n%n", result.baseAuc(), result.finalAuc()));
        sb.append("| round | cross | distinct values | evaluation AUC | gain |\n|---|---|---|---|---|\n");
        for (int r = 0; r < result.rounds().size(); r++) {
            for (ScoredCross c : result.rounds().get(r)) {
                boolean chosen = result.selected().contains(c);
                sb.append(String.format(Locale.ROOT, "| %d | %s | %d | %.4f | %s%+.4f%s |%n", r + 1, chosen ? "**" + c.name() + "**" : c.name(),
                        c.cardinality(), c.validationAuc(), chosen ? "**" : "", c.gain(), chosen ? "**" : ""));
            }
        }
        return sb.toString();
    }

    String trainingTable() {
        StringBuilder sb = new StringBuilder("| model | features | seed | validation AUC | test AUC | seconds |\n|---|---|---|---|---|---|\n");
        results.forEach(r -> sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4f | %.4f | %.1f |%n", r.model(), r.features(), r.seed(),
                r.validationAuc(), r.testAuc(), r.seconds())));
        sb.append("\n| model | features | runs | median validation AUC | median test AUC |\n|---|---|---|---|---|\n");
        for (String model : results.stream().map(Result::model).distinct().toList()) {
            for (String features : results.stream().filter(r -> r.model().equals(model)).map(Result::features).distinct().toList()) {
                List<Result> runs = results.stream().filter(r -> r.model().equals(model) && r.features().equals(features)).toList();
                sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %.4f | %.4f |%n", model, features, runs.size(),
                        Median.of(runs.stream().mapToDouble(Result::validationAuc).toArray()),
                        Median.of(runs.stream().mapToDouble(Result::testAuc).toArray())));
            }
        }
        return sb.toString();
    }


    /** The benchmark's entry point (a process boundary: it prints the tables). */
    public static void main(String[] args) {
        BenchArgs a = BenchArgs.parse(args, "usage: AutoCrossMovieLens --data DIR --out DIR --lr CONFIG --deepfm CONFIG [--threads N] "
                + "[--seeds N] [--top K] [--max-order N] [--min-gain G]",
                Set.of("lr", "deepfm", "data", "out", "threads", "seeds", "top", "max-order", "min-gain"));
        Path lrFile = a.path("lr");
        Path deepFmFile = a.path("deepfm");
        Path data = a.path("data");
        Path out = a.path("out");
        int threads = a.integer("threads", 2);
        int seeds = a.integer("seeds", 3);
        int top = a.integer("top", 3);
        int maxOrder = a.integer("max-order", 3);
        double minGain = a.number("min-gain", 0.001);
        long started = System.nanoTime();
        AutoCrossMovieLens bench = new AutoCrossMovieLens(data, out, deepFmFile.toAbsolutePath().getParent(), threads);
        PipelineConfig lr = withBestExport(ConfigParser.loadLayered(List.of(deepFmFile, lrFile)));
        PipelineConfig deepFm = withBestExport(ConfigParser.load(deepFmFile));
        AutoCrossSettings settings = AutoCrossSettings.defaults(top, maxOrder, threads).withMinGain(minGain);
        long searchStarted = System.nanoTime();
        AutoCrossResult result = bench.search(lr, settings);
        double searchSeconds = (System.nanoTime() - searchStarted) / 1e9;
        System.out.print(searchTable(result));
        System.out.printf(Locale.ROOT, "search (rows through the features included) %.1f s%n%n", searchSeconds);
        if (result.selected().isEmpty()) {
            System.out.printf(Locale.ROOT, "no cross gains %s evaluation AUC: nothing to train%n", minGain);
            return;
        }
        bench.train("lr", "base", lr, seeds);
        bench.train("lr", "+crosses", CrossConfig.withCrosses(lr, result.selected(), Optional.empty()), seeds);
        bench.train("deepfm", "base", deepFm, seeds);
        bench.train("deepfm", "+crosses", CrossConfig.withCrosses(deepFm, result.selected(), Optional.empty()), seeds);
        System.out.print(bench.trainingTable());
        System.out.printf(Locale.ROOT, "total wall time %.0f s%n", (System.nanoTime() - started) / 1e9);
    }
}

package org.recspark.bench.hpo;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.recspark.bench.BenchArgs;
import org.recspark.bench.RealDatasets;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;
import org.recspark.features.FeatureGenerator;
import org.recspark.hpo.HyperParameterSearch;
import org.recspark.hpo.SearchSpaceFile;
import org.recspark.hpo.trial.CachedTrialData;
import org.recspark.hpo.trial.LocalTrialExecutor;
import org.recspark.hpo.trial.TrialData;
import org.recspark.hpo.trial.TrialOutcome;
import org.recspark.hpo.trial.TrialRecord;
import org.recspark.hpo.trial.TrialRunner;
import org.recspark.hpo.trial.TrialSpec;
import org.recspark.model.data.Examples;
import org.recspark.trainer.eval.RunSummaryFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MovieLens-100K search of bench/RESULTS.md: the search a MovieLens pipeline config declares in
 * its {@code hpo_config} ({@code examples/hpo/movielens_deepfm_search.pbtxt}), or one from a
 * separate search space file, and the config itself (its default hyper-parameters) trained the same
 * way (same rows, same seed, same trial runner) for comparison.
 *
 * <p>Rows: the ratings through each trial's feature config ({@link RealDatasets#movieLens}); the
 * reference's training part (the first 80% by time) is split again by time, its last
 * {@value #VALIDATION_FRACTION} being the validation rows the objective is measured on, and the
 * reference's test part (the last 20%) is the test set, reported once per trial for the final model.
 *
 * <pre>
 *   MovieLensSearch --data DIR --out DIR --config CONFIG [--space SPACE.txtpb] [--threads N]
 * </pre>
 * prints the trials' table and the default against the best validation and test AUC.
 */
public final class MovieLensSearch {
    static final double VALIDATION_FRACTION = 0.2;
    private static final Logger LOG = LoggerFactory.getLogger(MovieLensSearch.class);

    /** The search and the default config's run: objective values are the best validation value over evaluations. */
    public record Comparison(HyperParameterSearch.Result search, TrialOutcome defaultRun, double defaultTestAuc, double bestTestAuc) {
        public double defaultValidationAuc() {
            return defaultRun.objective();
        }

        public double bestValidationAuc() {
            return search.best().map(b -> b.outcome().objective()).orElse(Double.NaN);
        }
    }

    private final PipelineConfig base;
    private final Path configDir;
    private final SearchSpace space;
    private final Path movieLens;
    private final int threads;

    /**
     * @param spaceFile a search space file, or empty to search the config's own hpo_config
     */
    public MovieLensSearch(Path config, Optional<Path> spaceFile, Path movieLens, int threads) {
        this.base = ConfigParser.load(config);
        this.configDir = config.toAbsolutePath().getParent();
        if (spaceFile.isEmpty() && !base.hasHpoConfig()) {
            throw new IllegalArgumentException(config + " has no hpo_config and no search space file is given");
        }
        this.space = spaceFile.map(f -> SearchSpaceFile.load(f, base)).orElse(base.getHpoConfig());
        this.movieLens = movieLens;
        this.threads = threads;
    }

    public PipelineConfig base() {
        return base;
    }

    public SearchSpace space() {
        return space;
    }

    /** Runs (or resumes) the search in {@code out/search} and the default config in {@code out/default}. */
    public Comparison run(Path out) {
        TrialRunner runner = TrialRunner.forSearch(base, space, configDir, threads);
        // one row set per distinct feature config; the search space here varies one of them between two values
        CachedTrialData rows = new CachedTrialData(this::rows, 3);
        HyperParameterSearch search = new HyperParameterSearch(base, configDir, space, out.resolve("search"), new LocalTrialExecutor(rows, runner));
        HyperParameterSearch.Result result = search.run();
        PipelineConfig defaults = base.toBuilder().clearHpoConfig().build();
        TrialOutcome defaultRun = runner.run(new TrialSpec(-1, Map.of(), defaults, List.of()), () -> rows.forConfig(defaults),
                out.resolve("default"));
        double bestTest = result.best().map(b -> testAuc(Path.of(b.outcome().runDir()))).orElse(Double.NaN);
        return new Comparison(result, defaultRun, testAuc(out.resolve("default")), bestTest);
    }

    /** The ratings through this config's features: training, validation (the objective) and test rows. */
    TrialData rows(PipelineConfig config) {
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), configDir);
        RealDatasets.TrainTest sets = RealDatasets.movieLens(movieLens, generator);
        Examples all = sets.train();
        int validation = (int) Math.floor(all.numRows() * VALIDATION_FRACTION);
        return new TrialData(all.slice(0, all.numRows() - validation), all.slice(all.numRows() - validation, all.numRows()),
                Optional.of(sets.test()));
    }

    /** The test AUC that a run's summary.json reports for its final model. */
    static double testAuc(Path runDir) {
        Path file = runDir.resolve("summary.json");
        Double auc = RunSummaryFile.read(file).getTest().getMetricsMap().get("auc");
        if (auc == null) {
            throw new IllegalArgumentException(file + " reports no test auc");
        }
        return auc;
    }

    /** The markdown table of bench/RESULTS.md: one row per trial, then the default and the best. */
    public static String table(Comparison c, List<String> paths) {
        StringBuilder sb = new StringBuilder("| trial | ");
        paths.forEach(p -> sb.append('`').append(p).append("` | "));
        sb.append("validation AUC | status | seconds | steps |\n|");
        sb.append(" --- |".repeat(paths.size() + 5)).append('\n');
        for (TrialRecord t : c.search().trials()) {
            sb.append("| ").append(t.number()).append(" | ");
            paths.forEach(p -> sb.append(t.params().get(p)).append(" | "));
            double v = t.outcome().objective();
            sb.append(Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v)).append(" | ").append(t.outcome().status()).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", t.outcome().seconds())).append(" | ").append(t.outcome().steps()).append(" |\n");
        }
        sb.append(String.format(Locale.ROOT, "%ndefault config: validation AUC %.4f, test AUC %.4f; best trial %s: validation AUC %.4f, test AUC %.4f%n",
                c.defaultValidationAuc(), c.defaultTestAuc(), c.search().best().map(b -> Integer.toString(b.number())).orElse("none"),
                c.bestValidationAuc(), c.bestTestAuc()));
        return sb.toString();
    }

    /** The benchmark's entry point (a process boundary: it prints the table). */
    public static void main(String[] args) {
        BenchArgs a = BenchArgs.parse(args, "usage: MovieLensSearch --data DIR --out DIR --config CONFIG [--space SPACE.txtpb] [--threads N]",
                Set.of("config", "space", "data", "out", "threads"));
        Path config = a.path("config");
        Optional<Path> space = a.optionalPath("space");
        Path data = a.path("data");
        Path out = a.path("out");
        int threads = a.integer("threads", 2);
        long started = System.nanoTime();
        MovieLensSearch search = new MovieLensSearch(config, space, data, threads);
        Comparison c = search.run(out);
        LOG.info("MovieLens search and default run took {} s", Math.round((System.nanoTime() - started) / 1e9));
        System.out.print(table(c, search.space().getParamsList().stream().map(p -> p.getPath()).toList()));
        System.out.printf(Locale.ROOT, "total wall time %.0f s%n", (System.nanoTime() - started) / 1e9);
    }
}

package org.recspark.jobs;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;
import org.recspark.hpo.HyperParameterSearch;
import org.recspark.hpo.SearchSpaceFile;
import org.recspark.hpo.trial.CachedTrialData;
import org.recspark.hpo.trial.LocalTrialExecutor;
import org.recspark.hpo.trial.TrialExecutor;
import org.recspark.hpo.trial.TrialLog;
import org.recspark.hpo.trial.TrialRecord;
import org.recspark.hpo.trial.TrialRunner;
import org.recspark.hpo.trial.TrialStatus;
import org.recspark.jobs.hpo.LocalSampleData;
import org.recspark.jobs.hpo.SparkTrialExecutor;
import org.recspark.jobs.hpo.TrialSamples;
import org.recspark.jobs.samples.HiveSupport;
import org.recspark.jobs.training.SampleSplit;
import org.recspark.storage.Locations;

/**
 * {@code recspark hpo --config CONFIG --samples PATH --out DIR [--space FILE] [--threads N] [--spark]}:
 * a hyper-parameter search ({@link HyperParameterSearch}) over the config's {@code hpo_config}, or
 * the search space in FILE, on the samples build-samples wrote. Trials run in this process, up to
 * {@code parallelism} at once in threads, or with {@code --spark} each as one Spark task. Running it
 * again with the same DIR resumes the search. Prints the best trial and where the results are.
 */
final class HpoCommand extends OptionCommand {
    private static final String SPARK_FLAG = "spark";

    HpoCommand(PrintStream out) {
        super("hpo",
                "hyper-parameter search over the config's hpo_config (or --space FILE), trials in threads or Spark tasks",
                out, Set.of(ConfigOption.NAME, "samples", "out", "space", "threads"), Set.of(SPARK_FLAG));
    }

    @Override
    String usage() {
        return "usage: recspark hpo --config CONFIG --samples PATH --out DIR [--space FILE] [--threads N] [--spark]\n"
                + "  PATH is the output of build-samples; FILE a SearchSpace in text format (what goes inside hpo_config { }),\n"
                + "  used instead of the config's hpo_config. N training threads per trial (default runtime_config.threads_per_worker).\n"
                + "  Without --spark, hpo_config.parallelism trials train at once in this process; with --spark each trial is one\n"
                + "  Spark task (DIR and the config's directory must be visible to every executor). Running again with the same\n"
                + "  DIR continues the search. DIR gets trials.jsonl, trials/trial-NNNN/, results.csv, best_config.pbtxt, plots/.";
    }

    @Override
    int run(CommandLine cl) {
        boolean onSpark = cl.flag(SPARK_FLAG);
        ConfigOption configOption = ConfigOption.of(cl);
        PipelineConfig config = configOption.load();
        Path baseDir = configOption.baseDir();
        SearchSpace space = cl.optional("space").map(f -> SearchSpaceFile.load(Locations.of(f), config)).orElseGet(() -> {
            if (!config.hasHpoConfig()) {
                throw new UsageException(configOption.file() + " has no hpo_config: add one or pass --space FILE");
            }
            return config.getHpoConfig();
        });
        BuiltSamplesSplit.require(config.getInputConfig(), "trials need");
        int threads = (int) cl.longValue("threads", config.getRuntimeConfig().getThreadsPerWorker());
        if (threads < 1) {
            throw new UsageException("--threads must be >= 1, got " + threads);
        }
        Path dir = Locations.of(cl.required("out"));
        SparkSession spark = sparkSession(config.getName(), HiveSupport.tablesIn(config.getInputConfig()));
        TrialSamples samples = new TrialSamples(spark, config, baseDir, cl.required("samples"), dir,
                table -> SampleSplit.split(table, config.getInputConfig()));
        TrialRunner runner = TrialRunner.forSearch(config, space, baseDir, threads);
        // rows in memory for the two most recent feature configs: a search over bucket counts alternates between a few
        TrialExecutor executor = onSpark ? new SparkTrialExecutor(spark, samples, runner)
                : new LocalTrialExecutor(new CachedTrialData(c -> LocalSampleData.read(samples, c, baseDir), 2), runner);
        out.printf(Locale.ROOT, "hpo: %s search of %d trials, %d at a time %s, in %s%n", space.getAlgorithm(), space.getMaxTrials(),
                space.getParallelism(), onSpark ? "as Spark tasks" : "in this process", dir);
        long started = System.nanoTime();
        HyperParameterSearch.Result result = new HyperParameterSearch(config, baseDir, space, dir, executor).run();
        print(result, space, dir, (System.nanoTime() - started) / 1e9);
        return result.best().isPresent() ? 0 : 1;
    }

    private void print(HyperParameterSearch.Result result, SearchSpace space, Path dir, double seconds) {
        long stopped = result.trials().stream().filter(t -> t.outcome().status() == TrialStatus.STOPPED).count();
        long failed = result.trials().stream().filter(t -> t.outcome().status() == TrialStatus.FAILED).count();
        out.printf(Locale.ROOT, "hpo: %d trials (%d completed, %d stopped early, %d failed) in %.1f s%n", result.trials().size(),
                result.trials().size() - stopped - failed, stopped, failed, seconds);
        for (TrialRecord t : result.trials()) {
            if (t.outcome().status() == TrialStatus.FAILED) {
                out.printf(Locale.ROOT, "hpo: trial %d failed: %s%n", t.number(), t.outcome().error());
            }
        }
        String metric = space.getObjective().getMetric();
        if (result.best().isPresent()) {
            TrialRecord b = result.best().get();
            out.printf(Locale.ROOT, "hpo: best trial %d: %s %.5f %s%n", b.number(), metric, b.outcome().objective(), b.params());
            out.printf(Locale.ROOT, "best config: %s%n", result.bestConfig().orElseThrow());
        } else {
            out.println("hpo: every trial failed; see the errors above");
        }
        out.printf(Locale.ROOT, "results: %s%ntrial log: %s%n", result.resultsTable(), dir.resolve(TrialLog.FILE));
        result.plots().forEach(p -> out.printf(Locale.ROOT, "plot: %s%n", p));
    }
}

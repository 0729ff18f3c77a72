package org.recspark.hpo;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.SearchSpace;
import org.recspark.config.proto.TrialStopping;
import org.recspark.hpo.report.BestConfigWriter;
import org.recspark.hpo.report.ParameterImportance;
import org.recspark.hpo.report.ResultsTable;
import org.recspark.hpo.report.SearchPlots;
import org.recspark.hpo.sampler.Observation;
import org.recspark.hpo.sampler.Sampler;
import org.recspark.hpo.sampler.Samplers;
import org.recspark.hpo.space.ParameterSpace;
import org.recspark.hpo.stopping.LearningCurve;
import org.recspark.hpo.trial.TrialExecutor;
import org.recspark.hpo.trial.TrialLog;
import org.recspark.hpo.trial.TrialOutcome;
import org.recspark.hpo.trial.TrialRecord;
import org.recspark.hpo.trial.TrialSpec;
import org.recspark.hpo.trial.TrialStatus;
import org.recspark.storage.DirectoryLock;
import org.recspark.trainer.plan.PipelinePlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hyper-parameter search over a base pipeline config: samples trial configs from the search space
 * ({@code hpo_config}), runs up to {@code parallelism} trials at once through a {@link TrialExecutor},
 * each in {@code <dir>/trials/trial-NNNN}, records every start and finish in the {@link TrialLog},
 * and writes the results table, the best config and the plots.
 *
 * <p><b>Reproducibility.</b> Trial {@code i} sees the trials {@code 0 .. i - parallelism}: its
 * sampler fits on them and its stopping rule compares it with them. With an adaptive sampler (TPE)
 * or a stopping rule, trial {@code i} therefore starts only once those have finished, so the same
 * seed and parallelism give the same trials whatever the timing (with one trial at a time, each sees
 * every earlier one). Random and grid searches without stopping never wait.
 *
 * <p><b>Failures.</b> A trial whose sampled config is invalid, whose training throws or whose loss
 * diverges is recorded FAILED with its message and the search goes on. An exception of the executor
 * itself (or an {@link Error}) ends the search; the log keeps what had finished.
 *
 * <p><b>Resuming.</b> Running a search again in the same directory continues it: finished trials
 * are kept, trials that had started and not finished run again with their logged parameters, and
 * new trials are suggested from the log as the first run would have. {@code max_trials} may be
 * raised to extend a finished search; the log refuses a different base config or space.
 *
 * <p><b>Outputs</b> in the search directory: {@value #RESULTS} (see {@link ResultsTable}),
 * {@value #BEST_CONFIG} (the best trial's config, ready to train: the best completed trial, or the
 * best stopped one when none completed), {@code plots/objective_by_trial.png} and
 * {@code plots/parameter_importance.png} (see {@link ParameterImportance}).
 */
public final class HyperParameterSearch {
    public static final String RESULTS = "results.csv";
    public static final String BEST_CONFIG = "best_config.pbtxt";
    private static final Logger LOG = LoggerFactory.getLogger(HyperParameterSearch.class);

    private final PipelineConfig base;
    private final Path configDir;
    private final SearchSpace search;
    private final Path dir;
    private final TrialExecutor executor;
    private final ParameterSpace space;
    private final Objective objective;
    private final Sampler sampler;

    /** What a search produced; {@code best} is empty when every trial failed. */
    public record Result(List<TrialRecord> trials, Optional<TrialRecord> best, Path resultsTable, Optional<Path> bestConfig,
                         List<Path> plots, Map<String, Double> importance) {}

    /**
     * Checks the search space against the base config (every problem at once, as a
     * {@link ConfigException} with {@code hpo_config} paths) and that the objective metric is one the
     * base config's evaluation computes.
     *
     * @param configDir the directory the config's relative paths resolve against
     * @param dir       the search directory (the trial log, trial run directories and outputs)
     */
    public HyperParameterSearch(PipelineConfig base, Path configDir, SearchSpace search, Path dir, TrialExecutor executor) {
        this.base = base;
        this.configDir = configDir;
        this.search = search;
        this.dir = dir;
        this.executor = executor;
        this.space = ParameterSpace.of(search, base);
        this.objective = Objective.of(search.getObjective());
        this.sampler = Samplers.create(search, space);
        requireComputedObjective();
    }

    public ParameterSpace space() {
        return space;
    }

    /**
     * Runs (or continues) the search to {@code max_trials} trials, or the grid's size when smaller,
     * holding the search directory's lock ({@link DirectoryLock}): a second search in the same
     * directory is refused naming this one.
     */
    public Result run() {
        try (DirectoryLock lock = DirectoryLock.acquire(dir, "hpo search " + fingerprint() + " (" + base.getName() + ")")) {
            return runLocked();
        }
    }

    private Result runLocked() {
        int total = (int) Math.min(search.getMaxTrials(), sampler.capacity().orElse(Long.MAX_VALUE));
        int parallelism = search.getParallelism();
        boolean waitsForHistory = sampler.adaptive() || search.getTrialStopping() != TrialStopping.NO_STOPPING;
        String fingerprint = fingerprint();
        LOG.info("Search {}: {} {} trials over {} parameters {}, {} at a time, objective {} {}, trial stopping {}, seed {}, in {}",
                fingerprint, total, search.getAlgorithm(), space.size(), space.dimensions().stream().map(d -> d.path()).toList(),
                parallelism, search.getObjective().getDirection(), objective.metric(), search.getTrialStopping(), search.getSeed(), dir);
        Map<Integer, TrialRecord> records = new TreeMap<>();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "hpo-trial-" + threadNumber.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        try (TrialLog log = TrialLog.open(dir, fingerprint)) {
            records.putAll(log.finished());
            Map<Integer, Map<String, String>> unfinished = log.unfinished();
            ExecutorCompletionService<TrialRecord> completions = new ExecutorCompletionService<>(pool);
            int next = 0;
            int running = 0;
            try {
                while (next < total || running > 0) {
                    while (running < parallelism && next < total) {
                        if (records.containsKey(next)) {
                            next++;
                            continue;
                        }
                        if (waitsForHistory && !seenFinished(records, next - parallelism)) {
                            break;
                        }
                        Optional<TrialSpec> spec = prepare(next, unfinished.get(next), records, parallelism, waitsForHistory, log);
                        if (spec.isPresent()) {
                            TrialSpec s = spec.get();
                            completions.submit(() -> runTrial(s));
                            running++;
                        }
                        next++;
                    }
                    if (running == 0) {
                        if (next < total) {
                            // cannot happen: with nothing running, every trial before `next` has finished
                            throw new IllegalStateException("the search stalled before trial " + next);
                        }
                        break;
                    }
                    TrialRecord done = take(completions);
                    running--;
                    log.finished(done);
                    records.put(done.number(), done);
                }
            } catch (RuntimeException | Error e) {
                // let the running trials end (or notice the interrupt) before the log closes under them
                pool.shutdownNow();
                awaitQuietly(pool);
                throw e;
            }
        } finally {
            pool.shutdownNow();
        }
        return report(records);
    }

    /** Whether every trial numbered 0..upTo has finished. */
    private static boolean seenFinished(Map<Integer, TrialRecord> records, int upTo) {
        for (int i = 0; i <= upTo; i++) {
            if (!records.containsKey(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The trial's parameters (logged ones when it is rerun, else the sampler's) and config; a
     * config that does not validate is recorded as a failed trial at once and nothing is returned.
     */
    private Optional<TrialSpec> prepare(int number, Map<String, String> logged, Map<Integer, TrialRecord> records, int parallelism,
                                        boolean waitsForHistory, TrialLog log) {
        List<TrialRecord> visible = new ArrayList<>();
        if (waitsForHistory) {
            for (int i = 0; i <= number - parallelism; i++) {
                visible.add(records.get(i));
            }
        }
        double[] point = logged != null ? space.parse(logged) : space.parse(space.texts(sampler.suggest(number, observations(visible))));
        Map<String, String> params = space.texts(point);
        log.started(number, params);
        Path runDir = runDir(number);
        try {
            PipelineConfig config = space.configFor(base, point);
            List<LearningCurve> curves = visible.stream().map(r -> r.outcome().curve()).filter(c -> !c.isEmpty()).toList();
            return Optional.of(new TrialSpec(number, params, config, curves));
        } catch (ConfigException e) {
            String error = TrialOutcome.errorOf(e);
            LOG.warn("Trial {} {}: invalid config: {}", number, params, error);
            TrialRecord failed = new TrialRecord(number, params, TrialOutcome.failed(error, LearningCurve.empty(), 0, runDir.toString()));
            log.finished(failed);
            records.put(number, failed);
            return Optional.empty();
        }
    }

    private List<Observation> observations(List<TrialRecord> visible) {
        List<Observation> out = new ArrayList<>();
        for (TrialRecord r : visible) {
            double value = r.outcome().status() == TrialStatus.FAILED ? Double.NaN : r.outcome().objective();
            out.add(new Observation(r.number(), space.parse(r.params()), Double.isNaN(value) ? Double.NaN : objective.loss(value)));
        }
        return out;
    }

    private TrialRecord runTrial(TrialSpec spec) {
        Path runDir = runDir(spec.number());
        long started = System.nanoTime();
        TrialOutcome outcome;
        try {
            outcome = executor.run(spec, runDir);
        } catch (RuntimeException e) {
            // the executor's own trouble with this trial (a lost Spark job): the trial failed, the search goes on
            LOG.warn("Trial {} could not run: {}", spec.number(), e.toString());
            outcome = TrialOutcome.failed(TrialOutcome.errorOf(e), LearningCurve.empty(),
                    (System.nanoTime() - started) / 1e9, runDir.toString());
        }
        return new TrialRecord(spec.number(), spec.params(), outcome);
    }

    private static TrialRecord take(ExecutorCompletionService<TrialRecord> completions) {
        try {
            return completions.take().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for trials", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("a trial thread failed", e.getCause());
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Path runDir(int number) {
        return dir.resolve("trials").resolve(String.format(Locale.ROOT, "trial-%04d", number));
    }

    private Result report(Map<Integer, TrialRecord> records) {
        List<TrialRecord> trials = new ArrayList<>(records.values());
        Optional<TrialRecord> best = best(trials, TrialStatus.COMPLETED).or(() -> best(trials, TrialStatus.STOPPED));
        List<Path> plots = new ArrayList<>();
        try {
            Path table = ResultsTable.write(dir.resolve(RESULTS), space.dimensions(), objective, trials);
            Optional<Path> bestConfig = Optional.empty();
            if (best.isPresent()) {
                TrialRecord b = best.get();
                PipelineConfig config = space.configFor(base, space.parse(b.params()));
                bestConfig = Optional.of(BestConfigWriter.write(config, configDir, dir.resolve(BEST_CONFIG), List.of(
                        "Best trial " + b.number() + " of the search in " + dir.toAbsolutePath() + ": " + objective.describe(b.outcome().objective())
                                + " (" + b.outcome().status() + ")",
                        "Parameters: " + b.params(),
                        "Relative paths of the base config are made absolute, so this file runs from anywhere.")));
                plots.add(SearchPlots.objectiveByTrial(trials, objective, dir.resolve("plots").resolve("objective_by_trial.png")));
            }
            Map<String, Double> importance = ParameterImportance.compute(space, trials);
            if (!importance.isEmpty()) {
                plots.add(SearchPlots.parameterImportance(importance, dir.resolve("plots").resolve("parameter_importance.png")));
            }
            long failed = trials.stream().filter(t -> t.outcome().status() == TrialStatus.FAILED).count();
            long stopped = trials.stream().filter(t -> t.outcome().status() == TrialStatus.STOPPED).count();
            LOG.info("Search done: {} trials ({} stopped early, {} failed); best {}; results {}", trials.size(), stopped, failed,
                    best.map(b -> "trial " + b.number() + " " + objective.describe(b.outcome().objective()) + " " + b.params()).orElse("none"),
                    table);
            return new Result(trials, best, table, bestConfig, plots, importance);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the search results under " + dir, e);
        }
    }

    private Optional<TrialRecord> best(List<TrialRecord> trials, TrialStatus status) {
        TrialRecord best = null;
        for (TrialRecord t : trials) {
            if (t.outcome().status() == status && (best == null || objective.better(t.outcome().objective(), best.outcome().objective()))) {
                best = t;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Names the search in its log: the base config without runtime_config (where and how fast does
     * not change results) and the space without max_trials and parallelism (so a finished search can
     * be extended). Parallelism changes which trials a suggestion sees, so a resumed search with another
     * parallelism is valid but proposes other points than the original would have.
     */
    String fingerprint() {
        PipelineConfig what = base.toBuilder().clearRuntimeConfig().clearHpoConfig().build();
        SearchSpace how = search.toBuilder().clearMaxTrials().clearParallelism().build();
        String text = TextFormat.printer().printToString(what) + "\n--\n" + TextFormat.printer().printToString(how);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /**
     * Fails before any trial when the base config cannot train ({@link PipelinePlan}) or no trial could
     * report the objective (a typo, or a metric without its task prefix).
     */
    private void requireComputedObjective() {
        List<String> names = PipelinePlan.compile(base, configDir).metricNames();
        if (!names.contains(objective.metric())) {
            throw new ConfigException("hpo_config", List.of(new Violation("hpo_config.objective.metric",
                    "'" + objective.metric() + "' is not computed; eval_config.metrics gives " + names)));
        }
    }
}

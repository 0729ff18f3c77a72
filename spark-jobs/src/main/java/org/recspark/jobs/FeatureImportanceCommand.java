package org.recspark.jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.proto.FeatureGroup;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.report.ImportancePlot;
import org.recspark.features.FeatureSchema;
import org.recspark.jobs.importance.ImportanceTable;
import org.recspark.jobs.importance.PermutationImportance;
import org.recspark.jobs.prediction.Bundles;
import org.recspark.jobs.samples.PartitionedOutputDirectory;
import org.recspark.jobs.training.SampleSplit;
import org.recspark.jobs.training.SampleTableReader;
import org.recspark.jobs.training.SamplesSchemaCheck;
import org.recspark.model.data.Examples;
import org.recspark.predictor.Predictor;
import org.recspark.storage.CommittedDirectory;
import org.recspark.storage.DirectoryLock;
import org.recspark.storage.Locations;
import org.recspark.storage.UnusableLocationException;
import org.recspark.trainer.plan.PipelinePlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code recspark feature-importance --config C --bundle B --samples S --out O}: permutation
 * importance ({@link PermutationImportance}) of a bundle's features and of its model's feature
 * groups on the evaluation rows of built samples (input_config.split of C), scored in this process
 * by the bundle's {@link Predictor}, as predict and serve score. At most {@code --max-rows}
 * evaluation rows are used (a seeded random sample of them when there are more). Writes
 * {@code importance.csv}, {@code importance.json}, {@code features.png} and {@code groups.png} to
 * O, published whole ({@link AtomicOutputDirectory}).
 */
final class FeatureImportanceCommand extends OptionCommand {
    static final int DEFAULT_REPEATS = 5;
    static final int DEFAULT_MAX_ROWS = 200_000;
    static final long DEFAULT_SEED = 42;
    /** Rows per forward pass: bounds the activations' memory whatever the number of rows. */
    private static final int SCORING_BATCH = 4096;
    private static final Logger LOG = LoggerFactory.getLogger(FeatureImportanceCommand.class);

    FeatureImportanceCommand(PrintStream out) {
        super("feature-importance",
                "permutation importance of a bundle's features and feature groups on the evaluation rows (AUC drop, logloss increase)",
                out, Set.of(ConfigOption.NAME, "bundle", "samples", "out", "repeats", "seed", "metric", "max-rows", "task"), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark feature-importance --config CONFIG --bundle DIR --samples PATH --out OUT [--repeats R] [--seed N]\n"
                + "         [--metric auc|logloss] [--max-rows M] [--task TASK]\n"
                + "  Shuffles each feature's values (and each model_config feature group's, together) across the evaluation rows of\n"
                + "  PATH (build-samples' output, split by CONFIG's input_config.split) R times (default " + DEFAULT_REPEATS + ") and reports\n"
                + "  the mean and std of the AUC drop and logloss increase, ranked by --metric (default auc). At most M rows\n"
                + "  (default " + DEFAULT_MAX_ROWS + ", a seeded sample beyond that) are scored in this process by the bundle.\n"
                + "  TASK defaults to the model's first task. OUT (a path or Hadoop URI) gets importance.csv, importance.json,\n"
                + "  features.png and groups.png, replaced whole.";
    }

    @Override
    int run(CommandLine cl) {
        ConfigOption configOption = ConfigOption.of(cl);
        PipelineConfig config = configOption.loadRequiring("", "input_config");
        InputConfig input = config.getInputConfig();
        BuiltSamplesSplit.require(input, "feature-importance needs");
        int repeats = cl.positiveInt("repeats", DEFAULT_REPEATS);
        long seed = cl.longValue("seed", DEFAULT_SEED);
        int maxRows = cl.positiveInt("max-rows", DEFAULT_MAX_ROWS);
        ImportanceTable.RankBy rankBy;
        try {
            rankBy = ImportanceTable.RankBy.parse(cl.optional("metric").orElse("auc"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        String bundle = cl.required("bundle");
        String samplesPath = cl.required("samples");
        Path outDir = Locations.of(cl.required("out"));
        // checked again under the lock before the write; here too so that a wrong --out fails before the work
        AtomicOutputDirectory.requireReplaceable(outDir, CommittedDirectory.MARKER);
        Predictor predictor = Bundles.predictor(bundle);
        String task = cl.optional("task").orElse(predictor.tasks().get(0));
        if (!predictor.tasks().contains(task)) {
            throw new UsageException("--task " + task + ": the bundle's model has the tasks " + predictor.tasks());
        }
        String label = predictor.label(task);
        FeatureSchema schema = predictor.schema();
        // The bundle's features and model read the samples; CONFIG says which of them are evaluation rows.
        PipelinePlan plan = PipelinePlan.compile(predictor.config().toBuilder().setInputConfig(input).build(), schema);

        SparkSession spark = sparkSession(config.getName(), List.of());
        Dataset<Row> samples = PartitionedOutputDirectory.read(spark, samplesPath);
        SamplesSchemaCheck.require(samples.schema(), plan.samples(), samplesPath);
        Dataset<Row> evaluation = SampleSplit.split(samples, input)[1];
        long evaluationRows = JobDescriptions.run(spark, "evaluation rows", evaluation::count);
        if (evaluationRows < 2) {
            throw new UnusableLocationException(Locations.of(samplesPath), "has " + evaluationRows + " evaluation rows under "
                    + "input_config.split of " + cl.required(ConfigOption.NAME) + "; permutation importance needs at least 2");
        }
        if (evaluationRows > maxRows) {
            // A little over the share needed, then cut: Bernoulli sampling may fall short of maxRows otherwise.
            evaluation = evaluation.sample(false, Math.min(1.0, 1.1 * maxRows / evaluationRows), seed).limit(maxRows);
        }
        Dataset<Row> used = evaluation;
        Examples rows = JobDescriptions.run(spark, "evaluation rows to the driver", () -> SampleTableReader.read(used, schema, input));
        LOG.info("feature-importance: bundle {} ({}), task {} (label {}), {} of {} evaluation rows of {}, {} repeats, seed {}, ranked by {}",
                bundle, predictor.manifest().getModelType(), task, label, rows.numRows(), evaluationRows, samplesPath, repeats, seed, rankBy);

        PermutationImportance importance = new PermutationImportance(scorer(predictor, task), label, repeats, seed);
        long started = System.nanoTime();
        PermutationImportance.Baseline baseline = importance.baseline(rows);
        Map<String, List<String>> groupsOf = groupsOfFeatures(predictor.config());
        List<PermutationImportance.Candidate> features = new ArrayList<>();
        List<String> unused = new ArrayList<>();
        for (int f = 0; f < schema.size(); f++) {
            String name = schema.features().get(f).name();
            if (groupsOf.containsKey(name)) {
                features.add(new PermutationImportance.Candidate(name, String.join("+", groupsOf.get(name)), new int[] {f}));
            } else {
                unused.add(name);
            }
        }
        List<PermutationImportance.Candidate> groups = new ArrayList<>();
        for (FeatureGroup group : predictor.config().getModelConfig().getFeatureGroupsList()) {
            groups.add(new PermutationImportance.Candidate(group.getName(), group.getName(),
                    group.getFeaturesList().stream().mapToInt(schema::index).toArray()));
        }
        ImportanceTable table = new ImportanceTable(
                new ImportanceTable.Settings(task, label, rows.numRows(), evaluationRows, repeats, seed, rankBy), baseline,
                importance.measure(rows, baseline, features), importance.measure(rows, baseline, groups));
        double seconds = (System.nanoTime() - started) / 1e9;

        try (DirectoryLock lock = AtomicOutputDirectory.lock(outDir, "feature-importance --bundle " + bundle)) {
            write(table, outDir, lock);
        }
        print(table, bundle, outDir, seconds);
        if (!unused.isEmpty()) {
            // The model never reads them: shuffling them cannot change a score.
            out.printf(Locale.ROOT, "feature-importance: %d features of the bundle are in no model_config feature group, so unused by the "
                    + "model and not measured: %s%n", unused.size(), unused);
        }
        return 0;
    }

    /** The task's scores of the rows, a forward pass per batch of {@value #SCORING_BATCH} rows, batches in parallel (the predictor is thread-safe). */
    private static Function<Examples, float[]> scorer(Predictor predictor, String task) {
        return rows -> {
            float[] scores = new float[rows.numRows()];
            int batches = (rows.numRows() + SCORING_BATCH - 1) / SCORING_BATCH;
            IntStream.range(0, batches).parallel().forEach(b -> {
                int from = b * SCORING_BATCH;
                int to = Math.min(rows.numRows(), from + SCORING_BATCH);
                System.arraycopy(predictor.score(rows.slice(from, to)).task(task), 0, scores, from, to - from);
            });
            return scores;
        };
    }

    /** Per feature, the model_config feature groups it is in, in the config's order. */
    private static Map<String, List<String>> groupsOfFeatures(PipelineConfig config) {
        Map<String, List<String>> groupsOf = new LinkedHashMap<>();
        for (FeatureGroup group : config.getModelConfig().getFeatureGroupsList()) {
            for (String feature : group.getFeaturesList()) {
                groupsOf.computeIfAbsent(feature, f -> new ArrayList<>()).add(group.getName());
            }
        }
        return groupsOf;
    }

    private static void write(ImportanceTable table, Path outDir, DirectoryLock lock) {
        String metric = table.settings().rankBy() == ImportanceTable.RankBy.AUC ? "AUC drop" : "logloss increase";
        try {
            AtomicOutputDirectory output = new AtomicOutputDirectory(outDir);
            try {
                Path staging = output.staging();
                Files.writeString(staging.resolve("importance.csv"), table.csv(), StandardCharsets.UTF_8);
                Files.writeString(staging.resolve("importance.json"), table.json(), StandardCharsets.UTF_8);
                ImportancePlot.write(String.format(Locale.ROOT, "Permutation importance of the features (%d rows, %d repeats)",
                        table.settings().rowsUsed(), table.settings().repeats()), metric + " when shuffled (mean +- std)",
                        bars(table.features(), table.settings().rankBy()), staging.resolve("features.png"));
                ImportancePlot.write(String.format(Locale.ROOT, "Permutation importance of the feature groups (%d rows, %d repeats)",
                        table.settings().rowsUsed(), table.settings().repeats()), metric + " when shuffled (mean +- std)",
                        bars(table.groups(), table.settings().rankBy()), staging.resolve("groups.png"));
                lock.checkHeld();
                output.commit();
            } catch (IOException | RuntimeException e) {
                output.abandon();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + outDir + "; nothing of it was published: " + e.getMessage(), e);
        }
    }

    private static List<ImportancePlot.Bar> bars(List<ImportanceTable.Row> rows, ImportanceTable.RankBy rankBy) {
        return rows.stream().map(r -> rankBy == ImportanceTable.RankBy.AUC
                ? new ImportancePlot.Bar(r.result().candidate().name(), r.result().meanAucDrop(), r.result().stdAucDrop())
                : new ImportancePlot.Bar(r.result().candidate().name(), r.result().meanLoglossIncrease(), r.result().stdLoglossIncrease()))
                .toList();
    }

    private void print(ImportanceTable table, String bundle, Path outDir, double seconds) {
        ImportanceTable.Settings s = table.settings();
        out.printf(Locale.ROOT, "feature-importance: %s, task %s: %d of %d evaluation rows used, %d repeats, seed %d, %.1f s%n", bundle,
                s.task(), s.rowsUsed(), s.evaluationRows(), s.repeats(), s.seed(), seconds);
        out.printf(Locale.ROOT, "feature-importance: baseline auc %.6f, logloss %.6f; ranked by %s%n", table.baseline().auc(),
                table.baseline().logloss(), s.rankBy().name().toLowerCase(Locale.ROOT));
        out.printf(Locale.ROOT, "%-6s %-28s %-16s %22s %26s%n", "rank", "feature", "group", "auc drop (std)", "logloss increase (std)");
        for (List<ImportanceTable.Row> rows : List.of(table.features(), table.groups())) {
            for (ImportanceTable.Row row : rows) {
                PermutationImportance.Result r = row.result();
                out.printf(Locale.ROOT, "%-6s %-28s %-16s %13.6f (%.6f) %17.6f (%.6f)%n",
                        (row.kind().equals("group") ? "g" : "") + row.rank(), r.candidate().name(), r.candidate().group(),
                        r.meanAucDrop(), r.stdAucDrop(), r.meanLoglossIncrease(), r.stdLoglossIncrease());
            }
        }
        out.printf(Locale.ROOT, "feature-importance: -> %s (importance.csv, importance.json, features.png, groups.png)%n", outDir);
    }
}

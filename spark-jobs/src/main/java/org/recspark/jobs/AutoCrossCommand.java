package org.recspark.jobs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.ConfigException;
import org.recspark.config.proto.InputConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.hpo.report.BestConfigWriter;
import org.recspark.jobs.samples.PartitionedOutputDirectory;
import org.recspark.jobs.training.SampleSplit;
import org.recspark.jobs.training.SampleTableReader;
import org.recspark.jobs.training.SamplesSchemaCheck;
import org.recspark.model.data.Examples;
import org.recspark.storage.Locations;
import org.recspark.trainer.autocross.AutoCrossResult;
import org.recspark.trainer.autocross.AutoCrossSearch;
import org.recspark.trainer.autocross.AutoCrossSettings;
import org.recspark.trainer.autocross.CrossConfig;
import org.recspark.trainer.autocross.CrossSearchData;
import org.recspark.trainer.autocross.ScoredCross;
import org.recspark.trainer.plan.PipelinePlan;

/**
 * {@code recspark auto-cross --config C --samples S --out C2}: searches crosses of the config's
 * {@code id} features ({@link AutoCrossSearch}) on the training rows of built samples, scored on
 * the evaluation rows (the test rows are not read), prints each round's ranking and the crosses
 * selected, and writes C2: C with the selected crosses added as {@code combo} features to its
 * feature config and feature group, its relative paths made absolute, planned before it is reported.
 */
final class AutoCrossCommand extends OptionCommand {
    static final int DEFAULT_TOP = 3;
    static final int DEFAULT_MAX_ORDER = 3;
    static final int DEFAULT_MAX_CANDIDATES = 200;
    static final double DEFAULT_MIN_GAIN = 0.001;
    private static final int RANKED_SHOWN = 10;

    AutoCrossCommand(PrintStream out) {
        super("auto-cross",
                "search feature crosses (AutoCross: field-wise LR, validation AUC gain) and write the config with them as combo features",
                out, Set.of(ConfigOption.NAME, "samples", "out", "top", "max-order", "max-candidates", "min-gain", "threads", "group", "label"),
                Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark auto-cross --config CONFIG --samples PATH --out FILE [--top K] [--max-order N] [--max-candidates M]\n"
                + "         [--min-gain G] [--threads T] [--group NAME] [--label LABEL]\n"
                + "  Crosses CONFIG's id features: a logistic regression on them is fitted to the training rows of PATH (build-samples'\n"
                + "  output, split by input_config.split); each candidate cross is scored by the evaluation AUC gained when it is\n"
                + "  added with that model held fixed. Pairs first; each selected cross is added to the model and extended by one\n"
                + "  more field, up to N fields (default " + DEFAULT_MAX_ORDER + "). At most K crosses (default " + DEFAULT_TOP + "), each gaining at least G\n"
                + "  (default " + DEFAULT_MIN_GAIN + "); at most M candidates scored per round (default " + DEFAULT_MAX_CANDIDATES + "), T at once\n"
                + "  (default runtime_config.threads_per_worker). FILE gets CONFIG plus a combo feature per cross, added to feature\n"
                + "  group NAME (default: the group of the cross's first feature). LABEL defaults to model_config.label.";
    }

    @Override
    int run(CommandLine cl) throws IOException {
        ConfigOption configOption = ConfigOption.of(cl);
        int top = cl.positiveInt("top", DEFAULT_TOP);
        int maxOrder = cl.positiveInt("max-order", DEFAULT_MAX_ORDER);
        int maxCandidates = cl.positiveInt("max-candidates", DEFAULT_MAX_CANDIDATES);
        double minGain = minGain(cl);
        if (maxOrder < 2) {
            throw new UsageException("--max-order must be >= 2, got " + maxOrder);
        }
        String samplesPath = cl.required("samples");
        Path outFile = Locations.of(cl.required("out"));
        PipelinePlan plan = configOption.planRequiring("", "input_config", "feature_config");
        PipelineConfig config = plan.config();
        InputConfig input = config.getInputConfig();
        BuiltSamplesSplit.require(input, "auto-cross needs");
        int threads = cl.positiveInt("threads", config.getRuntimeConfig().getThreadsPerWorker());
        String label = cl.optional("label").orElseGet(() -> {
            if (config.getModelConfig().getLabel().isEmpty()) {
                throw new UsageException("model_config has no label (a multi-task model): name one with --label");
            }
            return config.getModelConfig().getLabel();
        });
        if (input.getLabelsList().stream().noneMatch(l -> l.getName().equals(label))) {
            throw new UsageException("--label " + label + " is not one of input_config.labels");
        }
        List<String> fields = CrossConfig.crossableFeatures(config);
        if (fields.size() < 2) {
            throw new UsageException(configOption.file() + " has " + fields + " as id features of its model: a cross needs two");
        }

        SparkSession spark = sparkSession(config.getName(), List.of());
        Dataset<Row> samples = PartitionedOutputDirectory.read(spark, samplesPath);
        SamplesSchemaCheck.require(samples.schema(), plan.samples(), samplesPath);
        Dataset<Row>[] parts = SampleSplit.split(samples, input);
        Examples train = JobDescriptions.run(spark, "training rows to the driver", () -> SampleTableReader.read(parts[0], plan.schema(), input));
        Examples validation = JobDescriptions.run(spark, "evaluation rows to the driver",
                () -> SampleTableReader.read(parts[1], plan.schema(), input));
        if (train.numRows() == 0 || validation.numRows() == 0) {
            throw new IllegalArgumentException(samplesPath + " has " + train.numRows() + " training and " + validation.numRows()
                    + " evaluation rows under input_config.split; auto-cross needs both");
        }
        out.printf(Locale.ROOT, "auto-cross: %d training and %d evaluation rows, label %s, fields %s%n", train.numRows(),
                validation.numRows(), label, fields);
        long started = System.nanoTime();
        AutoCrossSettings settings = AutoCrossSettings.defaults(top, maxOrder, threads).withMinGain(minGain).withMaxCandidates(maxCandidates);
        AutoCrossResult result = new AutoCrossSearch(settings).run(CrossSearchData.fromExamples(train, validation, fields, label));
        double seconds = (System.nanoTime() - started) / 1e9;

        PipelineConfig crossed = CrossConfig.withCrosses(config, result.selected(), cl.optional("group"));
        BestConfigWriter.writeRelocated(crossed, configOption.baseDir(), outFile, header(configOption.file(), result));
        try {
            PipelinePlan.load(outFile);
        } catch (ConfigException e) {
            throw new IllegalStateException("the config written to " + outFile + " does not plan: " + e.getMessage(), e);
        }
        print(result, seconds, outFile);
        return 0;
    }

    private static double minGain(CommandLine cl) {
        String value = cl.optional("min-gain").orElse(Double.toString(DEFAULT_MIN_GAIN));
        try {
            double gain = Double.parseDouble(value);
            if (!(gain >= 0)) {
                throw new UsageException("--min-gain must be >= 0, got " + value);
            }
            return gain;
        } catch (NumberFormatException e) {
            throw new UsageException("--min-gain expects a number, got '" + value + "'");
        }
    }

    private static List<String> header(Path config, AutoCrossResult result) {
        List<String> lines = new ArrayList<>();
        lines.add("Written by recspark auto-cross from " + config + ": its crosses, by evaluation AUC gain of a field-wise LR");
        lines.add(String.format(Locale.ROOT, "(base AUC %.5f, with the crosses %.5f):", result.baseAuc(), result.finalAuc()));
        result.selected().forEach(c -> lines.add(String.format(Locale.ROOT, "  %s  %+.5f", c.name(), c.gain())));
        return lines;
    }

    private void print(AutoCrossResult result, double seconds, Path outFile) {
        for (int r = 0; r < result.rounds().size(); r++) {
            List<ScoredCross> round = result.rounds().get(r);
            out.printf(Locale.ROOT, "round %d: %d candidates, best %d:%n", r + 1, round.size(), Math.min(RANKED_SHOWN, round.size()));
            round.stream().limit(RANKED_SHOWN).forEach(c -> out.printf(Locale.ROOT, "  %-40s %10d values  AUC %.5f  gain %+.5f%n",
                    c.name(), c.cardinality(), c.validationAuc(), c.gain()));
        }
        out.printf(Locale.ROOT, "selected (%d):%n", result.selected().size());
        for (int i = 0; i < result.selected().size(); i++) {
            ScoredCross c = result.selected().get(i);
            out.printf(Locale.ROOT, "  %d. %-40s gain %+.5f%n", i + 1, c.name(), c.gain());
        }
        out.printf(Locale.ROOT, "auto-cross: evaluation AUC of the field-wise LR %.5f -> %.5f in %.1f s%nconfig: %s%n", result.baseAuc(),
                result.finalAuc(), seconds, outFile);
    }
}

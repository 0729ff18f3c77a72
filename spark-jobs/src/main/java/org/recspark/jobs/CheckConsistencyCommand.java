package org.recspark.jobs;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.jobs.consistency.ConsistencyCheck;
import org.recspark.jobs.prediction.Bundles;
import org.recspark.jobs.samples.HiveSupport;

/**
 * {@code recspark check-consistency --config CONFIG --bundle DIR --samples PATH [--rows N] [--seed S]}:
 * recomputes a sample of training rows from raw inputs with the exported model's predictor and
 * compares features and scores with the stored samples (see {@link ConsistencyCheck}); exits 1
 * on any mismatch, naming the features.
 */
final class CheckConsistencyCommand extends OptionCommand {
    CheckConsistencyCommand(PrintStream out) {
        super("check-consistency",
                "recompute sampled training rows from raw inputs with the predictor; report feature and score mismatches",
                out, Set.of(ConfigOption.NAME, "bundle", "samples", "rows", "seed"), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark check-consistency --config CONFIG --bundle DIR --samples PATH [--rows N] [--seed S]\n"
                + "  CONFIG's input_config names the raw tables PATH (the build-samples output) was built from; N defaults to 1000.";
    }

    @Override
    int run(CommandLine cl) {
        ConfigOption configOption = ConfigOption.of(cl);
        PipelineConfig config = configOption.load();
        int rows = cl.positiveInt("rows", 1000);
        long seed = cl.longValue("seed", 7L);
        ConsistencyCheck.Report report = new ConsistencyCheck(sparkSession("", HiveSupport.tablesIn(config.getInputConfig())), config,
                configOption.baseDir(), Bundles.predictor(cl.required("bundle"))).run(cl.required("samples"), rows, seed);
        out.printf(Locale.ROOT, "check-consistency: %d rows checked (%d without a matching raw row), %d feature mismatches, "
                + "%d score mismatches (max score difference %.2g)%n", report.rowsChecked(), report.rowsWithoutRawInput(),
                report.featureMismatches(), report.scoreMismatches(), report.maxScoreDifference());
        for (Map.Entry<String, Long> e : report.mismatchesByFeature().entrySet()) {
            out.printf(Locale.ROOT, "  feature %s: %d rows differ; first: %s%n", e.getKey(), e.getValue(),
                    report.firstMismatchByFeature().get(e.getKey()));
        }
        for (String other : List.of("(raw input)", "(score)")) {
            if (report.firstMismatchByFeature().containsKey(other)) {
                out.printf(Locale.ROOT, "  %s first: %s%n", other, report.firstMismatchByFeature().get(other));
            }
        }
        out.println(report.consistent() ? "check-consistency: consistent" : "check-consistency: INCONSISTENT");
        return report.consistent() ? 0 : 1;
    }
}

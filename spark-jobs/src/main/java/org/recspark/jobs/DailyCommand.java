package org.recspark.jobs;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.drift.GuardCheck;
import org.recspark.jobs.daily.DailyRegistry;
import org.recspark.jobs.daily.DailyRun;
import org.recspark.jobs.daily.DayState;
import org.recspark.jobs.samples.HiveSupport;
import org.recspark.storage.Locations;

/**
 * {@code recspark daily --config CONFIG --date YYYY-MM-DD --work DIR [--threads N]}: one day of the
 * incremental run ({@link DailyRun}); exits 0 when the day is GOOD, {@value #REFUSED} when a guard
 * refused it (the previous model stays current), 1 when it failed.
 */
final class DailyCommand extends OptionCommand {
    static final int REFUSED = 3;

    DailyCommand(PrintStream out) {
        super("daily",
                "one day of the incremental run: samples, guards, warm-started training, promotion of the model if the guards pass",
                out, Set.of(ConfigOption.NAME, "date", "work", "threads"), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark daily --config CONFIG --date YYYY-MM-DD --work DIR [--threads N]\n"
                + "  Builds the day's samples into DIR/samples (partition dt=DATE), checks daily_config.guards against the latest\n"
                + "  GOOD day before DATE, trains warm-started from that day's model, and points DIR/current.json at the new\n"
                + "  model only if every guard passes. DIR/days/DATE/ holds state.json, report.json and the run. A GOOD day\n"
                + "  is not run again; any other day starts over. Exit 0: GOOD; " + REFUSED + ": refused by a guard; 1: failed.\n"
                + "  N defaults to runtime_config.threads_per_worker.";
    }

    @Override
    int run(CommandLine cl) {
        ConfigOption configOption = ConfigOption.of(cl);
        String date = cl.date("date").orElseThrow(() -> new UsageException("option --date is required"));
        Path work = Locations.of(cl.required("work"));
        PipelineConfig config = configOption.loadRequiring(", which a daily run needs",
                "input_config", "model_config", "eval_config", "export_config");
        int threads = cl.positiveInt("threads", config.getRuntimeConfig().getThreadsPerWorker());
        DailyRun daily = new DailyRun(sparkSession(date + " " + config.getName(), HiveSupport.tablesIn(config.getInputConfig())),
                config, configOption.baseDir(), work, threads);
        DailyRun.Result result = daily.run(date);
        DayState state = result.state();
        if (result.alreadyGood()) {
            out.println("daily: day " + date + " is already GOOD; model " + state.bundle().orElseThrow());
        } else {
            out.println("daily: " + result.report().orElseThrow().summary());
            for (GuardCheck failed : result.report().get().failed()) {
                out.println("  " + failed.describe());
            }
            out.println("report: " + result.reportFile());
        }
        out.println("current model: " + new DailyRegistry(work).current()
                .map(c -> "day " + c.date() + " " + c.bundle().orElseThrow()).orElse("none"));
        return state.status() == DayState.Status.REFUSED ? REFUSED : 0;
    }
}

package org.recspark.jobs;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.drift.GuardCheck;
import org.recspark.jobs.daily.DailyRegistry;
import org.recspark.jobs.daily.DailyRun;
import org.recspark.jobs.daily.DayState;
import org.recspark.jobs.samples.HiveSupport;
import org.recspark.jobs.samples.SparkSessions;
import org.recspark.storage.Locations;

/**
 * {@code recspark daily --config CONFIG --date YYYY-MM-DD --work DIR [--threads N]}: one day of the
 * incremental run ({@link DailyRun}); exits 0 when the day is GOOD, {@value #REFUSED} when a guard
 * refused it (the previous model stays current), 1 when it failed.
 */
final class DailyCommand implements Command {
    static final int REFUSED = 3;

    private final PrintStream out;

    DailyCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "daily";
    }

    @Override
    public String summary() {
        return "one day of the incremental run: samples, guards, warm-started training, promotion of the model if the guards pass";
    }

    @Override
    public String usage() {
        return "usage: recspark daily --config CONFIG --date YYYY-MM-DD --work DIR [--threads N]\n"
                + "  Builds the day's samples into DIR/samples (partition dt=DATE), checks daily_config.guards against the latest\n"
                + "  GOOD day before DATE, trains warm-started from that day's model, and points DIR/current.json at the new\n"
                + "  model only if every guard passes. DIR/days/DATE/ holds state.json, report.json and the run. A GOOD day\n"
                + "  is not run again; any other day starts over. Exit 0: GOOD; " + REFUSED + ": refused by a guard; 1: failed.\n"
                + "  N defaults to runtime_config.threads_per_worker.";
    }

    @Override
    public int run(List<String> args) {
        CommandLine cl = CommandLine.parse(args, Set.of("config", "date", "work", "threads"));
        Path configFile = Locations.of(cl.required("config"));
        String date = cl.date("date").orElseThrow(() -> new UsageException("option --date is required"));
        Path work = Locations.of(cl.required("work"));
        PipelineConfig config = ConfigParser.load(configFile);
        for (String section : List.of("input_config", "model_config", "eval_config", "export_config")) {
            if (!config.hasField(PipelineConfig.getDescriptor().findFieldByName(section))) {
                throw new UsageException(configFile + " has no " + section + ", which a daily run needs");
            }
        }
        int threads = cl.positiveInt("threads", config.getRuntimeConfig().getThreadsPerWorker());
        DailyRun daily = new DailyRun(SparkSessions.getOrCreate("recspark daily " + date + " " + config.getName(),
                HiveSupport.tablesIn(config.getInputConfig())), config,
                Locations.parentOf(configFile), work, threads);
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

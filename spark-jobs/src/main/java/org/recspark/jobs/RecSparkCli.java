package org.recspark.jobs;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.recspark.config.ConfigException;
import org.recspark.jobs.samples.BadFeatureValueException;
import org.recspark.jobs.samples.TooManyRejectsException;
import org.recspark.jobs.samples.UnreadableInputException;
import org.recspark.jobs.storage.DriverStorage;
import org.recspark.jobs.training.SamplesSchemaException;
import org.recspark.model.bundle.CheckpointException;
import org.recspark.model.bundle.ExportException;
import org.recspark.storage.DirectoryLockedException;
import org.recspark.storage.UnusableLocationException;
import org.recspark.trainer.retrieval.SavedIndexException;

/**
 * The {@code recspark} launcher: {@code bin/recspark <command> [options]} locally, and the same
 * {@code <command> [options]} after the jar in {@code spark-submit --class org.recspark.jobs.RecSparkCli}.
 * This class is the process boundary: it prints to stdout/stderr and chooses the exit code.
 */
public final class RecSparkCli {
    private final Map<String, Command> commands = new LinkedHashMap<>();
    private final PrintStream out;
    private final PrintStream err;

    RecSparkCli(PrintStream out, PrintStream err, List<Command> commands) {
        this.out = out;
        this.err = err;
        commands.forEach(c -> this.commands.put(c.name(), c));
    }

    static RecSparkCli standard(PrintStream out, PrintStream err) {
        return new RecSparkCli(out, err, List.of(
                new ValidateConfigCommand(out),
                new GenerateSampleCommand(out),
                new FeaturesCommand(out),
                new BuildSamplesCommand(out),
                new PrepareMovieLensCommand(out),
                new TrainCommand(out),
                new DailyCommand(out),
                new HpoCommand(out),
                new PredictCommand(out),
                new ServeCommand(out),
                new CheckConsistencyCommand(out),
                new EvaluateCommand(out),
                new FeatureImportanceCommand(out),
                new SelectFeaturesCommand(out),
                new RetrieveCommand(out),
                new ExportEmbeddingsCommand(out),
                new AutoCrossCommand(out)));
    }

    public static void main(String[] args) {
        System.exit(standard(System.out, System.err).run(args));
    }

    int run(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            if (args.length > 1 && commands.containsKey(args[1])) {
                out.println(commands.get(args[1]).usage());
            } else {
                printHelp(out);
            }
            return args.length == 0 ? 2 : 0;
        }
        Command command = commands.get(args[0]);
        if (command == null) {
            err.println("recspark: unknown command '" + args[0] + "'");
            printHelp(err);
            return 2;
        }
        try {
            DriverStorage.installFromSystemProperties();
            return JobDescriptions.forCommand(command.name(), () -> command.run(Arrays.asList(args).subList(1, args.length)));
        } catch (UsageException e) {
            err.println("recspark " + command.name() + ": " + e.getMessage());
            err.println(command.usage());
            return 2;
        } catch (ConfigException | SamplesSchemaException | SavedIndexException | UnusableLocationException e) {
            // Bad input like a bad option, each message naming what is wrong: the config's every problem, a samples table
            // built for another config, a saved index of another corpus (or a damaged one), a location that cannot be
            // what its option names.
            err.println("recspark " + command.name() + ": " + e.getMessage());
            return 2;
        } catch (DirectoryLockedException | ExportException | CheckpointException e) {
            // Another run's lock, or a missing, incomplete or damaged bundle or checkpoint: the message names it and what is wrong.
            err.println("recspark " + command.name() + " failed: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            // Bad data, not a fault, also when a Spark task met it: the message names the rows and what is wrong with them.
            Optional<String> badData = badData(e);
            if (badData.isPresent()) {
                err.println("recspark " + command.name() + " failed: " + badData.get());
                return 1;
            }
            err.println("recspark " + command.name() + " failed: " + e.getMessage());
            e.printStackTrace(err);
            return 1;
        }
    }

    /** The report of bad input data among {@code e} and its causes (a task's exception reaches the driver wrapped by Spark). */
    static Optional<String> badData(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TooManyRejectsException || t instanceof BadFeatureValueException || t instanceof UnreadableInputException) {
                return Optional.of(t.getMessage());
            }
        }
        return UnreadableInputException.describe(e);
    }

    private void printHelp(PrintStream stream) {
        stream.println("usage: recspark <command> [options]   (recspark help <command> for its options)");
        stream.println("commands:");
        commands.values().forEach(c -> stream.printf("  %-16s %s%n", c.name(), c.summary()));
    }
}

package org.recspark.jobs;

import java.io.PrintStream;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.recspark.jobs.samples.HiveSupport;
import org.recspark.jobs.samples.SparkSessions;

/**
 * One subcommand of the {@code recspark} launcher. Each maps 1:1 to a spark-submit entry point:
 * {@code spark-submit --class org.recspark.jobs.RecSparkCli recspark-jobs.jar <name> <args>}.
 * A command states its name, summary, usage and work; the launcher ({@link RecSparkCli}) owns the
 * command list, the help, the mapping of errors to exit codes and the job descriptions.
 */
abstract class Command {
    private final String name;
    private final String summary;
    /** Where the command reports what it did; errors go to the launcher as exceptions. */
    protected final PrintStream out;

    protected Command(String name, String summary, PrintStream out) {
        this.name = name;
        this.summary = summary;
        this.out = out;
    }

    final String name() {
        return name;
    }

    /** One line for the launcher's help. */
    final String summary() {
        return summary;
    }

    /** Usage text shown on bad arguments and for {@code recspark help <name>}. */
    abstract String usage();

    /** Runs the command; returns the process exit code. Throws {@link UsageException} on bad arguments. */
    abstract int run(List<String> args) throws Exception;

    /**
     * The session of this command's Spark jobs, named {@code "recspark <command> <detail>"} in the
     * Spark UI; {@code hiveTables} are the Hive tables it reads and writes (see {@link SparkSessions}).
     */
    protected final SparkSession sparkSession(String detail, List<HiveSupport.NamedTable> hiveTables) {
        return SparkSessions.getOrCreate(detail.isEmpty() ? "recspark " + name : "recspark " + name + " " + detail, hiveTables);
    }
}

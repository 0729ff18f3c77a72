package org.recspark.jobs;

import java.util.List;

/**
 * One subcommand of the {@code recspark} launcher. Each maps 1:1 to a spark-submit entry point:
 * {@code spark-submit --class org.recspark.jobs.RecSparkCli recspark-jobs.jar <name> <args>}.
 */
interface Command {
    String name();

    /** One line for the launcher's help. */
    String summary();

    /** Usage text shown on bad arguments and for {@code recspark help <name>}. */
    String usage();

    /** Runs the command; returns the process exit code. Throws {@link UsageException} on bad arguments. */
    int run(List<String> args) throws Exception;
}

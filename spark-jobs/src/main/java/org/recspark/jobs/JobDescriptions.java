package org.recspark.jobs;

import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * The descriptions of the Spark jobs the product runs, which the Spark UI lists and event logs keep:
 * {@code "<command>: <step>"}, such as {@code "build-samples: replay and write dt=2026-11-04"} or
 * {@code "train: barrier training (2 workers)"}.
 *
 * <p>The launcher names the command for the thread that runs it and the threads that thread starts
 * ({@link #forCommand}); the session of the command then describes its jobs with the command's name
 * ({@link #commandSession}), and code that starts jobs names its step with {@link #run}, which
 * describes the jobs the work starts from this thread (Spark SQL passes the description on to the
 * jobs it starts from its own threads for a query) and restores the previous description after.
 * Outside a command (a notebook, a test calling a job class) the step's name stands alone.
 */
public final class JobDescriptions {
    /** The local property {@link SparkContext#setJobDescription} sets. */
    public static final String PROPERTY = "spark.job.description";
    private static final InheritableThreadLocal<String> COMMAND = new InheritableThreadLocal<>();

    private JobDescriptions() {}

    /** Runs a launcher command; when it ends, this thread's jobs are no longer described by it. */
    static int forCommand(String command, Callable<Integer> work) throws Exception {
        COMMAND.set(command);
        try {
            return work.call();
        } finally {
            COMMAND.remove();
            Option<SparkSession> session = SparkSession.getActiveSession();
            if (session.isDefined()) {
                session.get().sparkContext().setLocalProperty(PROPERTY, null);
            }
        }
    }

    /** Describes the jobs of the session a command got with the command's name, until a step names them better. */
    public static void commandSession(SparkSession spark) {
        String command = COMMAND.get();
        if (command != null) {
            spark.sparkContext().setJobDescription(command);
        }
    }

    /** The full description of a step: prefixed with the running command's name, if any. */
    public static String describe(String step) {
        String command = COMMAND.get();
        return command == null ? step : command + ": " + step;
    }

    /** Runs {@code work} with the jobs it starts from this thread described as {@code step}; returns its result. */
    public static <T> T run(SparkSession spark, String step, Supplier<T> work) {
        SparkContext context = spark.sparkContext();
        String previous = context.getLocalProperty(PROPERTY);
        context.setJobDescription(describe(step));
        try {
            return work.get();
        } finally {
            context.setLocalProperty(PROPERTY, previous);
        }
    }

    /** Runs {@code work} with the jobs it starts from this thread described as {@code step}. */
    public static void run(SparkSession spark, String step, Runnable work) {
        run(spark, step, () -> {
            work.run();
            return null;
        });
    }
}

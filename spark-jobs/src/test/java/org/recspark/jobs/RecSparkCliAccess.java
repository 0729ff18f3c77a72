package org.recspark.jobs;

import java.io.PrintStream;

/** Lets tests in other packages run the launcher in-process. */
public final class RecSparkCliAccess {
    private RecSparkCliAccess() {}

    public static int run(PrintStream out, PrintStream err, String... args) {
        return RecSparkCli.standard(out, err).run(args);
    }
}

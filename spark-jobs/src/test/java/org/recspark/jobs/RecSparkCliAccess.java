package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Lets tests in other packages run the launcher in-process. */
public final class RecSparkCliAccess {
    private RecSparkCliAccess() {}

    public static int run(PrintStream out, PrintStream err, String... args) {
        return RecSparkCli.standard(out, err).run(args);
    }

    /** Runs a command that must succeed; returns what it printed (a failure shows its output and errors). */
    public static String runOk(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        assertEquals(0, code, String.join(" ", args) + "\n" + out + err);
        return out.toString(StandardCharsets.UTF_8);
    }
}

package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code recspark serve} through the launcher: its settings are checked before anything starts, every
 * bad one named with its option, and a location that holds no bundle stops it with exit 1. The server
 * itself is tested in the serving module.
 */
class ServeCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return RecSparkCli.standard(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void badSettingsAreUsageErrorsNamingEveryOption() {
        assertEquals(2, run("serve", "--port", "8080"));
        assertTrue(errors().contains("recspark serve: option --bundle is required"), errors());
        assertTrue(errors().contains("usage: recspark serve --bundle DIR|URI"), errors());
        err.reset();
        assertEquals(2, run("serve", "--bundle", "b", "--port", "70000", "--queue", "0", "--deadline-ms", "0"));
        assertTrue(errors().contains("recspark serve: --port: 70000 is not a port (0-65535; 0 for any free port); --queue: 0 must be at "
                + "least 1; --deadline-ms: 0 must be positive"), errors());
        err.reset();
        assertEquals(2, run("serve", "--bundle", "b", "--threads", "9999999999"));
        assertTrue(errors().contains("option --threads is out of range: 9999999999"), errors());
    }

    @Test
    void aLocationWithoutABundleStopsTheServerBeforeItServes(@TempDir Path dir) {
        assertEquals(1, run("serve", "--bundle", dir.toString(), "--port", "0", "--grpc-port", "-1"));
        assertTrue(errors().contains("recspark serve failed: " + dir + " is not an export bundle (no export.pb.sha256) and " + dir
                + " has no current.json naming one"), errors());
    }
}

package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the commands share through {@link OptionCommand} and {@link ConfigOption}: declared options
 * and flags parsed strictly, usage errors before the config is read, and a config's missing
 * sections named with its file. Every case stops before a Spark session is needed.
 */
class CommandPreambleTest {
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
    void aFlagIsADeclaredOptionListedWithTheOthersAndGivenOnce() {
        assertEquals(2, run("hpo", "--config", "c.pbtxt", "--sparc"));
        assertTrue(errors().contains("recspark hpo: unknown option --sparc (expected one of [--config, --out, --samples, --space, --spark, "
                + "--threads])"), errors());
        assertTrue(errors().contains("usage: recspark hpo --config CONFIG"), errors());
        err.reset();
        assertEquals(2, run("hpo", "--spark", "--config", "c.pbtxt", "--spark"));
        assertTrue(errors().contains("recspark hpo: option --spark given twice"), errors());
    }

    @Test
    void otherUsageErrorsComeBeforeTheConfigIsRead(@TempDir Path dir) {
        String missing = dir.resolve("missing.pbtxt").toString();
        assertEquals(2, run("build-samples", "--config", missing, "--out-table", "recs.samples;"));
        assertTrue(errors().contains("--out-table expects TABLE or DB.TABLE (letters, digits, _), got 'recs.samples;'"), errors());
        err.reset();
        assertEquals(2, run("daily", "--config", missing, "--date", "2026-1-2", "--work", dir.toString()));
        assertTrue(errors().contains("--date expects YYYY-MM-DD, got '2026-1-2'"), errors());
        err.reset();
        assertEquals(2, run("build-samples", "--config", missing, "--out", dir.resolve("s").toString(), "--date", "2026-13-45"));
        assertTrue(errors().contains("--date expects a day of the calendar as YYYY-MM-DD, got '2026-13-45' (Invalid value for "
                + "MonthOfYear"), errors());
        err.reset();
        assertEquals(2, run("train", "--samples", "s"));
        assertTrue(errors().contains("recspark train: option --config is required"), errors());
    }

    @Test
    void aSectionTheCommandNeedsIsNamedWithTheConfigFile(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("bare.pbtxt"), "name: \"bare\"\n"
                + "feature_config { features { name: \"user_id\" id { input: \"user.user_id\" hash_bucket_size: 100 } } }\n");
        assertEquals(2, run("train", "--config", config.toString(), "--samples", "s"));
        assertTrue(errors().contains("recspark train: " + config + " has no model_config\n"), errors());
        err.reset();
        assertEquals(2, run("daily", "--config", config.toString(), "--date", "2026-01-02", "--work", dir.resolve("work").toString()));
        assertTrue(errors().contains(config + " has no input_config, which a daily run needs"), errors());
        err.reset();
        assertEquals(2, run("features", "--config", config.toString(), "--out", dir.resolve("features").toString()));
        assertTrue(errors().contains(config + " has no input_config to read samples from"), errors());
        err.reset();
        assertEquals(2, run("build-samples", "--config", config.toString(), "--out", dir.resolve("samples").toString()));
        assertTrue(errors().contains(config + " has no input_config\n"), errors());
    }
}

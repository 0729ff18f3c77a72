package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.storage.CommittedDirectory;
import org.recspark.storage.UnusableLocationException;

/**
 * Locations named on the command line that cannot be what their option says: a file where a
 * directory goes, a directory of something else where an output would replace it whole, a
 * directory that is not an export bundle. Each is refused naming it, before a Spark session, and
 * what is there is left untouched.
 */
class UserLocationsTest {
    private static final Path SAMPLE_CONFIG = RecSparkCliTest.repoRoot().resolve("examples/sample_pipeline.pbtxt");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    private int run(String... args) {
        return RecSparkCli.standard(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aModelDirectoryThatIsAFileIsRefusedBeforeTraining() throws IOException {
        Path file = Files.writeString(dir.resolve("model"), "notes");
        assertEquals(2, run("train", "--config", SAMPLE_CONFIG.toString(), "--samples", dir.resolve("samples").toString(),
                "--model-dir", file.toString()));
        assertTrue(errors().startsWith("recspark train: " + file + " is a file, not a directory;"), errors());
        assertEquals("notes", Files.readString(file));
    }

    @Test
    void anOutputIsNeverWrittenOverAFileOrADirectoryOfSomethingElse() throws IOException {
        Path file = Files.writeString(dir.resolve("importance"), "notes");
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.writeString(models.resolve("run.json"), "{}");
        for (Path target : new Path[] {file, models}) {
            err.reset();
            assertEquals(2, run("feature-importance", "--config", SAMPLE_CONFIG.toString(), "--bundle", dir.resolve("bundle").toString(),
                    "--samples", dir.resolve("samples").toString(), "--out", target.toString()));
            assertTrue(errors().startsWith("recspark feature-importance: " + target + " is a "), errors());
        }
        assertTrue(errors().contains("is a directory that is not an earlier output of this command (it has no _COMMITTED)"), errors());
        assertEquals("notes", Files.readString(file));
        assertEquals("{}", Files.readString(models.resolve("run.json")));
    }

    @Test
    void anEarlierOutputOrAnEmptyDirectoryIsReplaced() throws IOException {
        Path earlier = dir.resolve("out");
        for (int run = 0; run < 2; run++) {
            AtomicOutputDirectory output = new AtomicOutputDirectory(earlier);
            Files.writeString(output.staging().resolve("importance.csv"), "run " + run);
            output.commit();
        }
        assertEquals("run 1", Files.readString(earlier.resolve("importance.csv")));
        AtomicOutputDirectory.requireReplaceable(Files.createDirectories(dir.resolve("empty")), CommittedDirectory.MARKER);
        Path foreign = Files.createDirectories(dir.resolve("foreign"));
        Files.writeString(foreign.resolve("data.csv"), "1");
        assertThrows(UnusableLocationException.class, () -> new AtomicOutputDirectory(foreign));
        assertTrue(Files.exists(foreign.resolve("data.csv")));
    }

    @Test
    void aDirectoryThatIsNotABundleIsNamedWithoutAStackTrace() throws IOException {
        Path notABundle = Files.createDirectories(dir.resolve("model"));
        assertEquals(1, run("evaluate", "--bundle", notABundle.toString()));
        assertEquals("recspark evaluate failed: " + notABundle + " is not an export bundle: it has no export.pb\n", errors());
        assertFalse(errors().contains("\tat "), errors());
    }
}

package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleDataMainTest {

    @Test
    void generatesWhatTheOptionsSay(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("log");
        String summary = SampleDataMain.run(new String[] {"--out", out.toString(), "--seed", "5", "--users", "50",
            "--items", "40", "--categories", "4", "--start", "2025-01-31", "--days", "2", "--impressions-per-day", "300"});
        assertEquals("wrote " + out + ": 50 users, 40 items, 600 impressions, ", summary.substring(0, summary.indexOf("impressions, ") + 13));
        assertEquals(51, Files.readAllLines(out.resolve("users.csv")).size());
        assertTrue(Files.readString(out.resolve("impressions.csv")).contains(",2025-02-01,"));
    }

    @Test
    void theOutputIsALocationAndAUriIsNeverALocalDirectoryName(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("by-uri");
        SampleDataMain.run(new String[] {"--out", out.toUri().toString(), "--users", "20", "--items", "20", "--days", "1",
            "--impressions-per-day", "50"});
        assertTrue(Files.isRegularFile(out.resolve("impressions.csv")));
        assertFalse(Files.exists(Path.of("file:")), "file:///... was taken for a relative directory");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SampleDataMain.run(new String[] {"--out", "nosuchfs://host/log"}));
        assertTrue(e.getMessage().startsWith("cannot use nosuchfs://host/log: "), e.getMessage());
        assertFalse(Files.exists(Path.of("nosuchfs:")));
    }

    @Test
    void rejectsBadArgumentsWithAClearMessage() {
        assertRejected("unknown option --user", "--user", "3", "--out", "x");
        assertRejected("--users expects an integer, got 'many'", "--users", "many", "--out", "x");
        assertRejected("--users expects an integer up to 2147483647, got '3000000000'", "--users", "3000000000", "--out", "x");
        assertRejected("--start expects a date YYYY-MM-DD, got '2025-13-01'", "--start", "2025-13-01", "--out", "x");
        assertRejected("--days 0: numDays must be >= 1, got 0", "--days", "0", "--out", "x");
        assertRejected("--out is required", "--days", "2");
        assertRejected("--out needs a value", "--out");
        assertRejected("--days is given twice", "--days", "2", "--days", "3", "--out", "x");
        assertRejected("expected an option '--name', got 'out'", "out", "x");
    }

    @Test
    void anOutputThatIsAFileIsRefusedAndLeftAsItIs(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("log"), "notes");
        assertRejected("--out " + file + " is a file; the synthetic log is a directory of CSV tables", "--out", file.toString());
        assertEquals("notes", Files.readString(file));
    }

    private static void assertRejected(String message, String... args) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> SampleDataMain.run(args)).getMessage());
    }
}

package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void rejectsBadArgumentsWithAClearMessage() {
        assertRejected("unknown option --user", "--user", "3", "--out", "x");
        assertRejected("--users expects an integer, got 'many'", "--users", "many", "--out", "x");
        assertRejected("--users expects an integer up to 2147483647, got '3000000000'", "--users", "3000000000", "--out", "x");
        assertRejected("--start expects a date YYYY-MM-DD, got '2025-13-01'", "--start", "2025-13-01", "--out", "x");
        assertRejected("numDays must be >= 1, got 0", "--days", "0", "--out", "x");
        assertRejected("--out is required", "--days", "2");
        assertRejected("--out needs a value", "--out");
        assertRejected("--days is given twice", "--days", "2", "--days", "3", "--out", "x");
        assertRejected("expected an option '--name', got 'out'", "out", "x");
    }

    private static void assertRejected(String message, String... args) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> SampleDataMain.run(args)).getMessage());
    }
}

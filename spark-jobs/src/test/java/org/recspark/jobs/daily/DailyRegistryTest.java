package org.recspark.jobs.daily;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-day states and the current pointer, without Spark. */
class DailyRegistryTest {
    @TempDir
    Path work;

    private static DayState day(String date, DayState.Status status) {
        return new DayState(date, status, Optional.empty(),
                status == DayState.Status.GOOD ? Optional.of(Path.of("/models/" + date)) : Optional.empty(),
                status == DayState.Status.GOOD ? Optional.empty() : Optional.of("why"));
    }

    @Test
    void theReferenceIsTheLatestGoodDayBefore() {
        DailyRegistry registry = new DailyRegistry(work);
        assertTrue(registry.latestGoodBefore("2026-11-05").isEmpty(), "a cold start");
        registry.write(day("2026-11-01", DayState.Status.GOOD));
        registry.write(day("2026-11-02", DayState.Status.GOOD));
        registry.write(day("2026-11-03", DayState.Status.REFUSED));
        registry.write(day("2026-11-04", DayState.Status.FAILED));
        registry.write(day("2026-11-06", DayState.Status.GOOD));
        assertEquals("2026-11-02", registry.latestGoodBefore("2026-11-05").orElseThrow().date());
        assertEquals("2026-11-01", registry.latestGoodBefore("2026-11-02").orElseThrow().date());
        assertEquals(day("2026-11-03", DayState.Status.REFUSED), registry.state("2026-11-03").orElseThrow(), "states round-trip");
    }

    @Test
    void theCurrentPointerNeverMovesBackToAnEarlierDay() {
        DailyRegistry registry = new DailyRegistry(work);
        assertTrue(registry.current().isEmpty());
        DayState first = day("2026-11-01", DayState.Status.GOOD);
        DayState second = day("2026-11-02", DayState.Status.GOOD);
        registry.write(first);
        registry.write(second);
        registry.promote(second);
        registry.promote(first);
        assertEquals("2026-11-02", registry.current().orElseThrow().date(), "a rerun of an old day does not roll back");
        assertThrows(IllegalArgumentException.class, () -> registry.promote(day("2026-11-03", DayState.Status.REFUSED)));
    }

    @Test
    void theServedBundleSurvivesTheCleanupOfItsDay() throws IOException {
        DailyRegistry registry = new DailyRegistry(work);
        String date = "2026-11-01";
        Path bundle = Files.createDirectories(registry.runDir(date).resolve("export/final"));
        Files.writeString(bundle.resolve("export.pb"), "served");
        DayState good = new DayState(date, DayState.Status.GOOD, Optional.empty(), Optional.of(bundle), Optional.empty());
        registry.write(good);
        registry.promote(good);
        // The day's state no longer says GOOD (edited, or written by a run that crashed after the promotion).
        registry.write(day(date, DayState.Status.FAILED));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> registry.removeEarlierAttempt(date));
        assertTrue(e.getMessage().contains("current.json serves its bundle " + bundle), e.getMessage());
        assertEquals("served", Files.readString(bundle.resolve("export.pb")));

        Path other = Files.createDirectories(registry.runDir("2026-11-02").resolve("export/final"));
        registry.removeEarlierAttempt("2026-11-02");
        assertTrue(Files.notExists(other.getParent().getParent()), "an attempt that is not served is removed");
    }

    @Test
    void aDamagedStateFileIsAnErrorNamingIt() throws IOException {
        DailyRegistry registry = new DailyRegistry(work);
        Path file = registry.dayDir("2026-11-01").resolve("state.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"date\": \"2026-11-01\", \"status\": \"DONE\"}");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> registry.state("2026-11-01"));
        assertTrue(e.getMessage().startsWith(file + " is not a day state"), e.getMessage());
        Files.writeString(file, "{\"date\": ");
        e = assertThrows(IllegalStateException.class, () -> registry.state("2026-11-01"));
        assertTrue(e.getMessage().startsWith(file + " is not a JSON object"), e.getMessage());
    }
}

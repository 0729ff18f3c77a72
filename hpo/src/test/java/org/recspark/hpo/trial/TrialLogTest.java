package org.recspark.hpo.trial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.hpo.stopping.LearningCurve;

class TrialLogTest {
    @TempDir
    Path dir;

    private static TrialRecord record(int n, TrialStatus status, double objective) {
        LearningCurve curve = new LearningCurve(List.of(new LearningCurve.Point(10, 1280, objective - 0.01), new LearningCurve.Point(20, 2560, objective)));
        return new TrialRecord(n, Map.of("a.b", "0.5", "c", "[64, 32]"), new TrialOutcome(status, objective, curve, 20, 1.5,
                status == TrialStatus.STOPPED ? "stopped at step 20 by median stopping: ..." : "completed", null, "trials/trial-000" + n));
    }

    @Test
    void recordsSurviveReopeningAndUnfinishedTrialsAreReported() {
        try (TrialLog log = TrialLog.open(dir, "abc")) {
            log.started(0, Map.of("a.b", "0.5", "c", "[64, 32]"));
            log.finished(record(0, TrialStatus.COMPLETED, 0.7));
            log.started(1, Map.of("a.b", "0.1", "c", "[8]"));
            log.started(2, Map.of("a.b", "0.2", "c", "[8]"));
            log.finished(new TrialRecord(2, Map.of("a.b", "0.2", "c", "[8]"),
                    TrialOutcome.failed("model_config.x: must be > 0, got -1", LearningCurve.empty(), 0, "trials/trial-0002")));
        }
        try (TrialLog log = TrialLog.open(dir, "abc")) {
            assertEquals(List.of(0, 2), List.copyOf(log.finished().keySet()));
            assertEquals(record(0, TrialStatus.COMPLETED, 0.7), log.finished().get(0));
            TrialOutcome failed = log.finished().get(2).outcome();
            assertEquals(TrialStatus.FAILED, failed.status());
            assertTrue(Double.isNaN(failed.objective()));
            assertEquals("model_config.x: must be > 0, got -1", failed.error());
            assertEquals(Map.of(1, Map.of("a.b", "0.1", "c", "[8]")), log.unfinished());
        }
    }

    @Test
    void aLastLineCutShortByACrashIsDroppedAndOverwritten() throws IOException {
        try (TrialLog log = TrialLog.open(dir, "abc")) {
            log.finished(record(0, TrialStatus.STOPPED, 0.6));
        }
        Path file = dir.resolve(TrialLog.FILE);
        Files.writeString(file, "{\"record\":\"finished\",\"trial\":1,\"par", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (TrialLog log = TrialLog.open(dir, "abc")) {
            assertEquals(List.of(0), List.copyOf(log.finished().keySet()));
            log.finished(record(1, TrialStatus.COMPLETED, 0.65));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size(), String.join("\n", lines));
        try (TrialLog log = TrialLog.open(dir, "abc")) {
            assertEquals(List.of(0, 1), List.copyOf(log.finished().keySet()));
        }
    }

    @Test
    void aLogOfAnotherSearchIsRefusedAndCorruptionInsideIsAnError() throws IOException {
        TrialLog.open(dir, "abc").close();
        IllegalStateException other = assertThrows(IllegalStateException.class, () -> TrialLog.open(dir, "xyz"));
        assertTrue(other.getMessage().contains("belongs to another search"), other.getMessage());
        Path file = dir.resolve(TrialLog.FILE);
        Files.writeString(file, "garbage\n{\"record\":\"started\",\"trial\":0,\"params\":{}}\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        IllegalStateException bad = assertThrows(IllegalStateException.class, () -> TrialLog.open(dir, "abc"));
        assertTrue(bad.getMessage().contains(TrialLog.FILE + ":2: not a trial log record: garbage"), bad.getMessage());
    }
}

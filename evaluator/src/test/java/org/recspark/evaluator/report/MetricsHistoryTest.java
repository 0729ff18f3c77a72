package org.recspark.evaluator.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.evaluator.report.MetricsRecord.Kind;

class MetricsHistoryTest {
    @TempDir
    Path dir;

    private static MetricsRecord record(long step, Kind kind, Object... nameValues) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            metrics.put((String) nameValues[i], (Double) nameValues[i + 1]);
        }
        return new MetricsRecord(step, (int) (step / 100), kind, 1_700_000_000_000L + step, metrics);
    }

    @Test
    void writesOneJsonObjectPerLineAndReadsEveryValueBack() throws IOException {
        Path file = dir.resolve("runs/a/metrics.jsonl");
        List<MetricsRecord> written = List.of(
                record(10, Kind.TRAIN, "loss", 0.5),
                record(200, Kind.EVAL, "ctr/auc", 0.71, "ctr/gauc", Double.NaN, "cvr/logloss", Double.POSITIVE_INFINITY,
                        "delta", Double.NEGATIVE_INFINITY, "tiny", 4.9e-324, "third", 1.0 / 3, "zero", -0.0),
                record(300, Kind.EVAL));
        try (MetricsHistory history = MetricsHistory.create(file)) {
            for (MetricsRecord r : written) {
                history.record(r);
            }
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals("{\"step\":10,\"epoch\":0,\"kind\":\"train\",\"time_ms\":1700000000010,\"metrics\":{\"loss\":0.5}}", lines.get(0));
        assertEquals("{\"step\":200,\"epoch\":2,\"kind\":\"eval\",\"time_ms\":1700000000200,\"metrics\":{\"ctr/auc\":0.71,"
                + "\"ctr/gauc\":\"NaN\",\"cvr/logloss\":\"Infinity\",\"delta\":\"-Infinity\",\"tiny\":4.9E-324,"
                + "\"third\":0.3333333333333333,\"zero\":-0.0}}", lines.get(1));
        assertEquals(3, lines.size());

        List<MetricsRecord> read = MetricsHistory.read(file);
        assertEquals(written, read);
        assertEquals(List.of("ctr/auc", "ctr/gauc", "cvr/logloss", "delta", "tiny", "third", "zero"),
                new ArrayList<>(read.get(1).metrics().keySet()));
        assertTrue(Double.isNaN(read.get(1).metrics().get("ctr/gauc")));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(read.get(1).metrics().get("zero")));
    }

    @Test
    void everyRecordIsOnDiskBeforeTheHistoryIsClosed() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsHistory history = MetricsHistory.create(file)) {
            history.record(record(1, Kind.TRAIN, "loss", 0.9));
            assertEquals(1, MetricsHistory.read(file).size());
            history.record(record(2, Kind.TRAIN, "loss", 0.8));
            assertEquals(List.of(record(1, Kind.TRAIN, "loss", 0.9), record(2, Kind.TRAIN, "loss", 0.8)), MetricsHistory.read(file));
        }
    }

    @Test
    void createTruncatesAndAppendContinues() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "old content\n");
        try (MetricsHistory history = MetricsHistory.create(file)) {
            history.record(record(1, Kind.TRAIN, "loss", 0.9));
        }
        try (MetricsHistory history = MetricsHistory.append(file)) {
            history.record(record(2, Kind.EVAL, "auc", 0.6));
        }
        assertEquals(List.of(record(1, Kind.TRAIN, "loss", 0.9), record(2, Kind.EVAL, "auc", 0.6)), MetricsHistory.read(file));
    }

    @Test
    void appendDropsALastLineCutShortByACrash() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, MetricsHistory.toJson(record(1, Kind.TRAIN, "loss", 0.9)) + "\n{\"step\":2,\"epo");
        try (MetricsHistory history = MetricsHistory.append(file)) {
            history.record(record(2, Kind.TRAIN, "loss", 0.8));
        }
        assertEquals(List.of(record(1, Kind.TRAIN, "loss", 0.9), record(2, Kind.TRAIN, "loss", 0.8)), MetricsHistory.read(file));

        Path onlyPartial = dir.resolve("partial.jsonl");
        Files.writeString(onlyPartial, "{\"st");
        try (MetricsHistory history = MetricsHistory.append(onlyPartial)) {
            history.record(record(3, Kind.TRAIN, "loss", 0.7));
        }
        assertEquals(List.of(record(3, Kind.TRAIN, "loss", 0.7)), MetricsHistory.read(onlyPartial));
    }

    @Test
    void continueAtKeepsTheLinesUpToTheResumedStepAsWrittenAndAppendsAfterThem() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        String upToTwenty = MetricsHistory.toJson(record(10, Kind.TRAIN, "loss", 0.9)) + "\n"
                + MetricsHistory.toJson(record(20, Kind.EVAL, "auc", 0.6)) + "\n";
        Files.writeString(file, upToTwenty + MetricsHistory.toJson(record(30, Kind.EVAL, "auc", 0.7)) + "\n{\"step\":40,\"ep");
        try (MetricsHistory history = MetricsHistory.continueAt(file, 20)) {
            assertEquals(upToTwenty, Files.readString(file), "later steps and a cut-short line are dropped, earlier lines kept as written");
            history.record(record(30, Kind.EVAL, "auc", 0.71));
        }
        assertEquals(List.of(10L, 20L, 30L), MetricsHistory.read(file).stream().map(MetricsRecord::step).toList());
        assertEquals(0.71, MetricsHistory.read(file).get(2).metrics().get("auc"));
    }

    @Test
    void continueAtNamesAMalformedLineAndLeavesTheFileAlone() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        String text = MetricsHistory.toJson(record(10, Kind.TRAIN, "loss", 0.9)) + "\nnot json\n";
        Files.writeString(file, text);
        IOException e = assertThrows(IOException.class, () -> MetricsHistory.continueAt(file, 5));
        assertTrue(e.getMessage().contains(file + " line 2"), e.getMessage());
        assertEquals(text, Files.readString(file));
    }

    @Test
    void appendRefusesAMissingFile() {
        Path file = dir.resolve("none.jsonl");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MetricsHistory.append(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("MetricsHistory.create"), e.getMessage());
    }

    @Test
    void recordAfterCloseIsRefused() throws IOException {
        MetricsHistory history = MetricsHistory.create(dir.resolve("metrics.jsonl"));
        history.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> history.record(record(1, Kind.TRAIN)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void concurrentRecordsAreWrittenWhole() throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (MetricsHistory history = MetricsHistory.create(file)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 250; i++) {
                        history.record(record(thread * 1000L + i, Kind.TRAIN, "loss", i / 250.0, "thread", (double) thread));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertEquals(1000, MetricsHistory.read(file).size());
    }

    @Test
    void malformedLinesAreReportedWithFileAndLineNumber() throws IOException {
        String good = MetricsHistory.toJson(record(1, Kind.TRAIN, "loss", 0.9));
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"step\":2,", "the line ends inside the JSON object, at $.step");
        cases.put("", "empty line, expected a JSON object");
        cases.put("{step:2}", "not valid JSON at $.");
        cases.put("{\"step\":2,\"epoch\":0,\"kind\":\"train\",\"time_ms\":5,\"metrics\":{},\"lr\":0.1}", "unknown field \"lr\"");
        cases.put("{\"step\":2,\"epoch\":0,\"kind\":\"train\",\"time_ms\":5}", "missing field \"metrics\"");
        cases.put("{\"step\":2.5,\"epoch\":0,\"kind\":\"train\",\"time_ms\":5,\"metrics\":{}}", "step must be a 64-bit integer, got 2.5");
        cases.put("{\"step\":\"2\",\"epoch\":0,\"kind\":\"train\",\"time_ms\":5,\"metrics\":{}}", "step must be an integer, got STRING");
        cases.put("{\"step\":-2,\"epoch\":0,\"kind\":\"train\",\"time_ms\":5,\"metrics\":{}}", "step must be >= 0, got -2");
        cases.put("{\"step\":2,\"epoch\":3000000000,\"kind\":\"train\",\"time_ms\":5,\"metrics\":{}}", "epoch must be a 32-bit integer");
        cases.put("{\"step\":2,\"epoch\":0,\"kind\":\"test\",\"time_ms\":5,\"metrics\":{}}", "kind must be \"train\" or \"eval\", got \"test\"");
        cases.put("{\"step\":2,\"epoch\":0,\"kind\":\"train\",\"time_ms\":5,\"metrics\":{\"auc\":\"high\"}}",
                "metric \"auc\" must be a number, \"NaN\", \"Infinity\" or \"-Infinity\", got \"high\"");
        cases.put("{\"step\":2,\"epoch\":0,\"kind\":\"train\",\"time_ms\":5,\"metrics\":{\"auc\":true}}", "metric \"auc\" must be a number, got BOOLEAN");
        cases.put("{\"step\":2,\"epoch\":0,\"kind\":\"train\",\"time_ms\":5,\"metrics\":{\"auc\":NaN}}", "not valid JSON at $.metrics.auc (NaN and infinities are written as the strings");
        cases.put("{\"step\":2,\"epoch\":0,\"kind\":\"train\",\"time_ms\":5,\"metrics\":{\"auc\":1,\"auc\":2}}", "metric \"auc\" appears twice");
        cases.put("{\"step\":2,\"step\":3,\"epoch\":0,\"kind\":\"train\",\"time_ms\":5,\"metrics\":{}}", "field \"step\" appears twice");
        cases.put(good + " {}", "one JSON object per line");
        cases.put("[1,2]", "a record must be a JSON object, got BEGIN_ARRAY");
        cases.put("{\"step\":2,\"epoch\":0,\"kind\":\"train\",\"time_ms\":5,\"metrics\":[]}", "metrics must be a JSON object, got BEGIN_ARRAY");
        int i = 0;
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = dir.resolve("bad" + i++ + ".jsonl");
            Files.writeString(file, good + "\n" + c.getKey() + "\n" + good + "\n");
            IOException e = assertThrows(IOException.class, () -> MetricsHistory.read(file), c.getKey());
            String expectedPrefix = "malformed metrics history " + file + " line 2: ";
            assertTrue(e.getMessage().startsWith(expectedPrefix) && e.getMessage().contains(c.getValue()),
                    "for line " + c.getKey() + ": " + e.getMessage());
        }
    }

    @Test
    void recordsAreValidatedAndImmutable() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("b", 2.0);
        metrics.put("a", 1.0);
        MetricsRecord r = new MetricsRecord(5, 0, Kind.EVAL, 0, metrics);
        metrics.put("c", 3.0);
        assertEquals(List.of("b", "a"), new ArrayList<>(r.metrics().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> r.metrics().put("d", 4.0));

        assertEquals("epoch must be >= 0, got -1",
                assertThrows(IllegalArgumentException.class, () -> new MetricsRecord(5, -1, Kind.EVAL, 0, Map.of())).getMessage());
        assertEquals("kind must be TRAIN or EVAL, got null",
                assertThrows(IllegalArgumentException.class, () -> new MetricsRecord(5, 0, null, 0, Map.of())).getMessage());
        assertEquals("time_ms must be unix milliseconds >= 0, got -3",
                assertThrows(IllegalArgumentException.class, () -> new MetricsRecord(5, 0, Kind.TRAIN, -3, Map.of())).getMessage());
        Map<String, Double> withNull = new LinkedHashMap<>();
        withNull.put("auc", null);
        assertEquals("metric auc must have a value (NaN when undefined), got null",
                assertThrows(IllegalArgumentException.class, () -> new MetricsRecord(5, 0, Kind.TRAIN, 0, withNull)).getMessage());
        assertEquals("metric names must be non-empty, got \"\"",
                assertThrows(IllegalArgumentException.class, () -> new MetricsRecord(5, 0, Kind.TRAIN, 0, Map.of("", 1.0))).getMessage());
    }
}

package org.recspark.jobs.daily;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.evaluator.report.MetricsHistory;
import org.recspark.evaluator.report.MetricsRecord;
import org.recspark.jobs.RecSparkCliAccess;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.sampledata.GeneratorSpec;
import org.recspark.sampledata.PlantedDrift;
import org.recspark.sampledata.SyntheticLogGenerator;
import org.recspark.storage.DirectoryLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Five generated days through {@code recspark daily}, in order: a cold start, a warm-started day
 * (which reaches the cold start's AUC in fewer steps), a corrupted input that fails with the
 * previous model intact and then reruns cleanly, a day with a planted device drift that is
 * refused, and a day after it that warm-starts from the last GOOD day. One local[2] session.
 */
class DailyRunTest {
    private static final Logger LOG = LoggerFactory.getLogger(DailyRunTest.class);
    private static final String DAY1 = "2026-11-01";
    private static final String DAY2 = "2026-11-02";
    private static final String DAY3 = "2026-11-03";
    private static final String DAY4 = "2026-11-04";
    private static final String DAY5 = "2026-11-05";

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path config;
    static Path data;

    @BeforeAll
    static void setUp() throws IOException {
        spark = SparkSession.builder().master("local[2]").appName("DailyRunTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC").config("spark.sql.sources.partitionOverwriteMode", "dynamic")
                .config("spark.sql.warehouse.dir", tmp.resolve("warehouse").toString())
                .getOrCreate();
        data = tmp.resolve("data");
        SyntheticLogGenerator.generate(GeneratorSpec.small().withDays(5).withImpressionsPerDay(4000)
                .withDrift(new PlantedDrift(LocalDate.parse(DAY4), "web")), data);
        config = tmp.resolve("daily.pbtxt");
        Files.writeString(config, testConfig());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /**
     * The example config on the generated log, with a smaller network, a short learning-rate warm-up
     * (a day is about 60 steps here), frequent evaluation, and early stopping that lets a cold start
     * get past its noisy first evaluations.
     */
    private static String testConfig() throws IOException {
        Path root = Path.of(System.getProperty("recspark.repo.root", Path.of("").toAbsolutePath().getParent().toString()));
        String text = Files.readString(root.resolve("examples/sample_pipeline.pbtxt"));
        String edited = text.replace("../sample-data/small/", data.toAbsolutePath() + "/")
                .replace("hidden_units: [256, 128]", "hidden_units: [64, 32]")
                .replace("batch_size: 1024", "batch_size: 256")
                .replace("num_epochs: 8", "num_epochs: 5")
                .replace("warmup_steps: 100", "warmup_steps: 10")
                .replace("patience: 3", "patience: 10")
                .replace("every_steps: 10", "every_steps: 4")
                .replace("max_auc_drop: 0.02", "max_auc_drop: 0.05");
        assertFalse(text.equals(edited));
        return edited;
    }

    private record Run(int code, String out, String err) {}

    private static Run daily(Path work, String date) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RecSparkCliAccess.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "daily", "--config", config.toString(), "--date", date, "--work", work.toString(), "--threads", "2");
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run dailyOk(Path work, String date) {
        Run run = daily(work, date);
        assertEquals(0, run.code(), run.out() + run.err());
        return run;
    }

    @Test
    void consecutiveDaysWithWarmStartCorruptionAndDrift() throws IOException {
        Path work = tmp.resolve("work");
        DailyRegistry registry = new DailyRegistry(work);

        // day 1: no earlier model, a cold start
        Run day1 = dailyOk(work, DAY1);
        assertTrue(day1.out().contains("daily: day " + DAY1 + " GOOD"), day1.out());
        assertEquals(DAY1, registry.current().orElseThrow().date());
        assertTrue(registry.state(DAY1).orElseThrow().warmStartFrom().isEmpty());

        // day 2: warm-started from day 1's exported weights, compared with day 1's model on day 2's held-out rows
        Run day2 = dailyOk(work, DAY2);
        assertTrue(day2.out().contains("daily: day " + DAY2 + " GOOD"), day2.out());
        DayState state2 = registry.state(DAY2).orElseThrow();
        assertEquals(DAY1, state2.warmStartFrom().orElseThrow());
        JsonObject summary2 = json(registry.runDir(DAY2).resolve("summary.json"));
        assertEquals(registry.state(DAY1).orElseThrow().bundle().orElseThrow().resolve("weights").toString(),
                summary2.getAsJsonObject("warm_start").get("from").getAsString());
        JsonObject report2 = json(registry.report(DAY2));
        assertTrue(guards(report2).contains("auc_drop"), report2.toString());
        assertTrue(guards(report2).contains("psi"), report2.toString());

        // day 3 with a corrupted input: the sample build rejects it, day 2's model stays current and intact
        Path current = registry.current().orElseThrow().bundle().orElseThrow();
        Map<String, String> bundleBefore = checksums(current);
        Map<String, String> day2Before = checksums(registry.dayDir(DAY2));
        Path impressions = data.resolve("impressions.csv");
        byte[] clean = Files.readAllBytes(impressions);
        Files.writeString(impressions, corruptClicks(new String(clean, StandardCharsets.UTF_8), DAY3, 50));
        Run corrupted = daily(work, DAY3);
        assertEquals(1, corrupted.code(), corrupted.out() + corrupted.err());
        assertTrue(corrupted.err().contains("were rejected, more than input_config.rejects.max_fraction"), corrupted.err());
        assertEquals(DayState.Status.FAILED, registry.state(DAY3).orElseThrow().status());
        assertFalse(Files.exists(work.resolve(DirectoryLock.FILE)), "the failed run released the work directory's lock");
        assertEquals(DAY2, registry.current().orElseThrow().date());
        assertEquals(bundleBefore, checksums(current), "the current bundle is byte-identical");
        assertEquals(day2Before, checksums(registry.dayDir(DAY2)), "nothing of day 2 was written");
        ExportBundle.open(current).load();
        assertFalse(Files.exists(registry.samples().resolve("dt=" + DAY3)), "no samples of the refused input");

        // the input fixed, day 3 reruns from the start and passes; a further rerun changes nothing
        Files.write(impressions, clean);
        dailyOk(work, DAY3);
        assertEquals(DAY3, registry.current().orElseThrow().date());
        assertEquals(DAY2, registry.state(DAY3).orElseThrow().warmStartFrom().orElseThrow());
        Map<String, String> day3Done = checksums(registry.dayDir(DAY3));
        Run again = dailyOk(work, DAY3);
        assertTrue(again.out().contains("day " + DAY3 + " is already GOOD"), again.out());
        assertEquals(day3Done, checksums(registry.dayDir(DAY3)));
        assertEquals(4000, spark.read().parquet(registry.samples().toString()).where("dt = '" + DAY3 + "'").count(),
                "the rerun did not duplicate the day's samples");

        // day 4 has every request from one device: refused by the PSI guard before training, day 3 stays current
        Map<String, String> day3Bundle = checksums(registry.current().orElseThrow().bundle().orElseThrow());
        Run drifted = daily(work, DAY4);
        assertEquals(3, drifted.code(), drifted.out() + drifted.err());
        assertTrue(drifted.out().contains("psi guard FAILED on feature 'device'"), drifted.out());
        assertTrue(drifted.out().contains("the current model stays day " + DAY3), drifted.out());
        JsonObject report4 = json(registry.report(DAY4));
        assertEquals("REFUSED", report4.get("status").getAsString());
        assertEquals(DAY3, report4.get("reference_day").getAsString());
        JsonObject devicePsi = check(report4, "psi", "device");
        assertFalse(devicePsi.get("passed").getAsBoolean());
        assertTrue(devicePsi.get("value").getAsDouble() > 1, devicePsi.toString());
        assertEquals(0.25, devicePsi.get("limit").getAsDouble());
        // one of the three device bins holds every current row
        assertTrue(devicePsi.get("detail").getAsString().matches(".*current \\[[01.0, ]*1\\.0000[01.0, ]*\\]"), devicePsi.toString());
        assertTrue(check(report4, "psi", "gender").get("passed").getAsBoolean(), "undrifted features pass");
        assertEquals(DayState.Status.REFUSED, registry.state(DAY4).orElseThrow().status());
        assertFalse(Files.exists(registry.runDir(DAY4)), "a day refused on its data is not trained");
        assertEquals(DAY3, registry.current().orElseThrow().date());
        assertEquals(day3Bundle, checksums(registry.current().orElseThrow().bundle().orElseThrow()));

        // day 5 starts from the last GOOD day, not the refused one
        dailyOk(work, DAY5);
        assertEquals(DAY3, registry.state(DAY5).orElseThrow().warmStartFrom().orElseThrow());
        assertEquals(DAY3, json(registry.report(DAY5)).get("reference_day").getAsString());
        assertEquals(DAY5, registry.current().orElseThrow().date());

        warmStartReachesTheColdStartAucInFewerSteps(registry);
    }

    @Test
    void aSecondRunOnTheSameWorkDirectoryIsRefusedNamingTheFirst() throws IOException {
        Path work = tmp.resolve("locked");
        try (DirectoryLock first = DirectoryLock.acquire(work, "daily --date " + DAY1)) {
            Run second = daily(work, DAY2);
            assertEquals(1, second.code(), second.out() + second.err());
            assertTrue(second.err().contains(work + " is locked by 'daily --date " + DAY1 + "' on host ")
                    && second.err().contains("pid " + ProcessHandle.current().pid()), second.err());
            assertFalse(Files.exists(new DailyRegistry(work).dayDir(DAY2)), "the refused run wrote nothing");
        }
        assertFalse(Files.exists(work.resolve(DirectoryLock.FILE)));
    }

    @Test
    void aConfigThatCannotRunDailyIsRefusedWithItsPaths() throws IOException {
        Path broken = tmp.resolve("broken.pbtxt");
        Files.writeString(broken, Files.readString(config)
                .replace("split { by_time { eval_fraction: 0.15 test_fraction: 0.15 } }",
                        "split { by_date { train_dates: [\"2026-11-01\"] eval_dates: [\"2026-11-02\"] } }")
                .replace("  exporters { type: FINAL }\n  exporters { type: BEST keep: 2 }\n", "")
                .replace("max_auc_drop: 0.05", "max_auc_drop: 0.05 auc_metric: \"ctr/auc\""));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RecSparkCliAccess.run(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                "daily", "--config", broken.toString(), "--date", DAY1, "--work", tmp.resolve("never").toString());
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, printed);
        assertTrue(printed.contains("input_config.split: a daily run splits each day into training and held-out rows"), printed);
        assertTrue(printed.contains("export_config.exporters: a daily run promotes an exported model"), printed);
        assertTrue(printed.contains("daily_config.guards.auc_metric: must be a metric eval_config computes [auc, gauc, logloss, calibration], "
                + "got 'ctr/auc'"), printed);
        assertFalse(Files.exists(tmp.resolve("never")), "nothing was written");
    }

    /**
     * Day 2 trained cold (a work directory without day 1) against day 2 warm-started from day 1, on
     * the same rows: the warm run must reach the cold run's best evaluation AUC, and at an earlier
     * step than the cold run first did.
     */
    private static void warmStartReachesTheColdStartAucInFewerSteps(DailyRegistry warm) throws IOException {
        Path coldWork = tmp.resolve("cold");
        dailyOk(coldWork, DAY2);
        DailyRegistry cold = new DailyRegistry(coldWork);
        assertTrue(cold.state(DAY2).orElseThrow().warmStartFrom().isEmpty());
        List<double[]> coldCurve = aucCurve(cold.runDir(DAY2));
        List<double[]> warmCurve = aucCurve(warm.runDir(DAY2));
        double target = coldCurve.stream().mapToDouble(p -> p[1]).max().orElseThrow();
        long coldSteps = firstStepReaching(coldCurve, target);
        long warmSteps = firstStepReaching(warmCurve, target);
        String curves = "cold " + format(coldCurve) + ", warm " + format(warmCurve);
        assertTrue(target > 0.6 && coldSteps > coldCurve.get(0)[0], "the cold start learns over several evaluations: " + curves);
        assertTrue(warmSteps >= 0, "the warm-started run never reaches the cold start's best AUC " + target + ": " + curves);
        assertTrue(warmSteps < coldSteps, "warm start reaches AUC " + target + " at step " + warmSteps + ", cold at " + coldSteps + ": " + curves);
        LOG.info("Day 2 reaches the cold start's best AUC {} at step {} warm-started, at step {} cold: {}", target, warmSteps, coldSteps, curves);
    }

    /** (step, auc) of every evaluation in a run's metrics history. */
    private static List<double[]> aucCurve(Path runDir) throws IOException {
        List<double[]> curve = new ArrayList<>();
        for (MetricsRecord r : MetricsHistory.read(runDir.resolve("metrics.jsonl"))) {
            if (r.kind() == MetricsRecord.Kind.EVAL) {
                curve.add(new double[]{r.step(), r.metrics().get("auc")});
            }
        }
        assertFalse(curve.isEmpty(), "no evaluations in " + runDir);
        return curve;
    }

    private static long firstStepReaching(List<double[]> curve, double target) {
        return curve.stream().filter(p -> p[1] >= target).mapToLong(p -> (long) p[0]).findFirst().orElse(-1);
    }

    private static String format(List<double[]> curve) {
        return curve.stream().map(p -> String.format(java.util.Locale.ROOT, "%d:%.4f", (long) p[0], p[1])).toList().toString();
    }

    /** The click column of the first {@code rows} impressions of the day made unparseable. */
    private static String corruptClicks(String csv, String date, int rows) {
        StringBuilder out = new StringBuilder();
        int corrupted = 0;
        for (String line : csv.split("\n", -1)) {
            String[] f = line.split(",", -1);
            if (f.length == 9 && f[2].equals(date) && corrupted < rows) {
                f[8] = "clicked";
                corrupted++;
                line = String.join(",", f);
            }
            out.append(line).append('\n');
        }
        assertEquals(rows, corrupted);
        return out.substring(0, out.length() - 1);
    }

    private static Map<String, String> checksums(Path dir) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                sums.put(dir.relativize(f).toString(), sha256(f));
            }
        }
        return sums;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    private static List<String> guards(JsonObject report) {
        List<String> names = new ArrayList<>();
        for (JsonElement c : report.getAsJsonArray("checks")) {
            names.add(c.getAsJsonObject().get("guard").getAsString());
        }
        return names;
    }

    private static JsonObject check(JsonObject report, String guard, String feature) {
        JsonArray checks = report.getAsJsonArray("checks");
        for (JsonElement c : checks) {
            JsonObject o = c.getAsJsonObject();
            if (o.get("guard").getAsString().equals(guard) && o.has("feature") && o.get("feature").getAsString().equals(feature)) {
                return o;
            }
        }
        throw new AssertionError("no " + guard + " check of " + feature + " in " + report);
    }
}

package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class SyntheticLogGeneratorTest {
    private static final Logger LOG = LoggerFactory.getLogger(SyntheticLogGeneratorTest.class);
    private static final List<String> FILES = List.of("users.csv", "items.csv", "impressions.csv", "behaviours.csv");
    private static final long DAY = 86_400L;

    @TempDir
    static Path dir;
    static Path small;
    static GenerationSummary summary;

    @BeforeAll
    static void generateSmall() {
        small = dir.resolve("small");
        summary = SyntheticLogGenerator.generate(GeneratorSpec.small(), small);
    }

    @Test
    void aKilledRunsTemporaryFilesAreRemovedAndAFailedRunLeavesNone() throws IOException {
        Path rerun = dir.resolve("rerun");
        Files.createDirectories(rerun);
        // What a generation killed while writing leaves: a hidden, cut-short table.
        Files.writeString(rerun.resolve(".impressions.csv.tmp-5d1f0c2e"), "request_id,ts,dt,user_id,item_id,de");
        SyntheticLogGenerator.generate(GeneratorSpec.small(), rerun);
        assertEquals(FILES.stream().sorted().toList(), names(rerun), "the four tables, no temporary file");
        for (String file : FILES) {
            assertArrayEquals(Files.readAllBytes(small.resolve(file)), Files.readAllBytes(rerun.resolve(file)), file);
        }

        Path blocked = dir.resolve("blocked");
        // A behaviours.csv that cannot be replaced: the run fails once every table is written.
        Files.createDirectories(blocked.resolve("behaviours.csv").resolve("in-the-way"));
        RuntimeException e = assertThrows(RuntimeException.class, () -> SyntheticLogGenerator.generate(GeneratorSpec.small(), blocked));
        assertTrue(e.getMessage().contains("cannot write the synthetic log to " + blocked), e.getMessage());
        assertTrue(names(blocked).stream().noneMatch(n -> n.startsWith(".")), "no temporary file stays: " + names(blocked));
    }

    private static List<String> names(Path directory) throws IOException {
        try (var children = Files.list(directory)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void sameSpecGivesIdenticalBytesAndAnotherSeedDiffers() throws IOException {
        Path again = dir.resolve("again");
        assertEquals(summary, SyntheticLogGenerator.generate(GeneratorSpec.small(), again));
        Path other = dir.resolve("other");
        SyntheticLogGenerator.generate(GeneratorSpec.small().withSeed(1), other);
        for (String file : FILES) {
            assertArrayEquals(Files.readAllBytes(small.resolve(file)), Files.readAllBytes(again.resolve(file)), file);
            assertNotEquals(-1L, Files.mismatch(small.resolve(file), other.resolve(file)), file + " is the same for another seed");
        }
    }

    @Test
    void aPlantedDeviceDriftLeavesTheDaysBeforeItAsTheyWere() throws IOException {
        Path drifted = dir.resolve("drifted");
        SyntheticLogGenerator.generate(GeneratorSpec.small().withDrift(new PlantedDrift(LocalDate.of(2026, 11, 3), "web")), drifted);
        List<String> base = Files.readAllLines(small.resolve("impressions.csv"));
        List<String> shifted = Files.readAllLines(drifted.resolve("impressions.csv"));
        assertEquals(base.size(), shifted.size());
        Map<String, Map<String, Long>> devicesByDay = new HashMap<>();
        for (int i = 1; i < shifted.size(); i++) {
            String[] row = shifted.get(i).split(",");
            devicesByDay.computeIfAbsent(row[2], d -> new HashMap<>()).merge(row[5], 1L, Long::sum);
            if (row[2].compareTo("2026-11-03") < 0) {
                assertEquals(base.get(i), shifted.get(i), "days before the drift are unchanged");
            }
        }
        assertEquals(Map.of("web", 5000L), devicesByDay.get("2026-11-03"));
        assertEquals(3, devicesByDay.get("2026-11-04").size(), "the day after has every device again");
        assertThrows(IllegalArgumentException.class, () -> GeneratorSpec.small().withDrift(new PlantedDrift(LocalDate.of(2026, 11, 5), "web")));
        assertThrows(IllegalArgumentException.class, () -> new PlantedDrift(LocalDate.of(2026, 11, 3), "tv"));
    }

    @Test
    void committedSampleIsWhatTheGeneratorWrites() throws IOException {
        Path root = RepositoryRoot.locate().orElseThrow(() -> new AssertionError("repository root not found"));
        Path committed = root.resolve("sample-data").resolve("small");
        for (String file : FILES) {
            assertEquals(-1L, Files.mismatch(small.resolve(file), committed.resolve(file)), "sample-data/small/" + file
                    + " differs from GeneratorSpec.small(): regenerate it (sample-data/README.md)");
        }
        try (var files = Files.list(committed)) {
            long bytes = files.mapToLong(f -> f.toFile().length()).sum();
            assertTrue(bytes <= 3_000_000, "sample-data/small is " + bytes + " bytes, more than 3 MB");
        }
    }

    @Test
    void everyRowOfTheSmallSampleMatchesTheSchema() {
        Log log = Log.read(small);
        log.checkSchema(GeneratorSpec.small(), summary);
    }

    @Test
    void plantedSignalIsLearnable() {
        Log log = Log.read(small);
        ClickRates byInterest = new ClickRates();
        ClickRates byRecentCategoryClick = new ClickRates();
        ClickRates byRecentCategoryClickWithinInterests = new ClickRates();
        for (Map<String, String> impression : log.impressions) {
            boolean click = impression.get("click").equals("1");
            String user = impression.get("user_id");
            String category = log.items.get(impression.get("item_id")).get("category");
            boolean inInterests = Set.of(log.users.get(user).get("interests").split("\\|")).contains(category);
            long ts = Long.parseLong(impression.get("ts"));
            boolean clickedRecently = log.clickedCategoryIn(user, category, ts - DAY, ts);
            byInterest.add(inInterests, click);
            byRecentCategoryClick.add(clickedRecently, click);
            if (inInterests) {
                byRecentCategoryClickWithinInterests.add(clickedRecently, click);
            }
        }
        LOG.info(String.format(Locale.ROOT, "CTR %.4f; in interests %s; after a same-category click in 24 h %s (within interests %s)",
                summary.clickThroughRate(), byInterest, byRecentCategoryClick, byRecentCategoryClickWithinInterests));
        assertTrue(summary.clickThroughRate() > 0.05 && summary.clickThroughRate() < 0.15, "CTR " + summary.clickThroughRate());
        assertTrue(byInterest.lift() > 2, "in-interest CTR lift " + byInterest);
        assertTrue(byRecentCategoryClick.lift() > 1.5, "recent same-category click CTR lift " + byRecentCategoryClick);
        assertTrue(byRecentCategoryClickWithinInterests.lift() > 1.3,
                "recent same-category click CTR lift within interests " + byRecentCategoryClickWithinInterests);
    }

    @Test
    void mediumRunHasTheSpecifiedCounts() {
        GeneratorSpec spec = GeneratorSpec.small().withSeed(7).withUsers(20_000).withItems(5_000).withCategories(100)
                .withDays(2).withImpressionsPerDay(100_000);
        Path medium = dir.resolve("medium");
        long start = System.nanoTime();
        GenerationSummary mediumSummary = SyntheticLogGenerator.generate(spec, medium);
        LOG.info("Generated {} impressions in {} ms", mediumSummary.impressions(), (System.nanoTime() - start) / 1_000_000);
        assertEquals(new GenerationSummary(20_000, 5_000, 200_000, mediumSummary.clicks(), mediumSummary.behaviourEvents()),
                mediumSummary);
        assertEquals(spec.numUsers(), countRows(medium.resolve("users.csv"), row -> { }));
        assertEquals(spec.numItems(), countRows(medium.resolve("items.csv"), row -> { }));
        Map<String, Long> impressionsPerDay = new TreeMap<>();
        long[] clicks = {0};
        assertEquals(spec.totalImpressions(), countRows(medium.resolve("impressions.csv"), row -> {
            impressionsPerDay.merge(row.get("dt"), 1L, Long::sum);
            clicks[0] += Integer.parseInt(row.get("click"));
        }));
        assertEquals(Map.of("2026-11-01", 100_000L, "2026-11-02", 100_000L), impressionsPerDay);
        assertEquals(mediumSummary.clicks(), clicks[0]);
        assertEquals(mediumSummary.behaviourEvents(), countRows(medium.resolve("behaviours.csv"), row -> { }));
    }

    private static long countRows(Path file, Consumer<Map<String, String>> check) {
        long[] rows = {0};
        CsvTable.forEachRow(file, ",", List.of(), row -> {
            rows[0]++;
            check.accept(row);
        });
        return rows[0];
    }

    @Test
    void requestSizesStayInRangeAndAddUpExactly() {
        SplittableRandom random = new SplittableRandom(3);
        for (int impressions = GeneratorSpec.MIN_REQUEST_SIZE; impressions < 200; impressions++) {
            int[] sizes = SyntheticLogGenerator.requestSizes(impressions, random);
            assertEquals(impressions, Arrays.stream(sizes).sum());
            assertTrue(Arrays.stream(sizes).allMatch(s -> s >= GeneratorSpec.MIN_REQUEST_SIZE && s <= GeneratorSpec.MAX_REQUEST_SIZE),
                    Arrays.toString(sizes));
        }
    }

    /** Clicks and impressions of the impressions that have a property and of those that have not. */
    private static final class ClickRates {
        private final long[] impressions = new long[2];
        private final long[] clicks = new long[2];

        void add(boolean hasProperty, boolean click) {
            int k = hasProperty ? 1 : 0;
            impressions[k]++;
            clicks[k] += click ? 1 : 0;
        }

        double rate(boolean hasProperty) {
            int k = hasProperty ? 1 : 0;
            return (double) clicks[k] / impressions[k];
        }

        double lift() {
            return rate(true) / rate(false);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.4f (%d impressions) vs %.4f (%d): lift %.2f",
                    rate(true), impressions[1], rate(false), impressions[0], lift());
        }
    }

    /** A generated log read back with the strict CSV reader. */
    private record Log(Map<String, Map<String, String>> users, Map<String, Map<String, String>> items,
                       List<Map<String, String>> impressions, List<Map<String, String>> behaviours,
                       Map<String, List<String[]>> clicksByUser) {

        static Log read(Path dir) {
            List<Map<String, String>> impressions = new ArrayList<>();
            List<Map<String, String>> behaviours = new ArrayList<>();
            assertEquals(List.of("request_id", "ts", "dt", "user_id", "item_id", "device", "hour", "position", "click"),
                    CsvTable.forEachRow(dir.resolve("impressions.csv"), ",", List.of(), impressions::add));
            assertEquals(List.of("user_id", "item_id", "event", "ts", "category"),
                    CsvTable.forEachRow(dir.resolve("behaviours.csv"), ",", List.of(), behaviours::add));
            Map<String, List<String[]>> clicksByUser = new HashMap<>();
            for (Map<String, String> b : behaviours) {
                if (b.get("event").equals("click")) {
                    clicksByUser.computeIfAbsent(b.get("user_id"), k -> new ArrayList<>()).add(new String[] {b.get("category"), b.get("ts")});
                }
            }
            return new Log(
                    CsvTable.readKeyed(dir.resolve("users.csv"), ",", "user_id", List.of("user_id", "age", "gender", "city",
                            "occupation", "interests", "category_affinity")),
                    CsvTable.readKeyed(dir.resolve("items.csv"), ",", "item_id", List.of("item_id", "category", "brand", "price",
                            "tags", "publish_ts")),
                    impressions, behaviours, clicksByUser);
        }

        /** Whether the user's behaviours hold a click of the category at a time in [from, to). */
        boolean clickedCategoryIn(String user, String category, long from, long to) {
            for (String[] click : clicksByUser.getOrDefault(user, List.of())) {
                long ts = Long.parseLong(click[1]);
                if (click[0].equals(category) && ts >= from && ts < to) {
                    return true;
                }
            }
            return false;
        }

        void checkSchema(GeneratorSpec spec, GenerationSummary summary) {
            assertEquals(List.of("user_id", "age", "gender", "city", "occupation", "interests", "category_affinity"),
                    List.copyOf(users.values().iterator().next().keySet()));
            assertEquals(List.of("item_id", "category", "brand", "price", "tags", "publish_ts"),
                    List.copyOf(items.values().iterator().next().keySet()));
            String category = "cat(\\d+)";
            int u = 0;
            for (Map<String, String> row : users.values()) {
                assertEquals("u" + u++, row.get("user_id"));
                assertInRange(row, "age", 15, 70);
                assertTrue(Set.of("M", "F").contains(row.get("gender")), row.toString());
                assertTrue(row.get("city").matches("c\\d+") && Integer.parseInt(row.get("city").substring(1)) < 50, row.toString());
                assertTrue(Arrays.asList(SyntheticLogGenerator.OCCUPATIONS).contains(row.get("occupation")), row.toString());
                List<String> interests = List.of(row.get("interests").split("\\|", -1));
                assertTrue(interests.size() >= 1 && interests.size() <= 4, row.toString());
                interests.forEach(c -> assertCategory(c, spec, row));
                String[] affinity = row.get("category_affinity").split("\\|", -1);
                assertTrue(affinity.length >= 2 && affinity.length <= 5, row.toString());
                Set<String> affinityCategories = new HashSet<>();
                for (String entry : affinity) {
                    assertTrue(entry.matches(category + ":\\d\\.\\d\\d"), row.toString());
                    String[] kv = entry.split(":");
                    assertCategory(kv[0], spec, row);
                    affinityCategories.add(kv[0]);
                    double weight = Double.parseDouble(kv[1]);
                    assertTrue(weight > 0 && weight <= 1, row.toString());
                }
                assertEquals(affinity.length, affinityCategories.size(), row.toString());
                assertEquals(interests.size(), Set.copyOf(interests).size(), row.toString());
            }
            assertEquals(spec.numUsers(), users.size());

            long start = spec.startDate().atStartOfDay(ZoneOffset.UTC).toEpochSecond();
            int i = 0;
            for (Map<String, String> row : items.values()) {
                assertEquals("i" + i++, row.get("item_id"));
                assertCategory(row.get("category"), spec, row);
                assertTrue(row.get("brand").matches("b\\d+"), row.toString());
                assertTrue(row.get("price").matches("\\d+\\.\\d\\d") && Double.parseDouble(row.get("price")) > 0, row.toString());
                List<String> tags = List.of(row.get("tags").split("\\|", -1));
                assertTrue(tags.size() >= 1 && tags.size() <= 5 && Set.copyOf(tags).size() == tags.size()
                        && tags.stream().allMatch(t -> t.matches("t\\d+")), row.toString());
                assertTrue(Long.parseLong(row.get("publish_ts")) < start, row.toString());
            }
            assertEquals(spec.numItems(), items.size());

            Map<String, Long> impressionsPerDay = new TreeMap<>();
            long clicks = 0;
            List<Map<String, String>> request = new ArrayList<>();
            Set<String> requestIds = new HashSet<>();
            for (Map<String, String> row : impressions) {
                assertTrue(row.get("request_id").matches("r\\d+"), row.toString());
                long ts = Long.parseLong(row.get("ts"));
                assertTrue(ts >= start && ts < start + spec.numDays() * DAY, row.toString());
                assertEquals(Instant.ofEpochSecond(ts).atZone(ZoneOffset.UTC).toLocalDate().toString(), row.get("dt"));
                assertEquals(Instant.ofEpochSecond(ts).atZone(ZoneOffset.UTC).getHour(), Integer.parseInt(row.get("hour")));
                assertTrue(users.containsKey(row.get("user_id")) && items.containsKey(row.get("item_id")), row.toString());
                assertTrue(Arrays.asList(SyntheticLogGenerator.DEVICES).contains(row.get("device")), row.toString());
                assertTrue(Set.of("0", "1").contains(row.get("click")), row.toString());
                clicks += Integer.parseInt(row.get("click"));
                impressionsPerDay.merge(row.get("dt"), 1L, Long::sum);
                if (!request.isEmpty() && !request.get(0).get("request_id").equals(row.get("request_id"))) {
                    checkRequest(request);
                    request.clear();
                }
                if (request.isEmpty()) {
                    assertTrue(requestIds.add(row.get("request_id")), "rows of a request are not together: " + row);
                }
                request.add(row);
            }
            checkRequest(request);
            assertEquals(spec.numDays(), impressionsPerDay.size());
            impressionsPerDay.values().forEach(n -> assertEquals(spec.impressionsPerDay(), n));
            assertEquals(summary.impressions(), impressions.size());
            assertEquals(summary.clicks(), clicks);

            long impressionClicks = 0;
            for (Map<String, String> row : behaviours) {
                assertTrue(users.containsKey(row.get("user_id")), row.toString());
                assertEquals(items.get(row.get("item_id")).get("category"), row.get("category"), row.toString());
                assertTrue(Set.of("click", "like", "buy").contains(row.get("event")), row.toString());
                long ts = Long.parseLong(row.get("ts"));
                assertTrue(ts >= start - DAY, row.toString());
                if (ts < start) {
                    assertEquals("click", row.get("event"), "the warm-up day has only clicks: " + row);
                } else if (row.get("event").equals("click")) {
                    impressionClicks++;
                }
            }
            assertEquals(summary.clicks(), impressionClicks, "one click event per clicked impression");
            assertEquals(summary.behaviourEvents(), behaviours.size());
        }

        private static void checkRequest(List<Map<String, String>> request) {
            assertTrue(request.size() >= GeneratorSpec.MIN_REQUEST_SIZE && request.size() <= GeneratorSpec.MAX_REQUEST_SIZE,
                    "request size " + request.size() + ": " + request.get(0));
            Set<String> items = new HashSet<>();
            for (int p = 0; p < request.size(); p++) {
                Map<String, String> row = request.get(p);
                assertEquals(String.valueOf(p), row.get("position"), row.toString());
                for (String shared : List.of("ts", "user_id", "device")) {
                    assertEquals(request.get(0).get(shared), row.get(shared), shared + " within a request: " + row);
                }
                assertTrue(items.add(row.get("item_id")), "repeated item in a request: " + row);
            }
        }

        private static void assertInRange(Map<String, String> row, String column, int min, int max) {
            int value = Integer.parseInt(row.get(column));
            assertTrue(value >= min && value <= max, column + " out of [" + min + ", " + max + "]: " + row);
        }

        private static void assertCategory(String value, GeneratorSpec spec, Map<String, String> row) {
            assertTrue(value.matches("cat\\d+") && Integer.parseInt(value.substring(3)) < spec.numCategories(),
                    "bad category '" + value + "': " + row);
        }
    }
}

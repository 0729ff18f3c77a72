package org.recspark.sampledata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticLogGeneratorTest {
    private static final List<String> FILES = List.of("users.csv", "items.csv", "impressions.csv", "behaviours.csv");

    @TempDir
    static Path dir;
    static Path small;
    static GenerationSummary summary;

    @BeforeAll
    static void generateSmall() {
        small = dir.resolve("small");
        summary = SyntheticLogGenerator.generate(GeneratorSpec.small(), small);
    }

    static Path repoRoot() {
        String root = System.getProperty("recspark.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    @Test
    void sameSpecGivesIdenticalBytesAndAnotherSeedDiffers() throws IOException {
        Path again = dir.resolve("again");
        SyntheticLogGenerator.generate(GeneratorSpec.small(), again);
        Path other = dir.resolve("other");
        SyntheticLogGenerator.generate(GeneratorSpec.small().withSeed(1), other);
        for (String file : FILES) {
            assertArrayEquals(Files.readAllBytes(small.resolve(file)), Files.readAllBytes(again.resolve(file)), file);
        }
        assertFalse(Files.mismatch(small.resolve("impressions.csv"), other.resolve("impressions.csv")) < 0);
    }

    @Test
    void committedSampleIsWhatTheGeneratorWrites() throws IOException {
        Path committed = repoRoot().resolve("sample-data").resolve("small");
        for (String file : FILES) {
            assertEquals(-1L, Files.mismatch(small.resolve(file), committed.resolve(file)),
                    "sample-data/small/" + file + " differs from GeneratorSpec.small(): regenerate it (see sample-data/README.md)");
        }
    }

    @Test
    void everyRowMatchesTheSchema() {
        Set<String> users = new java.util.HashSet<>();
        CsvTable.forEachRow(small.resolve("users.csv"), ",", List.of("user_id", "age", "gender", "city", "occupation",
                "interests", "category_affinity"), row -> {
                    users.add(row.get("user_id"));
                    int age = Integer.parseInt(row.get("age"));
                    assertTrue(age >= 15 && age <= 70, row.toString());
                    assertTrue(Set.of("M", "F").contains(row.get("gender")), row.toString());
                    assertTrue(row.get("interests").matches("cat\\d+(\\|cat\\d+){0,3}"), row.toString());
                    assertTrue(row.get("category_affinity").matches("cat\\d+:\\d\\.\\d\\d(\\|cat\\d+:\\d\\.\\d\\d){1,4}"), row.toString());
                });
        Set<String> items = new java.util.HashSet<>();
        CsvTable.forEachRow(small.resolve("items.csv"), ",", List.of("item_id", "category", "brand", "price", "tags",
                "publish_ts"), row -> {
                    items.add(row.get("item_id"));
                    assertTrue(Double.parseDouble(row.get("price")) > 0, row.toString());
                    assertTrue(row.get("tags").matches("t\\d+(\\|t\\d+){0,4}"), row.toString());
                });
        assertEquals(1000, users.size());
        assertEquals(300, items.size());
        long[] rows = {0};
        CsvTable.forEachRow(small.resolve("impressions.csv"), ",", List.of("request_id", "ts", "dt", "user_id", "item_id",
                "device", "hour", "position", "click"), row -> {
                    rows[0]++;
                    assertTrue(users.contains(row.get("user_id")) && items.contains(row.get("item_id")), row.toString());
                    long ts = Long.parseLong(row.get("ts"));
                    assertEquals(java.time.Instant.ofEpochSecond(ts).atZone(java.time.ZoneOffset.UTC).toLocalDate().toString(), row.get("dt"));
                    assertEquals((ts % 86400) / 3600, Long.parseLong(row.get("hour")));
                    assertTrue(Set.of("0", "1").contains(row.get("click")));
                });
        assertEquals(summary.impressions(), rows[0]);
        CsvTable.forEachRow(small.resolve("behaviours.csv"), ",", List.of("user_id", "item_id", "event", "ts", "category"),
                row -> assertTrue(Set.of("click", "like", "buy").contains(row.get("event")), row.toString()));
    }

    @Test
    void plantedSignalIsThere() {
        Map<String, Set<String>> interests = new HashMap<>();
        CsvTable.forEachRow(small.resolve("users.csv"), ",", List.of(), row ->
                interests.put(row.get("user_id"), Set.of(row.get("interests").split("\\|"))));
        Map<String, String> categories = new HashMap<>();
        CsvTable.forEachRow(small.resolve("items.csv"), ",", List.of(), row -> categories.put(row.get("item_id"), row.get("category")));
        Map<String, List<long[]>> clicksByUser = new HashMap<>();
        Map<String, Integer> categoryIds = new HashMap<>();
        CsvTable.forEachRow(small.resolve("behaviours.csv"), ",", List.of(), row -> {
            if (row.get("event").equals("click")) {
                int c = categoryIds.computeIfAbsent(row.get("category"), k -> categoryIds.size());
                clicksByUser.computeIfAbsent(row.get("user_id"), k -> new ArrayList<>()).add(new long[] {c, Long.parseLong(row.get("ts"))});
            }
        });
        long[] interest = new long[4];
        long[] recent = new long[4];
        CsvTable.forEachRow(small.resolve("impressions.csv"), ",", List.of(), row -> {
            int click = Integer.parseInt(row.get("click"));
            String category = categories.get(row.get("item_id"));
            int i = interests.get(row.get("user_id")).contains(category) ? 0 : 2;
            interest[i] += 1;
            interest[i + 1] += click;
            long ts = Long.parseLong(row.get("ts"));
            Integer c = categoryIds.get(category);
            boolean clickedRecently = c != null && clicksByUser.getOrDefault(row.get("user_id"), List.of()).stream()
                    .anyMatch(e -> e[0] == c && e[1] < ts && e[1] >= ts - 86400);
            int r = clickedRecently ? 0 : 2;
            recent[r] += 1;
            recent[r + 1] += click;
        });
        double ctrInterest = (double) interest[1] / interest[0];
        double ctrOther = (double) interest[3] / interest[2];
        assertTrue(ctrInterest > 2 * ctrOther, "CTR in-interest " + ctrInterest + " vs other " + ctrOther);
        double ctrRecent = (double) recent[1] / recent[0];
        double ctrNotRecent = (double) recent[3] / recent[2];
        assertTrue(ctrRecent > 1.5 * ctrNotRecent, "CTR after a same-category click in 24h " + ctrRecent + " vs " + ctrNotRecent);
        assertTrue(summary.clickThroughRate() > 0.04 && summary.clickThroughRate() < 0.15, "CTR " + summary.clickThroughRate());
    }

    @Test
    void scalesToLargerRunsWithExactCounts() {
        GeneratorSpec spec = GeneratorSpec.small().withUsers(20_000).withItems(5_000).withDays(2).withImpressionsPerDay(100_000);
        GenerationSummary medium = SyntheticLogGenerator.generate(spec, dir.resolve("medium"));
        assertEquals(200_000, medium.impressions());
        assertEquals(20_000, medium.users());
        assertTrue(medium.behaviourEvents() > medium.clicks());
    }

    @Test
    void commandLineRejectsBadArguments() {
        assertEquals("unknown option --user",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> SampleDataMain.run(new String[] {"--user", "3"})).getMessage());
        assertEquals("--users expects an integer, got 'many'",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> SampleDataMain.run(new String[] {"--users", "many", "--out", "x"})).getMessage());
        assertEquals("--out is required",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> SampleDataMain.run(new String[] {"--days", "2"})).getMessage());
    }
}

package org.recspark.jobs.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.features.FeatureHashing;
import org.recspark.jobs.RecSparkCliAccess;

/**
 * Bad input to build-samples on small tables: columns read by name, side rows that cannot serve an
 * impression reject it, duplicate keys under each policy, range checks, empty inputs, bad values.
 * One local[2] session.
 */
public class SampleInputIntegrityTest {
    private static final int USERS = 5;
    private static final int ITEMS = 3;
    private static final int IMPRESSIONS = 40;
    private static final long T0 = 1_793_491_267L;
    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("SampleInputIntegrityTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static final String CONFIG = """
            name: "integrity"
            input_config {
              samples {
                source { path: "impressions.csv" format: CSV }
                schema { name: "request_id" }
                schema { name: "ts" type: INT64 %TS_BOUNDS% }
                schema { name: "user_id" }
                schema { name: "item_id" }
                schema { name: "click" type: INT64 }
                %SAMPLES_OPTIONS%
              }
              users {
                source { %USERS_FILE% %USERS_SOURCE% }
                schema { name: "user_id" }
                schema { name: "age" type: INT64 }
                schema { name: "city" }
                schema { name: "occupation" }
                %USERS_OPTIONS%
              }
              items {
                source { %ITEMS_SOURCE% }
                schema { name: "item_id" }
                schema { name: "category" }
                schema { name: "price" type: DOUBLE }
              }
              %BEHAVIOURS%
              request_id_field: "request_id"
              labels { name: "click" }
              rejects { max_fraction: %MAX_FRACTION% }
            }
            feature_config {
              %FEATURE_OPTIONS%
              features { name: "age" raw { input: "user.age" } }
              features { name: "city" id { input: "user.city" hash_bucket_size: 1000 } }
              features { name: "occupation" id { input: "user.occupation" hash_bucket_size: 1000 } }
              features { name: "category" id { input: "item.category" hash_bucket_size: 100 } }
              features { name: "price" raw { input: "item.price" } }
            }
            model_config {
              feature_groups { name: "all" features: ["city", "occupation", "category"] }
              feature_groups { name: "dense" features: ["age", "price"] }
              deepfm { dnn { hidden_units: [8] } groups: ["all"] }
              label: "click"
            }
            """;

    /** A table's lines, header first, to edit before writing. */
    private static List<String> users() {
        List<String> lines = new ArrayList<>(List.of("user_id,age,city,occupation"));
        for (int u = 0; u < USERS; u++) {
            lines.add("u" + u + "," + (20 + u) + ",city" + u + ",job" + u);
        }
        return lines;
    }

    private static List<String> items() {
        List<String> lines = new ArrayList<>(List.of("item_id,category,price"));
        for (int i = 0; i < ITEMS; i++) {
            lines.add("i" + i + ",cat" + i + "," + (1.5 + i));
        }
        return lines;
    }

    /** Impression k: user u(k % 5), item i(k % 3), a minute apart on 2026-11-01. */
    private static List<String> impressions() {
        List<String> lines = new ArrayList<>(List.of("request_id,ts,user_id,item_id,click"));
        for (int k = 0; k < IMPRESSIONS; k++) {
            lines.add("r" + k + "," + (T0 + 60L * k) + ",u" + (k % USERS) + ",i" + (k % ITEMS) + "," + (k % 2));
        }
        return lines;
    }

    private static final class Setup {
        final Path dir;
        List<String> users = users();
        List<String> items = items();
        List<String> impressions = impressions();
        Map<String, String> options = new HashMap<>(Map.of("%TS_BOUNDS%", "", "%SAMPLES_OPTIONS%", "", "%USERS_SOURCE%", "",
                "%USERS_OPTIONS%", "", "%MAX_FRACTION%", "0.5", "%USERS_FILE%", "path: \"users.csv\" format: CSV",
                "%BEHAVIOURS%", "", "%FEATURE_OPTIONS%", "", "%ITEMS_SOURCE%", "path: \"items.csv\" format: CSV"));
        List<String> behaviours = List.of();
        List<String> usersJson = List.of();

        Setup(String name) {
            this.dir = tmp.resolve(name);
        }

        Setup option(String placeholder, String value) {
            options.put(placeholder, value);
            return this;
        }

        Path write() throws IOException {
            Files.createDirectories(dir);
            Files.write(dir.resolve("users.csv"), users);
            Files.write(dir.resolve("users.json"), usersJson);
            Files.write(dir.resolve("items.csv"), items);
            Files.write(dir.resolve("impressions.csv"), impressions);
            Files.write(dir.resolve("behaviours.csv"), behaviours);
            String config = CONFIG;
            for (Map.Entry<String, String> o : options.entrySet()) {
                config = config.replace(o.getKey(), o.getValue());
            }
            Path file = dir.resolve("pipeline.pbtxt");
            Files.writeString(file, config);
            return file;
        }

        Path out() {
            return dir.resolve("out");
        }

        SampleBuildJob.Summary build() throws IOException {
            Path config = write();
            return new SampleBuildJob(spark, ConfigParser.load(config), dir).run(out().toString(), rejectsPath(), Optional.empty());
        }

        String rejectsPath() {
            return dir.resolve("rejects").toString();
        }

        /** Rejected rows by reason. */
        Map<String, Long> rejects() {
            Map<String, Long> byReason = new HashMap<>();
            for (Row r : spark.read().json(rejectsPath()).groupBy("reason").count().collectAsList()) {
                byReason.put(r.getString(0), r.getLong(1));
            }
            return byReason;
        }
    }

    /** request_id -> a feature's first value, from the written samples. */
    private static Map<String, Object> feature(Path out, String name) {
        Map<String, Object> values = new HashMap<>();
        for (Row r : spark.read().parquet(out.toString()).selectExpr("request_id", "features." + name + "[0]").collectAsList()) {
            values.put(r.getString(0), r.get(1));
        }
        return values;
    }

    /** The reason of a CSV row whose column does not parse as an INT64. */
    private static String notAnInt64(String column) {
        return "malformed row: column " + column + " is not an INT64 (a whole number from -2^63 to 2^63 - 1, digits only)";
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), "expected <" + expected + "> in:\n" + text);
    }

    @Test
    void csvColumnsInAnotherOrderAreReadByName() throws IOException {
        Setup setup = new Setup("reordered");
        // city and occupation swapped, age last: by position every sample would carry wrong fields.
        setup.users = new ArrayList<>(List.of("user_id,occupation,city,age"));
        for (int u = 0; u < USERS; u++) {
            setup.users.add("u" + u + ",job" + u + ",city" + u + "," + (20 + u));
        }
        setup.items = new ArrayList<>(List.of("price,item_id,category"));
        for (int i = 0; i < ITEMS; i++) {
            setup.items.add((1.5 + i) + ",i" + i + ",cat" + i);
        }
        SampleBuildJob.Summary summary = setup.build();
        assertEquals(IMPRESSIONS, summary.totalSamples());
        Map<String, Object> city = feature(setup.out(), "city");
        Map<String, Object> occupation = feature(setup.out(), "occupation");
        Map<String, Object> age = feature(setup.out(), "age");
        Map<String, Object> price = feature(setup.out(), "price");
        for (int k = 0; k < IMPRESSIONS; k++) {
            String r = "r" + k;
            assertEquals(FeatureHashing.bucket("city" + (k % USERS), 1000), city.get(r), r);
            assertEquals(FeatureHashing.bucket("job" + (k % USERS), 1000), occupation.get(r), r);
            assertEquals(20f + k % USERS, age.get(r), r);
            assertEquals((float) (1.5 + k % ITEMS), price.get(r), r);
        }
    }

    @Test
    void aMissingExtraOrMisnamedCsvColumnIsOneErrorNamingThemAll() throws IOException {
        Setup setup = new Setup("header");
        setup.users.set(0, "user_id,agee,city,occupation,zip");
        ConfigException e = assertThrows(ConfigException.class, setup::build);
        String message = e.getMessage();
        assertContains(message, "input_config.users.schema[1]: column 'age' is missing from the header of CSV users.csv");
        assertContains(message, "input_config.users.schema: column 'agee' in the header of CSV users.csv is not in the schema");
        assertContains(message, "input_config.users.schema: column 'zip' in the header of CSV users.csv is not in the schema");
        assertContains(message, "expected a header naming [user_id, age, city, occupation] (in any order), "
                + "found [user_id, agee, city, occupation, zip]");
        assertFalse(Files.exists(setup.out()), "nothing written");

        Setup noHeader = new Setup("no-header").option("%USERS_SOURCE%", "header: false");
        noHeader.users.remove(0);
        noHeader.users.replaceAll(line -> line + ",extra");
        e = assertThrows(ConfigException.class, noHeader::build);
        assertContains(e.getMessage(), "input_config.users.schema: the first line of CSV users.csv has 5 columns, the schema declares 4 "
                + "[user_id, age, city, occupation] (source.header is false: columns are read by position)");
    }

    @Test
    void aMalformedUserRowRejectsItsImpressionsAndCountsTowardMaxFraction() throws IOException {
        Setup setup = new Setup("malformed-user").option("%MAX_FRACTION%", "0.1");
        setup.users.set(2, "u1,twenty,city1,job1");
        Path out = setup.out();
        TooManyRejectsException e = assertThrows(TooManyRejectsException.class, setup::build);
        assertTrue(e.getMessage().startsWith("8 of 40 samples (0.2000) were rejected, more than input_config.rejects.max_fraction 0.1"),
                e.getMessage());
        assertFalse(Files.exists(out), "no samples written");
        String reason = "its input_config.users row was rejected: " + notAnInt64("age");
        assertEquals(Map.of(reason, 8L, notAnInt64("age"), 1L), setup.rejects());

        setup.option("%MAX_FRACTION%", "0.25");
        SampleBuildJob.Summary summary = setup.build();
        assertEquals(32, summary.totalSamples());
        assertEquals(8, summary.rejectedSamples());
        assertEquals(Map.of("input_config.samples: " + reason, 8L, "input_config.users: " + notAnInt64("age"), 1L),
                summary.rejectsPerReason());
        assertTrue(spark.read().parquet(out.toString()).where("user_id = 'u1'").isEmpty(), "no sample of u1");
    }

    @Test
    void bytesThatAreNotUtf8RejectTheirRowNamingTheColumn() throws IOException {
        Setup setup = new Setup("latin1-user").option("%MAX_FRACTION%", "0.25");
        setup.users.set(2, "u1,21,M\u00fcnchen,job1");
        Path config = setup.write();
        // A users file saved as Latin-1: Spark would read the city as "M\uFFFDnchen" without a word.
        Files.write(setup.dir.resolve("users.csv"), (String.join("\n", setup.users) + "\n").getBytes(StandardCharsets.ISO_8859_1));
        SampleBuildJob.Summary summary = new SampleBuildJob(spark, ConfigParser.load(config), setup.dir)
                .run(setup.out().toString(), setup.rejectsPath(), Optional.empty());
        String reason = "column city holds bytes that are not UTF-8 (read as U+FFFD); the file must be UTF-8 text";
        assertEquals(Map.of("input_config.samples: its input_config.users row was rejected: " + reason, 8L, "input_config.users: " + reason, 1L),
                summary.rejectsPerReason());
        assertEquals(32, summary.totalSamples());
    }

    @Test
    void duplicateUserRowsFailByDefault() throws IOException {
        Setup setup = new Setup("duplicate-fail");
        setup.users.add("u1,99,elsewhere,job1");
        ConfigException e = assertThrows(ConfigException.class, setup::build);
        assertContains(e.getMessage(), "input_config.users.on_duplicate_key: 1 user_id value has several rows in CSV users.csv, "
                + "e.g. u1 (2 rows); on_duplicate_key is FAIL (the default): fix the table, or set KEEP_FIRST or REJECT");
        assertFalse(Files.exists(setup.out()), "nothing written");
    }

    @Test
    void duplicateUserRowsUnderRejectRejectTheRowsAndTheirImpressions() throws IOException {
        Setup setup = new Setup("duplicate-reject").option("%USERS_OPTIONS%", "on_duplicate_key: REJECT");
        setup.users.add("u1,99,elsewhere,job1");
        SampleBuildJob.Summary summary = setup.build();
        assertEquals(32, summary.totalSamples());
        assertEquals(8, summary.rejectedSamples());
        assertEquals(Map.of("duplicate user_id in input_config.users (on_duplicate_key: REJECT)", 8L,
                "duplicate user_id in input_config.users (2 rows; on_duplicate_key: REJECT)", 2L), setup.rejects());
        assertEquals(32, spark.read().parquet(setup.out().toString()).count());
    }

    @Test
    void duplicateUserRowsUnderKeepFirstKeepOneRowChosenByValueNotFileOrder() throws IOException {
        for (boolean duplicateFirst : List.of(false, true)) {
            Setup setup = new Setup("duplicate-keep-first-" + duplicateFirst).option("%USERS_OPTIONS%", "on_duplicate_key: KEEP_FIRST");
            // Same user, same age: the row with the smaller city (a_city < city1) comes first.
            String duplicate = "u1,21,a_city,job1";
            if (duplicateFirst) {
                setup.users.add(1, duplicate);
            } else {
                setup.users.add(duplicate);
            }
            SampleBuildJob.Summary summary = setup.build();
            assertEquals(IMPRESSIONS, summary.totalSamples(), "no sample duplicated or lost");
            assertEquals(IMPRESSIONS, spark.read().parquet(setup.out().toString()).count());
            assertEquals(Map.of("duplicate user_id in input_config.users (on_duplicate_key: KEEP_FIRST kept another row)", 1L),
                    setup.rejects());
            Map<String, Object> city = feature(setup.out(), "city");
            assertEquals(FeatureHashing.bucket("a_city", 1000), city.get("r1"));
            assertEquals(FeatureHashing.bucket("city2", 1000), city.get("r2"));
        }
    }

    @Test
    void printedCountsAreTheRowsWritten() throws IOException {
        Setup setup = new Setup("printed").option("%USERS_OPTIONS%", "on_duplicate_key: KEEP_FIRST");
        setup.users.add("u1,21,a_city,job1");
        setup.impressions.set(1, setup.impressions.get(1).replace(",u0,", ",ghost,"));
        setup.impressions.set(7, setup.impressions.get(7).replaceFirst(",\\d+,u1,", ",soon,u1,"));
        Path config = setup.write();
        String printed = RecSparkCliAccess.runOk("build-samples", "--config", config.toString(), "--out", setup.out().toString(),
                "--rejects", setup.rejectsPath());
        Matcher samples = Pattern.compile("build-samples: (\\d+) samples -> ").matcher(printed);
        Matcher rejected = Pattern.compile("build-samples: (\\d+) rejected samples;").matcher(printed);
        assertTrue(samples.find() && rejected.find(), printed);
        long written = spark.read().parquet(setup.out().toString()).count();
        assertEquals(IMPRESSIONS - 2, written);
        assertEquals(written, Long.parseLong(samples.group(1)), printed);
        long writtenRejects = spark.read().json(setup.rejectsPath()).where("table = 'input_config.samples'").count();
        assertEquals(2, writtenRejects);
        assertEquals(writtenRejects, Long.parseLong(rejected.group(1)), printed);
        assertContains(printed, "  dt=2026-11-01: " + written + " samples");
    }

    @Test
    void labelsOfABinaryTaskAndTimesOutOfTheirBoundsAreRejectedWithTheValue() throws IOException {
        Setup setup = new Setup("ranges").option("%TS_BOUNDS%", "min: 1700000000 max: 1900000000");
        setup.impressions.set(3, setup.impressions.get(3).replaceFirst(",\\d$", ",2"));
        setup.impressions.set(4, setup.impressions.get(4).replaceFirst(",\\d$", ",-1"));
        setup.impressions.set(7, setup.impressions.get(7).replaceFirst(",\\d+,u", "," + (T0 * 1000) + ",u"));
        setup.impressions.set(8, setup.impressions.get(8).replaceFirst(",\\d+,u", ",0,u"));
        SampleBuildJob.Summary summary = setup.build();
        assertEquals(IMPRESSIONS - 4, summary.totalSamples());
        assertEquals(Map.of("label click = 2 is not 0 or 1 (a binary task's label)", 1L,
                "label click = -1 is not 0 or 1 (a binary task's label)", 1L,
                "column ts = " + (T0 * 1000) + " is above its max 1900000000", 1L,
                "column ts = 0 is below its min 1700000000", 1L), setup.rejects());
    }

    @Test
    void anEmptyInputIsAnErrorNamingTheFileUnlessAllowed() throws IOException {
        Setup headerOnly = new Setup("header-only");
        headerOnly.impressions = List.of(headerOnly.impressions.get(0));
        ConfigException e = assertThrows(ConfigException.class, headerOnly::build);
        assertContains(e.getMessage(), "input_config.samples: CSV impressions.csv has no data rows; "
                + "set input_config.samples.allow_empty: true if an empty table is expected");
        assertFalse(Files.exists(headerOnly.out()), "nothing written");

        Setup empty = new Setup("empty-file");
        empty.users = List.of();
        e = assertThrows(ConfigException.class, empty::build);
        assertContains(e.getMessage(), "input_config.users: CSV users.csv is empty (not even a header line); "
                + "set input_config.users.allow_empty: true if an empty table is expected");

        headerOnly.option("%SAMPLES_OPTIONS%", "allow_empty: true");
        assertEquals(0, headerOnly.build().totalSamples());

        Setup noDay = new Setup("no-such-day");
        Path config = noDay.write();
        e = assertThrows(ConfigException.class, () -> new SampleBuildJob(spark, ConfigParser.load(config), noDay.dir)
                .run(noDay.out().toString(), noDay.rejectsPath(), Optional.of("2026-12-24")));
        assertContains(e.getMessage(), "input_config.samples: CSV impressions.csv has no samples on dt=2026-12-24");
    }

    @Test
    void aDayRebuiltWithoutSamplesKeepsNoneOfTheEarlierRunsRows() throws IOException {
        Setup setup = new Setup("emptied-day").option("%SAMPLES_OPTIONS%", "allow_empty: true");
        Optional<String> day = Optional.of("2026-11-01");
        Path config = setup.write();
        assertEquals(IMPRESSIONS, new SampleBuildJob(spark, ConfigParser.load(config), setup.dir)
                .run(setup.out().toString(), setup.rejectsPath(), day).totalSamples());
        Path otherDay = Files.createDirectories(setup.out().resolve("dt=2026-10-31"));
        try (Stream<Path> files = Files.list(setup.out().resolve("dt=2026-11-01"))) {
            for (Path f : files.toList()) {
                Files.copy(f, otherDay.resolve(f.getFileName()));
            }
        }

        setup.impressions = List.of(setup.impressions.get(0));
        config = setup.write();
        assertEquals(0, new SampleBuildJob(spark, ConfigParser.load(config), setup.dir)
                .run(setup.out().toString(), setup.rejectsPath(), day).totalSamples());
        assertFalse(Files.exists(setup.out().resolve("dt=2026-11-01")), "the day holds what this run built: nothing");
        assertEquals(IMPRESSIONS, spark.read().parquet(setup.out().toString()).count(), "the other day is untouched");
    }

    @Test
    void badValuesAreRejectedWithAReasonNeverPassedOn() throws IOException {
        Setup setup = new Setup("bad-values").option("%MAX_FRACTION%", "1");
        // Line k + 1 is impression r<k>.
        setup.impressions.set(2, setup.impressions.get(2).replace(",u1,", ", ,"));
        setup.impressions.set(3, setup.impressions.get(3).replace(",u2,", ",,"));
        setup.impressions.set(4, setup.impressions.get(4).replaceFirst(",\\d+,u", ",2026-11-01T00:00:00,u"));
        setup.items.set(3, "i2,cat2,NaN");
        setup.items.set(2, "i1,cat1,Infinity");
        SampleBuildJob.Summary summary = setup.build();
        Map<String, Long> rejects = setup.rejects();
        assertEquals(1L, rejects.get("blank key in column user_id"), rejects.toString());
        assertEquals(1L, rejects.get("null in non-nullable column user_id"), rejects.toString());
        assertEquals(1L, rejects.get(notAnInt64("ts")), rejects.toString());
        assertEquals(1L, rejects.get("not a finite number in column price: NaN"), rejects.toString());
        assertEquals(1L, rejects.get("not a finite number in column price: Infinity"), rejects.toString());
        // i1 and i2 serve the 26 impressions with k % 3 != 0; r1 and r2 among them were rejected for their user.
        assertEquals(12L, rejects.get("its input_config.items row was rejected: not a finite number in column price: Infinity"),
                rejects.toString());
        assertEquals(12L, rejects.get("its input_config.items row was rejected: not a finite number in column price: NaN"),
                rejects.toString());
        assertEquals(IMPRESSIONS - 3 - 24, summary.totalSamples());
        assertEquals(3 + 24, summary.rejectedSamples());
    }

    @Test
    void aRepeatedHeaderNameIsNamedAsWrittenNotAsSparkRenamesIt() throws IOException {
        Setup setup = new Setup("repeated-header");
        setup.impressions.set(0, "request_id,ts,user_id,user_id,click");
        ConfigException e = assertThrows(ConfigException.class, setup::build);
        assertContains(e.getMessage(), "input_config.samples.schema[3]: column 'item_id' is missing from the header of CSV impressions.csv");
        assertContains(e.getMessage(), "input_config.samples.schema: column 'user_id' appears twice in the header of CSV impressions.csv");
        assertContains(e.getMessage(), "found [request_id, ts, user_id, user_id, click]");
    }

    @Test
    void aBehaviourLogRejectedBeyondMaxFractionFailsTheJobThoughNoSampleIsRejected() throws IOException {
        Setup setup = new Setup("behaviour-rejects").option("%MAX_FRACTION%", "0.1")
                .option("%BEHAVIOURS%", "behaviours { table { source { path: \"behaviours.csv\" format: CSV } schema { name: \"user_id\" } "
                        + "schema { name: \"item_id\" } schema { name: \"event\" } schema { name: \"ts\" type: INT64 } } }")
                .option("%FEATURE_OPTIONS%", "behaviour_stats { event_types: [\"click\"] windows: [3600] }");
        List<String> events = new ArrayList<>(List.of("user_id,item_id,event,ts"));
        for (int k = 0; k < 10; k++) {
            events.add("u" + (k % USERS) + ",i" + (k % ITEMS) + ",click," + (k < 2 ? "x" : "") + (T0 - 60L * k));
        }
        setup.behaviours = events;
        TooManyRejectsException e = assertThrows(TooManyRejectsException.class, setup::build);
        assertTrue(e.getMessage().startsWith("2 of 10 rows of input_config.behaviours.table (0.2000) were rejected, more than "
                + "input_config.rejects.max_fraction 0.1; by reason {input_config.behaviours.table: " + notAnInt64("ts") + "=2}"),
                e.getMessage());

        setup.option("%MAX_FRACTION%", "0.2");
        assertEquals(IMPRESSIONS, setup.build().totalSamples());
    }

    @Test
    void aValueNoFeatureCanUseFailsNamingItsRequest() throws IOException {
        Setup setup = new Setup("bad-feature-value").option("%FEATURE_OPTIONS%", "features { name: \"city_number\" raw { input: \"user.city\" } }");
        Exception e = assertThrows(Exception.class, setup::build);
        Throwable cause = e;
        while (cause != null && !(cause instanceof BadFeatureValueException)) {
            cause = cause.getCause();
        }
        assertTrue(cause != null, "not a BadFeatureValueException: " + e);
        assertTrue(cause.getMessage().matches("a value of the request \\{request_id=r\\d+, user_id=u\\d+, item_id=i\\d+, ts=\\d+, click=\\d+\\.0, "
                + "dt=2026-11-01\\} cannot be used: feature 'city_number' .*city\\d.*; feature_config.on_bad_value: FAIL stops at the first bad value .*"),
                cause.getMessage());
    }

    @Test
    void aFileOfAParquetTableThatIsNotParquetIsNamedWithTheTable() throws IOException {
        Setup setup = new Setup("not-parquet").option("%ITEMS_SOURCE%", "path: \"items_parquet\" format: PARQUET");
        Path part = Files.createDirectories(setup.dir.resolve("items_parquet")).resolve("part-00000.parquet");
        Files.write(part, new byte[0]);
        UnreadableInputException e = assertThrows(UnreadableInputException.class, setup::build);
        assertTrue(e.getMessage().startsWith("input_config.items: PARQUET items_parquet: cannot read "), e.getMessage());
        assertContains(e.getMessage(), part.getFileName() + " is not a Parquet file (length is too low: 0) (a file that is not of the "
                + "table's format, cut short or corrupt; remove or replace it)");
    }

    @Test
    void bomQuotedSeparatorsAndQuotedLineBreaksAreRead() throws IOException {
        Setup setup = new Setup("quoting").option("%USERS_SOURCE%", "multi_line: true");
        setup.users.set(0, "\uFEFF" + setup.users.get(0));
        setup.users.set(2, "u1,21,\"city1, north\",\"job \"\"one\"\"\nsecond line\"");
        SampleBuildJob.Summary summary = setup.build();
        assertEquals(IMPRESSIONS, summary.totalSamples());
        assertEquals(0, summary.rejectsPerReason().size(), summary.rejectsPerReason().toString());
        assertEquals(FeatureHashing.bucket("city1, north", 1000), feature(setup.out(), "city").get("r1"));
        assertEquals(FeatureHashing.bucket("job \"one\"\nsecond line", 1000), feature(setup.out(), "occupation").get("r1"));
    }

    @Test
    void jsonKeysAreCheckedByNameAndAMalformedValueRejectsItsImpressions() throws IOException {
        Setup setup = new Setup("json").option("%USERS_FILE%", "path: \"users.json\" format: JSON");
        List<String> json = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            String age = u == 1 ? "\"twenty\"" : Integer.toString(20 + u);
            json.add("{\"occupation\": \"job" + u + "\", \"age\": " + age + ", \"city\": \"city" + u + "\", \"user_id\": \"u" + u + "\"}");
        }
        setup.usersJson = json;
        SampleBuildJob.Summary summary = setup.build();
        assertEquals(IMPRESSIONS - 8, summary.totalSamples());
        assertEquals(Map.of("its input_config.users row was rejected: " + notAnInt64("age"), 8L, notAnInt64("age"), 1L),
                setup.rejects());
        assertEquals(FeatureHashing.bucket("city2", 1000), feature(setup.out(), "city").get("r2"));

        setup.usersJson = json.stream().map(line -> line.replace("\"age\"", "\"agee\"")).toList();
        ConfigException e = assertThrows(ConfigException.class, setup::build);
        assertContains(e.getMessage(), "input_config.users.schema[1]: column 'age' is missing from JSON users.json: none of its first "
                + "1000 rows has the key (keys found: [agee, city, occupation, user_id])");
    }
}

package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.jobs.samples.SampleBuildJobTest;
import org.recspark.sampledata.CsvRecords;
import org.recspark.storage.DirectoryLock;

class RecSparkCliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return RecSparkCli.standard(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    static Path repoRoot() {
        String root = System.getProperty("recspark.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    private static Path sampleConfig() {
        return repoRoot().resolve("examples").resolve("sample_pipeline.pbtxt");
    }

    @Test
    void featuresCommandWritesEveryImpressionOfTheSample(@TempDir Path dir) throws IOException {
        Path outDir = dir.resolve("features");
        assertEquals(0, run("features", "--config", sampleConfig().toString(), "--out", outDir.toString()), err.toString());
        List<String> lines = Files.readAllLines(outDir.resolve("features.jsonl"));
        assertEquals(20_000, lines.size());
        JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals(26, first.getAsJsonObject("features").size());
        assertTrue(first.getAsJsonObject("labels").has("click"));
        assertEquals(List.of("line,reason,row"), Files.readAllLines(dir.resolve("features_rejects").resolve("rejects.csv")));
        String checksums = Files.readString(outDir.resolve(AtomicOutputDirectory.CHECKSUMS));
        assertTrue(checksums.contains(AtomicOutputDirectory.sha256(outDir.resolve("features.jsonl")) + "  features.jsonl"), checksums);
        assertTrue(Files.exists(outDir.resolve("_SUCCESS")) && Files.exists(dir.resolve("features_rejects/_SUCCESS")));
        assertTrue(out.toString().contains("20000 impressions in"), out.toString());
    }

    @Test
    void outputGoesToAPathOrATableAndATableNeedsARejectsLocation() {
        String config = sampleConfig().toString();
        assertEquals(2, run("build-samples", "--config", config, "--out", "samples", "--out-table", "recs.samples"));
        assertTrue(err.toString().contains("--out and --out-table exclude each other: give one"), err.toString());
        assertEquals(2, run("predict", "--config", config, "--bundle", "model"));
        assertTrue(err.toString().contains("option --out PATH or --out-table TABLE is required"), err.toString());
        assertEquals(2, run("build-samples", "--config", config, "--out-table", "recs.samples;"));
        assertTrue(err.toString().contains("--out-table expects TABLE or DB.TABLE (letters, digits, _), got 'recs.samples;'"), err.toString());
        assertEquals(2, run("build-samples", "--config", config, "--out-table", "recs.samples"));
        assertTrue(err.toString().contains("--out-table needs a location for rejected rows, which are written as JSON files: "
                + "--rejects PATH or input_config.rejects.path"), err.toString());
        assertEquals(2, run("predict", "--config", config, "--bundle", "model", "--out-table", "recs.predictions"));
        assertTrue(err.toString().contains("--out-table needs a location for rejected rows, which are written as JSON files: --rejects PATH\n"),
                err.toString());
    }

    @Test
    void tooManyRejectsFailTheRunAndLeaveNoOutput(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("sample-data").resolve("small");
        Files.createDirectories(data);
        for (String file : List.of("users.csv", "items.csv", "behaviours.csv")) {
            Files.copy(repoRoot().resolve("sample-data/small").resolve(file), data.resolve(file));
        }
        List<String> impressions = Files.readAllLines(repoRoot().resolve("sample-data/small/impressions.csv"));
        StringBuilder corrupted = new StringBuilder(impressions.get(0)).append('\n');
        for (int i = 1; i < impressions.size(); i++) {
            String line = impressions.get(i);
            corrupted.append(i % 100 == 0 ? line.replaceFirst(",u\\d+,", ",ghost,") : line).append('\n');
        }
        Files.writeString(data.resolve("impressions.csv"), corrupted);
        Path config = dir.resolve("examples").resolve("p.pbtxt");
        Files.createDirectories(config.getParent());
        Files.copy(sampleConfig(), config);
        Path outDir = dir.resolve("out");

        assertEquals(1, run("features", "--config", config.toString(), "--out", outDir.toString()));
        assertTrue(err.toString().contains("200 of 20000 impressions (0.0100) were rejected, more than input_config.rejects.max_fraction 1.0E-4; reasons in "
                + dir.resolve("out_rejects").toAbsolutePath().normalize().resolve("rejects.csv")),
                err.toString());
        assertFalse(Files.exists(outDir), "a failed run leaves no output that looks valid");
        assertEquals(201, Files.readAllLines(dir.resolve("out_rejects").resolve("rejects.csv")).size(), "but its rejects are kept");
        try (var siblings = Files.list(dir)) {
            assertTrue(siblings.noneMatch(p -> p.getFileName().toString().contains("inprogress")), "staging directory removed");
        }

        Files.writeString(config, Files.readString(config).replace("max_fraction: 0.0001", "max_fraction: 0.02"));
        assertEquals(0, run("features", "--config", config.toString(), "--out", outDir.toString()), err.toString());
        List<String> rejects = Files.readAllLines(dir.resolve("out_rejects").resolve("rejects.csv"));
        assertEquals(201, rejects.size());
        assertTrue(rejects.get(1).startsWith("101,unknown user_id 'ghost',"), rejects.get(1));
    }

    @Test
    void featuresRefusesAnOutputAnotherRunIsWriting(@TempDir Path dir) throws IOException {
        Path outDir = dir.resolve("features");
        try (DirectoryLock other = DirectoryLock.acquire(AtomicOutputDirectory.lockDirectory(outDir), "features --config other.pbtxt")) {
            assertEquals(1, run("features", "--config", sampleConfig().toString(), "--out", outDir.toString()));
            assertTrue(err.toString().contains(AtomicOutputDirectory.lockDirectory(outDir) + " is locked by 'features --config other.pbtxt' on host"),
                    err.toString());
            assertFalse(Files.exists(outDir), "nothing written while another run holds the output");
        }
        assertEquals(0, run("features", "--config", sampleConfig().toString(), "--out", outDir.toString()), err.toString());
    }

    @Test
    void featuresReadsQuotedFieldsAndQuotesItsRejects(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("sample-data").resolve("small");
        Files.createDirectories(data);
        for (String file : List.of("users.csv", "items.csv", "behaviours.csv")) {
            Files.copy(repoRoot().resolve("sample-data/small").resolve(file), data.resolve(file));
        }
        List<String> impressions = Files.readAllLines(repoRoot().resolve("sample-data/small/impressions.csv"));
        StringBuilder quoted = new StringBuilder(impressions.get(0)).append('\n');
        for (int i = 1; i < impressions.size(); i++) {
            String line = impressions.get(i);
            // An unknown user whose id holds the separator, a quote and a line break: one column, RFC 4180 quoted.
            quoted.append(i % 100 == 0 ? line.replaceFirst(",u\\d+,", ",\"gh,o\"\"st\nx\",") : line).append('\n');
        }
        Files.writeString(data.resolve("impressions.csv"), quoted);
        Path config = dir.resolve("examples").resolve("p.pbtxt");
        Files.createDirectories(config.getParent());
        Files.writeString(config, Files.readString(sampleConfig()).replace("max_fraction: 0.0001", "max_fraction: 0.02"));
        Path outDir = dir.resolve("out");

        assertEquals(0, run("features", "--config", config.toString(), "--out", outDir.toString()), err.toString());
        List<List<String>> rejects = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        CsvRecords.forEach(dir.resolve("out_rejects").resolve("rejects.csv"), ",", (fields, line) -> rejects.add(fields));
        assertEquals(201, rejects.size());
        for (List<String> reject : rejects.subList(1, rejects.size())) {
            assertEquals(3, reject.size(), reject.toString());
            assertEquals("unknown user_id 'gh,o\"st\nx'", reject.get(1));
            assertTrue(reject.get(2).contains("user_id=gh,o\"st\nx,"), reject.get(2));
            lines.add(Long.parseLong(reject.get(0)));
        }
        // Each quoted line break moves the later rows one line down in the file.
        assertEquals(List.of(101L, 202L, 303L), lines.subList(0, 3));
        assertEquals(19800, Files.readAllLines(outDir.resolve("features.jsonl")).size());
    }

    @Test
    void validateConfigListsEveryProblem(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.pbtxt");
        Files.writeString(bad, Files.readString(sampleConfig()).replace("input: \"user.city\" hash_bucket_size: 1000", "input: \"user.city\" hash_bucket_size: -5")
                .replace("dropout: 0.1", "dropout: 1.5"));
        assertEquals(2, run("validate-config", sampleConfig().toString(), bad.toString()));
        assertTrue(out.toString().contains(sampleConfig() + ": OK"), out.toString());
        assertTrue(out.toString().contains("feature_config.features[3].id.hash_bucket_size: must be > 0, got -5"), out.toString());
        assertTrue(out.toString().contains("model_config.deepfm.dnn.dropout: must be < 1, got 1.5"), out.toString());
    }

    /**
     * What only the trainer used to find (a model's cross-check, a metric evaluation does not compute)
     * validate-config reports, with the config's own problems (an optimizer that does not apply).
     */
    @Test
    void validateConfigReportsWhatTrainingWouldRefuse(@TempDir Path dir) throws IOException {
        Path config = SampleBuildJobTest.copySample(dir);
        String text = Files.readString(config);
        String lateProblems = text.replace("  deepfm {\n", "  lr {}\n  deepfm {\n").replaceFirst("(?s)  deepfm \\{.*?\n  }\n", "")
                .replace("sparse_optimizer { adagrad", "sparse_optimizer { adamw {} } # adagrad");
        Path bad = dir.resolve("examples").resolve("late.pbtxt");
        Files.writeString(bad, lateProblems);
        // metric names come from the model's tasks, so they are checked once the model builds
        Path uncomputed = dir.resolve("examples").resolve("uncomputed.pbtxt");
        Files.writeString(uncomputed, text.replace("best_metric { metric: \"auc\"", "best_metric { metric: \"auc_typo\""));
        assertEquals(2, run("validate-config", config.toString(), bad.toString(), uncomputed.toString()));
        String printed = out.toString();
        assertTrue(printed.contains(config + ": OK (26 features; model deepfm with "), printed);
        assertTrue(printed.contains("invalid config " + bad + " (2 problems):"), printed);
        assertTrue(printed.contains("model_config.feature_groups: lr needs at least one WIDE feature group"), printed);
        assertTrue(printed.contains("train_config.sparse_optimizer: adamw is for dense parameters"), printed);
        assertTrue(printed.contains("invalid config " + uncomputed + " (1 problem):\n  export_config.best_metric.metric: 'auc_typo' is not "
                + "computed; eval_config.metrics gives [auc, gauc, logloss, calibration]"), printed);
    }

    /** With --workers the refusal comes from the driver's plan, before any sample is read or barrier task started. */
    @Test
    void trainRefusesWhatTheTrainerWouldRefuseBeforeStartingWorkers(@TempDir Path dir) throws IOException {
        Path config = SampleBuildJobTest.copySample(dir);
        Path lr = dir.resolve("examples").resolve("lr.pbtxt");
        Files.writeString(lr, Files.readString(config).replace("  deepfm {\n", "  lr {}\n  deepfm {\n")
                .replaceFirst("(?s)  deepfm \\{.*?\n  }\n", ""));
        Path modelDir = dir.resolve("model");
        assertEquals(2, run("train", "--config", lr.toString(), "--samples", dir.resolve("no-samples-yet").toString(),
                "--model-dir", modelDir.toString(), "--workers", "2"));
        assertTrue(err.toString().contains("invalid config " + lr + " (1 problem):\n  model_config.feature_groups: lr needs at least one "
                + "WIDE feature group"), err.toString());
        assertFalse(Files.exists(modelDir), "nothing was started in " + modelDir);
    }

    @Test
    void validateConfigReportsTheBadFeaturesOfEveryTypeAtOnce(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad_features.pbtxt");
        Files.writeString(bad, Files.readString(sampleConfig())
                .replace("boundaries: [18, 25, 35, 45, 55]", "boundaries: [18, 25, 25, 45, 55]")
                .replace("vocab_list: [\"M\", \"F\"]", "vocab_list: [\"M\", \"F\"] hash_bucket_size: 3")
                .replace("input: \"item.tags\" hash_bucket_size: 10000", "input: \"item.tags\" hash_bucket_size: 10000 separator: \"\"")
                .replace("key_input: \"item.category\" } }\n  features { name: \"category_affinity\"",
                        "key_input: \"item.category\" entry_separator: \"\" } }\n  features { name: \"category_affinity\"")
                .replace("map_input: \"user.category_affinity\" key_input: \"item.category\"",
                        "map_input: \"user.category_affinity\" key_input: \"item.category\" kv_separator: \"\"")
                .replace("inputs: [\"user.gender\", \"item.category\"]", "inputs: [\"user.gender\"]")
                .replace("input: \"user.user_seq_items\" hash_bucket_size: 100000", "input: \"user.user_seq_items\" hash_bucket_size: 100000 num_buckets: 5"));
        assertEquals(2, run("validate-config", bad.toString()));
        String printed = out.toString();
        assertTrue(printed.contains("invalid config " + bad + " (7 problems):"), printed);
        for (String problem : List.of(
                "feature_config.features[1].raw.boundaries[2]: boundaries must be strictly increasing, got 25 after 25",
                "feature_config.features[2].id: exactly one of hash_bucket_size, vocab_list, vocab_file, num_buckets must define the id space, got 2",
                "feature_config.features[11].tag.separator: must not be empty",
                "feature_config.features[12].match.entry_separator: must not be empty",
                "feature_config.features[13].lookup.kv_separator: must not be empty",
                "feature_config.features[14].combo.inputs: a combo crosses at least 2 inputs, got 1",
                "feature_config.features[21].sequence: exactly one of hash_bucket_size, vocab_list, vocab_file, num_buckets must define the id space, got 2")) {
            assertTrue(printed.contains(problem), problem + " missing from:\n" + printed);
        }
    }

    @Test
    void validateConfigReportsRepeatedFieldsEscapingPathsAndOverflowingIdsWithTheirLocations(@TempDir Path dir) throws IOException {
        Path twice = dir.resolve("twice.pbtxt");
        Files.writeString(twice, """
                name: "a"
                feature_config { features { name: "u" id { input: "user.u" hash_bucket_size: 10 hash_bucket_size: 20 } } }
                name: "b"
                """);
        Path commented = dir.resolve("commented.json");
        Files.writeString(commented, "{\"name\": \"a\", // a comment\n \"name\": \"b\"}");
        Path escaping = dir.resolve("escaping.pbtxt");
        Files.writeString(escaping, """
                feature_config {
                  features { name: "city" id { input: "user.city" vocab_file: "../../../../etc/passwd" } }
                  features { name: "a" id { input: "user.a" hash_bucket_size: 9223372036854775000 } }
                  features { name: "b" id { input: "user.b" hash_bucket_size: 9223372036854775000 } }
                }
                train_config { batch_size: 0 }
                """);
        assertEquals(2, run("validate-config", twice.toString(), commented.toString(), escaping.toString()));
        String printed = out.toString();
        assertTrue(printed.contains("invalid config " + twice + " (2 problems):\n  " + twice
                + ":3:1: name: 'name' given more than once (first at 1:1)"), printed);
        assertTrue(printed.contains(twice + ":2:81: feature_config.features[0].id.hash_bucket_size: 'hash_bucket_size' given "
                + "more than once (first at 2:60)"), printed);
        assertTrue(printed.contains(commented + ":1:15: malformed JSON: a comment; JSON has no comments"), printed);
        assertTrue(printed.contains("invalid config " + escaping + " (3 problems):"), printed);
        assertTrue(printed.contains("train_config.batch_size: must be >= 1, got 0"), printed);
        assertTrue(printed.contains("feature_config.features[2].id.hash_bucket_size: the id spaces of the embedding tables add up "
                + "to more than 9223372036854775807"), printed);
        assertTrue(printed.contains("feature_config.features[0].id.vocab_file: '../../../../etc/passwd' resolves to /etc/passwd, "
                + "outside the config's directory " + dir.toAbsolutePath()), printed);
    }

    @Test
    void badCommandLinesExitTwoWithUsage() {
        assertEquals(2, run("featurez"));
        assertTrue(err.toString().contains("unknown command 'featurez'"), err.toString());
        assertEquals(2, run("features", "--config", "x.pbtxt", "--output", "y"));
        assertTrue(err.toString().contains("unknown option --output (expected one of [--config, --out])"), err.toString());
        assertEquals(2, run("generate-sample", "--users", "many", "--out", "x"));
        assertTrue(err.toString().contains("--users expects an integer, got 'many'"), err.toString());
        assertEquals(0, run("help"));
        assertTrue(out.toString().contains("validate-config"), out.toString());
    }

    @Test
    void generateSampleWritesTheLog(@TempDir Path dir) {
        assertEquals(0, run("generate-sample", "--out", dir.toString(), "--users", "50", "--items", "40", "--days", "1",
                "--impressions-per-day", "500"), err.toString());
        assertTrue(out.toString().contains("500 impressions"), out.toString());
        assertTrue(Files.exists(dir.resolve("behaviours.csv")));
    }
}

package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.jobs.samples.SampleBuildJobTest;

/**
 * build-samples and auto-cross through the launcher on the bundled sample, its clicks drawn again
 * from the XOR of the user's gender and the parity of the request's hour: neither says anything
 * alone, their cross everything. auto-cross must select that cross first and write a config that
 * validate-config accepts.
 */
class AutoCrossCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return RecSparkCli.standard(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    @Test
    void plantedCrossIsSelectedFirstAndTheWrittenConfigValidates(@TempDir Path dir) throws IOException {
        Path config = SampleBuildJobTest.copySample(dir);
        plantClicks(dir.resolve("sample-data").resolve("small"));
        Path samples = dir.resolve("samples");
        assertEquals(0, run("build-samples", "--config", config.toString(), "--out", samples.toString()), err.toString());
        Path crossedFile = dir.resolve("out").resolve("crossed.pbtxt");

        assertEquals(0, run("auto-cross", "--config", config.toString(), "--samples", samples.toString(), "--out", crossedFile.toString(),
                "--top", "2", "--max-order", "3", "--threads", "2"), err.toString() + out);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("selected ("), printed);
        assertTrue(printed.contains("  1. gender x hour "), printed);
        assertTrue(printed.contains("round 1: 36 candidates"), "9 id features in the model, 36 pairs: " + printed);

        PipelineConfig crossed = ConfigParser.load(crossedFile);
        Feature cross = crossed.getFeatureConfig().getFeaturesList().stream().filter(f -> f.getName().equals("gender_x_hour")).findFirst()
                .orElseThrow(() -> new AssertionError(printed));
        assertEquals(List.of("user.gender", "context.hour"), cross.getCombo().getInputsList());
        assertTrue(crossed.getModelConfig().getFeatureGroups(0).getFeaturesList().contains("gender_x_hour"));
        assertTrue(crossed.hasHpoConfig(), "the rest of the config is kept");
        assertTrue(Files.readString(crossedFile).startsWith("# Written by recspark auto-cross from "));
        assertEquals(0, run("validate-config", crossedFile.toString()), out.toString());

        assertEquals(2, run("auto-cross", "--config", config.toString(), "--samples", samples.toString(), "--out",
                dir.resolve("refused.pbtxt").toString(), "--max-order", "1"));
        assertTrue(err.toString().contains("--max-order must be >= 2, got 1"), err.toString());
        assertEquals(2, run("auto-cross", "--config", config.toString(), "--samples", samples.toString(), "--out",
                dir.resolve("refused.pbtxt").toString(), "--label", "buy"));
        assertTrue(err.toString().contains("--label buy is not one of input_config.labels"), err.toString());
        assertFalse(Files.exists(dir.resolve("refused.pbtxt")));
    }

    /** Redraws impressions.csv's clicks: P(click) = sigmoid(2.5) when (gender is M) XOR (hour is odd), else sigmoid(-2.5). */
    private static void plantClicks(Path data) throws IOException {
        Map<String, String> genders = new HashMap<>();
        List<String> users = Files.readAllLines(data.resolve("users.csv"));
        assertEquals("user_id,age,gender,city,occupation,interests,category_affinity", users.get(0));
        for (String line : users.subList(1, users.size())) {
            String[] f = line.split(",", -1);
            genders.put(f[0], f[2]);
        }
        List<String> impressions = Files.readAllLines(data.resolve("impressions.csv"));
        assertEquals("request_id,ts,dt,user_id,item_id,device,hour,position,click", impressions.get(0));
        StringBuilder text = new StringBuilder(impressions.get(0)).append('\n');
        SplittableRandom random = new SplittableRandom(19);
        for (String line : impressions.subList(1, impressions.size())) {
            String[] f = line.split(",", -1);
            boolean xor = "M".equals(genders.get(f[3])) ^ (Integer.parseInt(f[6]) % 2 == 1);
            f[8] = random.nextDouble() < 1 / (1 + Math.exp(xor ? -2.5 : 2.5)) ? "1" : "0";
            text.append(String.join(",", f)).append('\n');
        }
        Files.writeString(data.resolve("impressions.csv"), text);
    }
}

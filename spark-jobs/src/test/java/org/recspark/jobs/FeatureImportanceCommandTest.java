package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.jobs.samples.SampleBuildJobTest;

/**
 * build-samples, train and feature-importance through the launcher on the bundled sample's users,
 * items and impressions, with the clicks drawn again so that they depend on two features only:
 * whether the item's category is among the user's interests ({@code interest_match}) and the user's
 * affinity to it ({@code category_affinity}). A logistic regression over those two and four features
 * the clicks do not depend on (hour, occupation, city, gender) must rank the planted two on top,
 * and shuffling the others must change its AUC by no more than their spread. The clicks are about
 * as frequent as not, so that the model's bias, which starts at 0, is not what the first steps
 * spend the weights on.
 */
class FeatureImportanceCommandTest {
    private static final Set<String> PLANTED = Set.of("interest_match", "category_affinity");
    private static final Set<String> NOISE = Set.of("hour", "occupation", "city", "gender");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return RecSparkCli.standard(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    @Test
    void plantedFeaturesRankOnTopAndNoiseStaysNearZero(@TempDir Path dir) throws IOException {
        Path config = SampleBuildJobTest.copySample(dir);
        plantClicks(dir.resolve("sample-data").resolve("small"));
        String text = Files.readString(config);
        String model = """
                model_config {
                  feature_groups { name: "planted" features: ["interest_match", "category_affinity"] type: WIDE }
                  feature_groups { name: "noise" features: ["hour", "occupation", "city", "gender"] type: WIDE }
                  lr {}
                  label: "click"
                }

                train_config {""";
        text = text.replaceFirst("(?s)model_config \\{.*?\ntrain_config \\{", Matcher.quoteReplacement(model))
                .replace("""
                          dense_optimizer {
                            adam {}
                            learning_rate { initial: 0.001 warmup_steps: 100 cosine_decay { decay_steps: 5000 alpha: 0.1 } }
                          }""", "  dense_optimizer { sgd {} learning_rate { initial: 2.0 } }")
                .replace("num_epochs: 8", "num_epochs: 10")
                .replace("  early_stop { target { metric: \"auc\" direction: MAXIMIZE } patience: 3 min_delta: 0.0005 }\n", "")
                .replaceFirst("(?s)\nhpo_config \\{.*?\n}\n", "\n");
        Files.writeString(config, text);
        Path samples = dir.resolve("samples");
        assertEquals(0, run("build-samples", "--config", config.toString(), "--out", samples.toString()), err.toString());
        Path modelDir = dir.resolve("model");
        assertEquals(0, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir", modelDir.toString(),
                "--threads", "2"), err.toString() + out);
        Path bundle = modelDir.resolve("export/final");
        Path report = dir.resolve("importance");

        assertEquals(0, run("feature-importance", "--config", config.toString(), "--bundle", bundle.toString(), "--samples",
                samples.toString(), "--out", report.toString(), "--repeats", "5", "--seed", "7"), err.toString() + out);
        String printed = out.toString(StandardCharsets.UTF_8);
        Matcher used = Pattern.compile("task click: (\\d+) of (\\d+) evaluation rows used, 5 repeats, seed 7").matcher(printed);
        assertTrue(used.find(), printed);
        assertEquals(used.group(1), used.group(2), "fewer evaluation rows than --max-rows: all are used");
        assertTrue(Long.parseLong(used.group(1)) > 2000, printed);

        JsonObject json = JsonParser.parseString(Files.readString(report.resolve("importance.json"))).getAsJsonObject();
        assertEquals(Long.parseLong(used.group(1)), json.get("rows_used").getAsLong());
        assertEquals("auc", json.get("rank_by").getAsString());
        double baselineAuc = json.getAsJsonObject("baseline").get("auc").getAsDouble();
        assertTrue(baselineAuc > 0.6, "the planted signal is learned: " + printed);
        JsonArray features = json.getAsJsonArray("features");
        assertEquals(6, features.size(), printed);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            JsonObject f = features.get(i).getAsJsonObject();
            order.add(f.get("feature").getAsString());
            assertEquals(i + 1, f.get("rank").getAsInt());
            if (NOISE.contains(f.get("feature").getAsString())) {
                double mean = f.get("auc_drop_mean").getAsDouble();
                double std = f.get("auc_drop_std").getAsDouble();
                assertTrue(Math.abs(mean) <= 4 * std + 0.002, f + " is noise: its drop is within its spread of 0\n" + printed);
                assertEquals("noise", f.get("group").getAsString());
            } else {
                assertTrue(f.get("auc_drop_mean").getAsDouble() > 0.01, f + " carries the planted signal\n" + printed);
                assertTrue(f.get("logloss_increase_mean").getAsDouble() > 0, f + "\n" + printed);
                assertEquals("planted", f.get("group").getAsString());
            }
        }
        assertEquals(PLANTED, Set.copyOf(order.subList(0, 2)), printed);
        JsonArray groups = json.getAsJsonArray("groups");
        assertEquals("planted", groups.get(0).getAsJsonObject().get("group").getAsString(), printed);
        assertTrue(groups.get(0).getAsJsonObject().get("auc_drop_mean").getAsDouble()
                > features.get(0).getAsJsonObject().get("auc_drop_mean").getAsDouble(), "the group's features shuffled together drop more: " + printed);

        List<String> csv = Files.readAllLines(report.resolve("importance.csv"));
        assertEquals("kind,name,group,rows,baseline_auc,auc_drop_mean,auc_drop_std,baseline_logloss,logloss_increase_mean,"
                + "logloss_increase_std,rank_by_auc", csv.get(0));
        assertEquals(1 + 6 + 2, csv.size());
        assertTrue(csv.get(1).startsWith("feature," + order.get(0) + ",planted," + used.group(1) + ","), csv.get(1));
        for (String png : List.of("features.png", "groups.png")) {
            assertNotNull(ImageIO.read(report.resolve(png).toFile()), png);
        }
        assertTrue(Files.exists(report.resolve("_COMMITTED")) && Files.exists(report.resolve(AtomicOutputDirectory.CHECKSUMS)));

        // A bounded sample, ranked by logloss: the same output replaced whole.
        assertEquals(0, run("feature-importance", "--config", config.toString(), "--bundle", bundle.toString(), "--samples",
                samples.toString(), "--out", report.toString(), "--max-rows", "500", "--repeats", "2", "--metric", "logloss"), err.toString());
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("task click: 500 of " + used.group(2) + " evaluation rows used, 2 repeats, seed 42"),
                out.toString());
        JsonObject sampled = JsonParser.parseString(Files.readString(report.resolve("importance.json"))).getAsJsonObject();
        assertEquals(500, sampled.get("rows_used").getAsLong());
        assertEquals("logloss", sampled.get("rank_by").getAsString());
        assertTrue(Files.readAllLines(report.resolve("importance.csv")).get(0).endsWith(",rank_by_logloss"));

        refusesBadOptions(config, bundle, samples, dir.resolve("refused"));
    }

    /** Redraws impressions.csv's clicks: P(click) = sigmoid(-1.5 + 2.5 * interest match + 3 * category affinity). */
    static void plantClicks(Path data) throws IOException {
        Map<String, Set<String>> interests = new HashMap<>();
        Map<String, Map<String, Double>> affinities = new HashMap<>();
        List<String> users = Files.readAllLines(data.resolve("users.csv"));
        assertEquals("user_id,age,gender,city,occupation,interests,category_affinity", users.get(0));
        for (String line : users.subList(1, users.size())) {
            String[] f = line.split(",", -1);
            interests.put(f[0], Set.of(f[5].split("\\|")));
            Map<String, Double> affinity = new HashMap<>();
            for (String entry : f[6].isEmpty() ? new String[0] : f[6].split("\\|")) {
                String[] kv = entry.split(":");
                affinity.put(kv[0], Double.parseDouble(kv[1]));
            }
            affinities.put(f[0], affinity);
        }
        Map<String, String> categories = new HashMap<>();
        List<String> items = Files.readAllLines(data.resolve("items.csv"));
        assertEquals("item_id,category,brand,price,tags,publish_ts", items.get(0));
        for (String line : items.subList(1, items.size())) {
            String[] f = line.split(",", -1);
            categories.put(f[0], f[1]);
        }
        List<String> impressions = Files.readAllLines(data.resolve("impressions.csv"));
        assertEquals("request_id,ts,dt,user_id,item_id,device,hour,position,click", impressions.get(0));
        StringBuilder out = new StringBuilder(impressions.get(0)).append('\n');
        SplittableRandom random = new SplittableRandom(19);
        for (String line : impressions.subList(1, impressions.size())) {
            String[] f = line.split(",", -1);
            String category = categories.get(f[4]);
            double logit = -1.5 + (interests.get(f[3]).contains(category) ? 2.5 : 0) + 3 * affinities.get(f[3]).getOrDefault(category, 0.0);
            f[8] = random.nextDouble() < 1 / (1 + Math.exp(-logit)) ? "1" : "0";
            out.append(String.join(",", f)).append('\n');
        }
        Files.writeString(data.resolve("impressions.csv"), out);
    }

    private void refusesBadOptions(Path config, Path bundle, Path samples, Path outDir) {
        String[] base = {"feature-importance", "--config", config.toString(), "--bundle", bundle.toString(), "--samples", samples.toString(),
                "--out", outDir.toString()};
        assertEquals(2, run(concat(base, "--metric", "gauc")));
        assertTrue(err.toString().contains("--metric expects auc or logloss, got 'gauc'"), err.toString());
        assertEquals(2, run(concat(base, "--task", "cvr")));
        assertTrue(err.toString().contains("--task cvr: the bundle's model has the tasks [click]"), err.toString());
        assertEquals(2, run(concat(base, "--repeats", "0")));
        assertTrue(err.toString().contains("option --repeats must be a positive integer, got 0"), err.toString());
        assertEquals(1, run("feature-importance", "--config", config.toString(), "--bundle", bundle.toString(), "--samples",
                config.getParent().toString(), "--out", outDir.toString()));
        assertFalse(err.toString().isBlank());
        assertFalse(Files.exists(outDir), "nothing published for a refused run");
    }

    private static String[] concat(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}

package org.recspark.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.jobs.samples.SampleBuildJobTest;

/**
 * Variational dropout feature selection through the launcher, on feature-importance's planted data
 * ({@link FeatureImportanceCommandTest#plantClicks}: clicks depend on interest_match and
 * category_affinity only): a multi-tower model over those two and four features the clicks do not
 * depend on, trained with model_config.variational_dropout, must rank the planted two on top in its
 * feature_ranking.csv/.json; select-features with --top-k 2 must write a config of those two that
 * validates and trains to an AUC well above chance.
 */
class SelectFeaturesCommandTest {
    private static final Set<String> PLANTED = Set.of("interest_match", "category_affinity");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return RecSparkCli.standard(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    @Test
    void plantedFeaturesRankOnTopAndTheirConfigTrains(@TempDir Path dir) throws IOException {
        Path config = SampleBuildJobTest.copySample(dir);
        FeatureImportanceCommandTest.plantClicks(dir.resolve("sample-data").resolve("small"));
        String model = """
                model_config {
                  feature_groups { name: "all" features: ["hour", "occupation", "interest_match", "city", "category_affinity", "gender"] }
                  multi_tower {
                    towers { group: "all" dnn { hidden_units: [16] } }
                    final_dnn { hidden_units: [8] }
                  }
                  label: "click"
                  variational_dropout { regularization_lambda: 0.05 }
                }

                train_config {""";
        String text = Files.readString(config).replaceFirst("(?s)model_config \\{.*?\ntrain_config \\{", Matcher.quoteReplacement(model))
                .replace("learning_rate { initial: 0.001 warmup_steps: 100 cosine_decay { decay_steps: 5000 alpha: 0.1 } }",
                        "learning_rate { initial: 0.01 }")
                .replace("  early_stop { target { metric: \"auc\" direction: MAXIMIZE } patience: 3 min_delta: 0.0005 }\n", "")
                .replaceFirst("(?s)\nhpo_config \\{.*?\n}\n", "\n");
        Files.writeString(config, text);
        Path samples = dir.resolve("samples");
        assertEquals(0, run("build-samples", "--config", config.toString(), "--out", samples.toString()), err.toString());
        Path modelDir = dir.resolve("model");
        assertEquals(0, run("train", "--config", config.toString(), "--samples", samples.toString(), "--model-dir", modelDir.toString(),
                "--threads", "2"), err.toString() + out);

        List<String> csv = Files.readAllLines(modelDir.resolve("feature_ranking.csv"));
        assertEquals("rank,feature,group,keep_probability", csv.get(0));
        assertEquals(7, csv.size(), String.join("\n", csv));
        List<String> order = new ArrayList<>();
        List<Double> keeps = new ArrayList<>();
        for (String line : csv.subList(1, csv.size())) {
            String[] cells = line.split(",");
            assertEquals(Integer.toString(order.size() + 1), cells[0]);
            assertEquals("all", cells[2]);
            order.add(cells[1]);
            keeps.add(Double.parseDouble(cells[3]));
        }
        assertEquals(PLANTED, Set.copyOf(order.subList(0, 2)), String.join("\n", csv));
        assertTrue(keeps.get(1) > keeps.get(2), "the planted features are kept more than the noise: " + csv);
        JsonArray json = JsonParser.parseString(Files.readString(modelDir.resolve("feature_ranking.json"))).getAsJsonObject()
                .getAsJsonArray("features");
        JsonObject first = json.get(0).getAsJsonObject();
        assertEquals(order.get(0), first.get("feature").getAsString());
        assertEquals(keeps.get(0), first.get("keep_probability").getAsDouble(), 1e-6);

        Path restricted = config.getParent().resolve("top2.pbtxt");
        String[] select = {"select-features", "--config", config.toString(), "--ranking", modelDir.resolve("feature_ranking.csv").toString(),
                "--out", restricted.toString()};
        assertEquals(0, run(concat(select, "--top-k", "2")), err.toString() + out);
        assertTrue(out.toString().contains("kept " + order.subList(0, 2) + ", removed " + order.subList(2, 6)), out.toString());
        PipelineConfig top2 = ConfigParser.parseFile(restricted);
        assertEquals(order.subList(0, 2), top2.getModelConfig().getFeatureGroups(0).getFeaturesList().stream()
                .sorted((a, b) -> order.indexOf(a) - order.indexOf(b)).toList());
        assertEquals(2, top2.getModelConfig().getFeatureGroups(0).getFeaturesCount());
        assertFalse(top2.getModelConfig().hasVariationalDropout(), "the selected config trains the final model without the gates");
        assertEquals(0, run("validate-config", restricted.toString()), out.toString());
        assertEquals(0, run("train", "--config", restricted.toString(), "--samples", samples.toString(), "--model-dir",
                dir.resolve("model-top2").toString(), "--threads", "2"), err.toString() + out);
        JsonObject summary = JsonParser.parseString(Files.readString(dir.resolve("model-top2/summary.json"))).getAsJsonObject();
        double auc = summary.getAsJsonObject("test").getAsJsonObject("metrics").get("auc").getAsDouble();
        assertTrue(auc > 0.7, "the two planted features alone carry the signal: test auc " + auc);

        assertEquals(2, run(concat(select, "--top-k", "7")));
        assertTrue(err.toString().contains("--top-k 7: top-k 7 must be between 1 and the 6 ranked features"), err.toString());
        assertTrue(run("select-features", "--config", config.toString(), "--ranking", config.toString(), "--top-k", "1", "--out",
                dir.resolve("bad.pbtxt").toString()) != 0);
        assertTrue(err.toString().contains("not a feature ranking"), err.toString());
        assertFalse(Files.exists(dir.resolve("bad.pbtxt")), "nothing written from a file that is no ranking");
    }

    private static String[] concat(String[] base, String... more) {
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}

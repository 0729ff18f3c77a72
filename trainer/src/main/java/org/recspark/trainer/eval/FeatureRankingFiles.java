package org.recspark.trainer.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.recspark.model.FeatureGates.FeatureKeep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The variational dropout ranking of a run ({@code model_config.variational_dropout}) as {@code
 * feature_ranking.csv} (header {@code rank,feature,group,keep_probability}) and {@code
 * feature_ranking.json} in the run directory, which {@code recspark select-features} reads.
 */
public final class FeatureRankingFiles {
    public static final String CSV = "feature_ranking.csv";
    public static final String JSON = "feature_ranking.json";
    public static final String CSV_HEADER = "rank,feature,group,keep_probability";

    private static final Logger LOG = LoggerFactory.getLogger(FeatureRankingFiles.class);

    private FeatureRankingFiles() {
    }

    /** Writes both files into {@code dir} and logs the ranking; returns the CSV's path. */
    public static Path write(Path dir, List<FeatureKeep> ranking) {
        List<String> lines = new ArrayList<>();
        lines.add(CSV_HEADER);
        JsonArray features = new JsonArray();
        StringBuilder logged = new StringBuilder();
        for (int i = 0; i < ranking.size(); i++) {
            FeatureKeep k = ranking.get(i);
            lines.add(String.format(Locale.ROOT, "%d,%s,%s,%.6f", i + 1, k.feature(), k.group(), k.keepProbability()));
            JsonObject f = new JsonObject();
            f.addProperty("rank", i + 1);
            f.addProperty("feature", k.feature());
            f.addProperty("group", k.group());
            f.addProperty("keep_probability", k.keepProbability());
            features.add(f);
            logged.append(String.format(Locale.ROOT, "%n  %2d. %s (%s) %.4f", i + 1, k.feature(), k.group(), k.keepProbability()));
        }
        JsonObject json = new JsonObject();
        json.addProperty("method", "variational_dropout");
        json.add("features", features);
        Path csv = dir.resolve(CSV);
        try {
            Files.write(csv, lines, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(JSON), new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the feature ranking under " + dir, e);
        }
        LOG.info("Variational dropout feature ranking (keep probability), written to {}:{}", csv, logged);
        return csv;
    }
}

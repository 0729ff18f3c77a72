package org.recspark.trainer.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.recspark.config.proto.FeatureGroup;
import org.recspark.config.proto.ModelConfig;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.FeatureGates.FeatureKeep;

/**
 * A config restricted to the top K features of a variational dropout ranking ({@link
 * FeatureRankingFiles}): a feature's rank is its first (highest keep probability) row, and every
 * ranked feature outside the top K leaves every model_config feature group. Features the ranking
 * does not name (those of WIDE and SEQUENCE groups only) stay; feature_config is untouched, so a
 * removed feature is merely unused. The variational dropout itself is turned off: the restricted
 * config trains the final model.
 */
public final class TopFeatures {
    /** The restricted config, with the features kept (best first) and removed. */
    public record Selection(PipelineConfig config, List<String> kept, List<String> removed) {}

    private TopFeatures() {
    }

    /** The ranking of a {@code feature_ranking.csv}, as written (best first). */
    public static List<FeatureKeep> read(Path csv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the feature ranking " + csv, e);
        }
        if (lines.isEmpty() || !lines.get(0).equals(FeatureRankingFiles.CSV_HEADER)) {
            throw new IllegalArgumentException(csv + ": not a feature ranking (its header must be '" + FeatureRankingFiles.CSV_HEADER + "')");
        }
        List<FeatureKeep> ranking = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            try {
                if (cells.length != 4) {
                    throw new IllegalArgumentException("4 cells expected, got " + cells.length);
                }
                ranking.add(new FeatureKeep(cells[1], cells[2], Double.parseDouble(cells[3])));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(csv + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return ranking;
    }

    /**
     * {@code config} restricted to the {@code k} best-ranked features.
     *
     * @throws IllegalArgumentException when k is not between 1 and the number of ranked features, or
     *                                  when a feature group would be left without features
     */
    public static Selection restrict(PipelineConfig config, List<FeatureKeep> ranking, int k) {
        Set<String> ranked = new LinkedHashSet<>();
        for (FeatureKeep keep : ranking) {
            ranked.add(keep.feature());
        }
        if (k < 1 || k > ranked.size()) {
            throw new IllegalArgumentException("top-k " + k + " must be between 1 and the " + ranked.size() + " ranked features");
        }
        List<String> order = List.copyOf(ranked);
        List<String> kept = order.subList(0, k);
        List<String> removed = order.subList(k, order.size());
        ModelConfig.Builder model = config.getModelConfig().toBuilder().clearVariationalDropout().clearFeatureGroups();
        List<FeatureGroup> groups = config.getModelConfig().getFeatureGroupsList();
        for (int g = 0; g < groups.size(); g++) {
            FeatureGroup group = groups.get(g);
            List<String> features = group.getFeaturesList().stream().filter(f -> !removed.contains(f)).toList();
            if (features.isEmpty()) {
                throw new IllegalArgumentException("model_config.feature_groups[" + g + "] ('" + group.getName() + "') would keep none of "
                        + group.getFeaturesList() + " with the top " + k + " features " + kept + "; raise the top-k");
            }
            model.addFeatureGroups(group.toBuilder().clearFeatures().addAllFeatures(features));
        }
        return new Selection(config.toBuilder().setModelConfig(model).build(), kept, removed);
    }
}

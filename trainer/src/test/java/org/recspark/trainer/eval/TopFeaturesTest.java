package org.recspark.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.model.FeatureGates.FeatureKeep;

/** The ranking files' round trip and the restriction of a config's feature groups to the top K. */
class TopFeaturesTest {
    private static final PipelineConfig CONFIG = ConfigParser.parseText("""
            model_config {
              feature_groups { name: "deep" features: ["a", "b", "c", "d"] }
              feature_groups { name: "also" features: ["c", "a"] }
              feature_groups { name: "wide" features: ["a", "w"] type: WIDE }
              lr {}
              variational_dropout { regularization_lambda: 0.1 }
            }
            """, "test");

    /** c is ranked by its best group (0.9 in "also"), before a. */
    private static final List<FeatureKeep> RANKING = List.of(new FeatureKeep("c", "also", 0.9), new FeatureKeep("a", "deep", 0.8),
            new FeatureKeep("a", "also", 0.7), new FeatureKeep("b", "deep", 0.4), new FeatureKeep("c", "deep", 0.3),
            new FeatureKeep("d", "deep", 0.1));

    @Test
    void rankingRoundTripsThroughItsCsv(@TempDir Path dir) throws Exception {
        Path csv = FeatureRankingFiles.write(dir, RANKING);
        assertEquals("1,c,also,0.900000", Files.readAllLines(csv).get(1));
        assertEquals(RANKING, TopFeatures.read(csv));
        assertTrue(Files.readString(dir.resolve(FeatureRankingFiles.JSON)).contains("\"keep_probability\": 0.9"));
        Files.writeString(csv, "feature,keep\nc,0.9\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TopFeatures.read(csv)).getMessage().contains("not a feature ranking"));
        Files.writeString(csv, FeatureRankingFiles.CSV_HEADER + "\n1,c,also,high\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TopFeatures.read(csv)).getMessage().contains("line 2"));
    }

    @Test
    void keepsTheTopKInEveryGroupAndTurnsTheGatesOff() {
        TopFeatures.Selection two = TopFeatures.restrict(CONFIG, RANKING, 2);
        assertEquals(List.of("c", "a"), two.kept());
        assertEquals(List.of("b", "d"), two.removed());
        var groups = two.config().getModelConfig().getFeatureGroupsList();
        assertEquals(List.of("a", "c"), groups.get(0).getFeaturesList(), "config order within a group");
        assertEquals(List.of("c", "a"), groups.get(1).getFeaturesList());
        assertEquals(List.of("a", "w"), groups.get(2).getFeaturesList(), "an unranked feature stays");
        assertFalse(two.config().getModelConfig().hasVariationalDropout());
        assertTrue(two.config().getModelConfig().hasLr());

        assertEquals(List.of("a", "b", "c", "d"), TopFeatures.restrict(CONFIG, RANKING, 4).config().getModelConfig().getFeatureGroups(0)
                .getFeaturesList());
        IllegalArgumentException emptied = assertThrows(IllegalArgumentException.class, () -> TopFeatures.restrict(
                CONFIG, List.of(new FeatureKeep("b", "deep", 0.9), new FeatureKeep("c", "deep", 0.5), new FeatureKeep("a", "deep", 0.1)), 1));
        assertTrue(emptied.getMessage().contains("model_config.feature_groups[1] ('also') would keep none of [c, a]"), emptied.getMessage());
        for (int k : new int[] {0, 5}) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> TopFeatures.restrict(CONFIG, RANKING, k)).getMessage()
                    .contains("between 1 and the 4 ranked features"));
        }
    }
}

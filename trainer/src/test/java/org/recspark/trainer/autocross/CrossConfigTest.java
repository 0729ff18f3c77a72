package org.recspark.trainer.autocross;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.trainer.plan.PipelinePlan;

class CrossConfigTest {
    private static final Path CONFIG = repoRoot().resolve("examples/trainer/movielens_deepfm.pbtxt");

    static Path repoRoot() {
        String root = System.getProperty("recspark.repo.root");
        return root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    }

    @Test
    void crossableFeaturesAreTheIdFeaturesOfTheModel() {
        // age is a bucketised raw feature, genres a tag, hist_items a sequence in no group
        assertEquals(List.of("user_id", "item_id", "gender", "occupation", "zip3"), CrossConfig.crossableFeatures(ConfigParser.parseFile(CONFIG)));
    }

    @Test
    void selectedCrossesBecomeComboFeaturesOfTheGroupAndTheConfigPlans() {
        PipelineConfig config = ConfigParser.parseFile(CONFIG);
        List<ScoredCross> crosses = List.of(new ScoredCross(List.of("gender", "occupation"), 42, 0.7, 0.01),
                new ScoredCross(List.of("gender", "occupation", "zip3"), 500_000, 0.71, 0.002));

        PipelineConfig crossed = CrossConfig.withCrosses(config, crosses, Optional.empty());

        Feature pair = feature(crossed, "gender_x_occupation");
        assertEquals(List.of("user.gender", "user.occupation"), pair.getCombo().getInputsList());
        assertEquals(1000, pair.getCombo().getHashBucketSize(), "4 x 42 is below the floor");
        assertEquals(16, pair.getEmbeddingDim());
        Feature triple = feature(crossed, "gender_x_occupation_x_zip3");
        assertEquals(List.of("user.gender", "user.occupation", "user.zip3"), triple.getCombo().getInputsList());
        assertEquals(1L << 20, triple.getCombo().getHashBucketSize(), "4 x 500000 is above the ceiling");
        assertTrue(crossed.getModelConfig().getFeatureGroups(0).getFeaturesList()
                .containsAll(List.of("gender_x_occupation", "gender_x_occupation_x_zip3")));
        PipelinePlan plan = PipelinePlan.compile(crossed, CONFIG.getParent());
        assertEquals(config.getFeatureConfig().getFeaturesCount() + 2, plan.schema().size());
    }

    @Test
    void aNameTakenAlreadyGetsASuffix() {
        PipelineConfig config = ConfigParser.parseFile(CONFIG);
        ScoredCross cross = new ScoredCross(List.of("gender", "zip3"), 10, 0.7, 0.01);
        PipelineConfig twice = CrossConfig.withCrosses(CrossConfig.withCrosses(config, List.of(cross), Optional.of("all")),
                List.of(cross), Optional.of("all"));

        feature(twice, "gender_x_zip3_2");
        PipelinePlan.compile(twice, CONFIG.getParent());
    }

    @Test
    void refusesFieldsThatAreNotIdFeaturesAndUnknownGroups() {
        PipelineConfig config = ConfigParser.parseFile(CONFIG);
        var age = new ScoredCross(List.of("age", "gender"), 10, 0.7, 0.01);
        var e = assertThrows(IllegalArgumentException.class, () -> CrossConfig.withCrosses(config, List.of(age), Optional.empty()));
        assertTrue(e.getMessage().contains("age is not an id feature"), e.getMessage());
        var ok = new ScoredCross(List.of("gender", "zip3"), 10, 0.7, 0.01);
        var g = assertThrows(IllegalArgumentException.class, () -> CrossConfig.withCrosses(config, List.of(ok), Optional.of("wide")));
        assertTrue(g.getMessage().contains("no feature group wide"), g.getMessage());
    }

    private static Feature feature(PipelineConfig config, String name) {
        return config.getFeatureConfig().getFeaturesList().stream().filter(f -> f.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no feature " + name));
    }
}

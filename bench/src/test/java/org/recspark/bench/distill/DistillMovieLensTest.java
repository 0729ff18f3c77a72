package org.recspark.bench.distill;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.recspark.bench.Median;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.Distillation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.trainer.plan.PipelinePlan;

/**
 * The configs the distillation benchmark trains plan without a problem: the example student with
 * each setting of the grid, the small DeepFM built from it, and the teacher with its best export.
 */
class DistillMovieLensTest {
    private static Path examples() {
        String root = System.getProperty("recspark.repo.root");
        Path checkout = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
        return checkout.resolve("examples/trainer");
    }

    @Test
    void everyConfigOfTheBenchmarkPlans() {
        Path dir = examples();
        PipelineConfig student = ConfigParser.load(dir.resolve("movielens_lr_distilled.pbtxt"));
        PipelineConfig small = DistillMovieLens.smallDeepFm(student);
        assertEquals("deepfm", PipelinePlan.compile(small, dir).modelType());
        for (PipelineConfig base : List.of(student, small)) {
            for (Distillation d : DistillMovieLens.grid()) {
                PipelineConfig config = base.toBuilder().setTrainConfig(base.getTrainConfig().toBuilder().clearDistillation().addDistillation(d)).build();
                assertDoesNotThrow(() -> PipelinePlan.compile(config, dir), DistillMovieLens.describe(Optional.of(d)));
            }
        }
        PipelineConfig teacher = DistillMovieLens.withBestExport(ConfigParser.load(dir.resolve("movielens_deepfm.pbtxt")));
        assertDoesNotThrow(() -> PipelinePlan.compile(teacher, dir));
    }

    @Test
    void medians() {
        assertEquals(2.0, Median.of(new double[]{3, 1, 2}));
        assertEquals(2.5, Median.of(new double[]{4, 1, 2, 3}));
    }
}

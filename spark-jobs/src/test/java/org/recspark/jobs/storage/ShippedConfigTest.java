package org.recspark.jobs.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.TextFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.proto.Feature;
import org.recspark.config.proto.PipelineConfig;

/** The config distributed training and search trials send to executors names nothing on the driver's disk by a relative path. */
class ShippedConfigTest {
    @Test
    void vocabulariesTravelInsideAndTheWarmStartBecomesAnAbsoluteUri(@TempDir Path configDir) throws Exception {
        Files.createDirectories(configDir.resolve("vocab"));
        Files.writeString(configDir.resolve("vocab/cities.txt"), "paris\nlyon\n");
        PipelineConfig config = TextFormat.parse("""
                feature_config { features { name: "city" id { input: "user.city" vocab_file: "vocab/cities.txt" } } }
                train_config { warm_start_from: "runs/2026-11-01/export/final" }
                """, PipelineConfig.class);

        PipelineConfig shipped = ShippedConfig.prepare(config, configDir);

        Feature city = shipped.getFeatureConfig().getFeatures(0);
        assertFalse(city.getId().hasVocabFile());
        assertEquals(List.of("paris", "lyon"), city.getId().getVocabListList());
        assertEquals(configDir.resolve("runs/2026-11-01/export/final").toUri().toString(), shipped.getTrainConfig().getWarmStartFrom());
    }
}

package org.recspark.jobs.storage;

import java.nio.file.Path;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.Vocabularies;
import org.recspark.storage.Locations;

/**
 * A pipeline config made independent of the driver's disk before it is sent to executors on other
 * hosts: vocabulary files are read into the config, and {@code warm_start_from} becomes an absolute
 * URI. Executors then need no file that only the driver can see.
 */
public final class ShippedConfig {
    private ShippedConfig() {
    }

    public static PipelineConfig prepare(PipelineConfig config, Path configDir) {
        PipelineConfig.Builder b = config.toBuilder();
        if (config.hasFeatureConfig()) {
            b.setFeatureConfig(Vocabularies.inline(config.getFeatureConfig(), configDir));
        }
        if (config.getTrainConfig().hasWarmStartFrom()) {
            b.getTrainConfigBuilder().setWarmStartFrom(
                    Locations.uri(Locations.resolve(configDir, config.getTrainConfig().getWarmStartFrom())));
        }
        return b.build();
    }
}

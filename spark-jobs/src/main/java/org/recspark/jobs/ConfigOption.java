package org.recspark.jobs;

import com.google.protobuf.Descriptors.FieldDescriptor;
import java.nio.file.Path;
import org.recspark.config.ConfigException;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.storage.Locations;
import org.recspark.trainer.plan.PipelinePlan;

/**
 * The {@code --config CONFIG} option of a command: the pipeline config file, its directory (which
 * relative locations in it are resolved against) and its strict loading, which validates the config
 * and confines its locations to {@code allowed_paths} ({@link ConfigParser#load}). Naming the file and
 * loading it are two steps so that a command reports its other usage errors before it reads the file.
 */
final class ConfigOption {
    static final String NAME = "config";

    private final Path file;

    private ConfigOption(Path file) {
        this.file = file;
    }

    /** The required {@code --config}; a usage error when it is missing. */
    static ConfigOption of(CommandLine cl) {
        return new ConfigOption(Locations.of(cl.required(NAME)));
    }

    Path file() {
        return file;
    }

    /** The directory relative locations in the config are resolved against. */
    Path baseDir() {
        return Locations.parentOf(file);
    }

    /** The parsed, validated config; a {@link org.recspark.config.ConfigException} names every problem. */
    PipelineConfig load() {
        return ConfigParser.load(file);
    }

    /**
     * The config, which must set every one of {@code sections} (top-level fields of PipelineConfig);
     * the first missing one is a usage error: {@code "<file> has no <section><why>"}.
     */
    PipelineConfig loadRequiring(String why, String... sections) {
        PipelineConfig config = load();
        for (String section : sections) {
            FieldDescriptor field = PipelineConfig.getDescriptor().findFieldByName(section);
            if (field == null) {
                throw new IllegalArgumentException("PipelineConfig has no section " + section);
            }
            if (!config.hasField(field)) {
                throw new UsageException(file + " has no " + section + why);
            }
        }
        return config;
    }

    /**
     * The config's pre-flight plan ({@link PipelinePlan}): {@link #loadRequiring} and then every check
     * training would make later, all problems named with the config file.
     */
    PipelinePlan planRequiring(String why, String... sections) {
        PipelineConfig config = loadRequiring(why, sections);
        try {
            return PipelinePlan.compile(config, baseDir());
        } catch (ConfigException e) {
            throw new ConfigException(file.toString(), e.violations());
        }
    }
}

package org.recspark.jobs.hpo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.hpo.trial.FeatureDataKey;
import org.recspark.jobs.samples.PartitionedOutputDirectory;
import org.recspark.jobs.samples.SampleBuildJob;
import org.recspark.storage.Locations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training samples each trial of a search reads, split into training, evaluation and test rows
 * as {@code input_config.split} says. Samples hold features already computed by the feature jar, so
 * the samples given to the search serve every trial whose feature config makes the same rows (the
 * base config's {@link FeatureDataKey}: only embedding settings may differ). A trial with another
 * feature config (a searched {@code hash_bucket_size}) gets samples built for it by the sample job
 * from the config's raw inputs, once, into {@code <search dir>/samples/<key>}; a restarted search
 * reuses them when their build had finished (the {@value #COMPLETE} marker, written after the job:
 * Spark's own {@code _SUCCESS} is not written under dynamic partition overwrite, and readers skip
 * files starting with "_"). Thread-safe.
 */
public final class TrialSamples {
    private static final Logger LOG = LoggerFactory.getLogger(TrialSamples.class);
    static final String COMPLETE = "_HPO_SAMPLES_COMPLETE";

    /** A trial's rows: the test rows are empty when no test split is configured. */
    public record Split(Dataset<Row> train, Dataset<Row> eval, Optional<Dataset<Row>> test) {}

    private final SparkSession spark;
    private final Path configDir;
    private final Path searchDir;
    private final Function<Dataset<Row>, Dataset<Row>[]> splitter;
    private final Map<FeatureDataKey, String> paths = new HashMap<>();
    private final Map<FeatureDataKey, Split> splits = new HashMap<>();

    /**
     * @param samples  the samples built with the base config's feature config
     * @param splitter training, evaluation and test (null when none) rows of a samples table
     */
    public TrialSamples(SparkSession spark, PipelineConfig base, Path configDir, String samples, Path searchDir,
                        Function<Dataset<Row>, Dataset<Row>[]> splitter) {
        this.spark = spark;
        this.configDir = configDir;
        this.searchDir = searchDir;
        this.splitter = splitter;
        paths.put(FeatureDataKey.of(base.getFeatureConfig()), samples);
    }

    /** Where the samples for this config's features are, building them first when needed. */
    public synchronized String pathFor(PipelineConfig config) {
        FeatureDataKey key = FeatureDataKey.of(config.getFeatureConfig());
        String known = paths.get(key);
        if (known != null) {
            return known;
        }
        Path out = searchDir.resolve("samples").resolve(key.digest()).toAbsolutePath();
        if (Files.isRegularFile(out.resolve(COMPLETE))) {
            LOG.info("Reusing the samples built earlier for feature config {} in {}", key.digest(), out);
        } else {
            LOG.info("Building samples for feature config {} (the trial changes features the given samples hold) into {}", key.digest(), out);
            String rejects = config.getInputConfig().getRejects().hasPath()
                    ? Locations.uri(Locations.resolve(configDir, config.getInputConfig().getRejects().getPath())) + "_" + key.digest()
                    : Locations.uri(out) + "_rejects";
            SampleBuildJob.Summary summary = new SampleBuildJob(spark, config, configDir).run(Locations.uri(out), rejects, Optional.empty());
            LOG.info("Built {} samples for feature config {} in {} s", summary.totalSamples(), key.digest(), Math.round(summary.seconds()));
            try {
                Files.writeString(out.resolve(COMPLETE), config.getFeatureConfig().toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot mark the samples in " + out + " complete", e);
            }
        }
        paths.put(key, Locations.uri(out));
        return out.toString();
    }

    /** The rows of the samples for this config's features. */
    public synchronized Split splitFor(PipelineConfig config) {
        FeatureDataKey key = FeatureDataKey.of(config.getFeatureConfig());
        Split split = splits.get(key);
        if (split == null) {
            Dataset<Row>[] parts = splitter.apply(PartitionedOutputDirectory.read(spark, pathFor(config)));
            split = new Split(parts[0], parts[1], Optional.ofNullable(parts[2]));
            splits.put(key, split);
        }
        return split;
    }
}

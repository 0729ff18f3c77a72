package org.recspark.jobs.hpo;

import java.nio.file.Path;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.hpo.trial.TrialData;
import org.recspark.jobs.training.SampleTableReader;

/**
 * A trial's rows for trials trained in this process: its samples read into memory through the
 * trial's feature schema. Wrapped in a {@code CachedTrialData}, each distinct feature config is read
 * once.
 */
public final class LocalSampleData {
    private LocalSampleData() {}

    public static TrialData read(TrialSamples samples, PipelineConfig config, Path configDir) {
        FeatureSchema schema = FeatureGenerator.compile(config.getFeatureConfig(), configDir).schema();
        TrialSamples.Split split = samples.splitFor(config);
        var input = config.getInputConfig();
        return new TrialData(SampleTableReader.read(split.train(), schema, input), SampleTableReader.read(split.eval(), schema, input),
                split.test().map(t -> SampleTableReader.read(t, schema, input)));
    }
}

package org.recspark.jobs.retrieval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.recspark.config.ConfigException;
import org.recspark.config.Violation;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.jobs.training.SamplesSchemaCheck;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.storage.Locations;
import org.recspark.trainer.plan.PipelinePlan;

/** An export bundle holding a two-tower model, and its embeddings of built samples. */
public final class TwoTowerBundle {
    private final ExportBundle.LoadedModel loaded;
    private final TwoTowerModel model;
    private final PipelinePlan plan;
    private final String location;
    private final String fingerprint;

    private TwoTowerBundle(ExportBundle.LoadedModel loaded, TwoTowerModel model, String location, String fingerprint) {
        this.loaded = loaded;
        this.model = model;
        this.location = location;
        this.fingerprint = fingerprint;
        this.plan = PipelinePlan.compile(loaded.config(), loaded.generator().schema());
    }

    /** Loads the bundle, refusing one whose model has no towers. */
    public static TwoTowerBundle load(String location) {
        ExportBundle bundle = ExportBundle.open(Locations.of(location));
        ExportBundle.LoadedModel loaded = bundle.load();
        if (!(loaded.model() instanceof TwoTowerModel model)) {
            throw new ConfigException(List.of(new Violation("model_config", location + " holds a " + bundle.manifest().getModelType()
                    + " model; retrieval needs a two-tower model (dssm, mf_bpr)")));
        }
        try {
            // The manifest lists every file's SHA-256 and is verified by open: its own SHA-256 identifies the whole bundle.
            return new TwoTowerBundle(loaded, model, location, ExportBundle.sha256(bundle.directory().resolve(ExportBundle.MANIFEST)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + location, e);
        }
    }

    /** Where the bundle was loaded from, as given. */
    public String location() {
        return location;
    }

    /** The SHA-256 of the bundle's manifest, which holds every file's SHA-256: equal for the same bundle wherever it is. */
    public String fingerprint() {
        return fingerprint;
    }

    public PipelineConfig config() {
        return loaded.config();
    }

    /** The label whose values > 0 mark an interaction (the model's task's). */
    public String label() {
        return model.tasks().get(0).label();
    }

    /** The tower's embedding of each distinct key of the samples, after checking they are samples of this bundle's features. */
    public KeyedEmbeddings embed(Dataset<Row> samples, String table, String keyColumn, String tower) {
        SamplesSchemaCheck.require(samples.schema(), plan.samples(), table);
        return KeyedEmbeddings.of(samples, table, keyColumn, loaded.config().getInputConfig(), loaded.generator().schema(), model, tower);
    }
}

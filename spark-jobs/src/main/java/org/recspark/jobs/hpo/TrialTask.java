package org.recspark.jobs.hpo;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.recspark.config.proto.Direction;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.config.proto.TrialStopping;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.hpo.Objective;
import org.recspark.hpo.trial.TrialData;
import org.recspark.hpo.trial.TrialJson;
import org.recspark.hpo.trial.TrialOutcome;
import org.recspark.hpo.trial.TrialRunner;
import org.recspark.hpo.trial.TrialSpec;
import org.recspark.jobs.storage.ShippedConfig;
import org.recspark.jobs.storage.ShippedStorage;
import org.recspark.jobs.training.SampleTableReader;
import org.recspark.storage.Locations;

/**
 * The Spark task of one trial: its partition holds all of the trial's sample rows, each marked
 * with its role (training, evaluation, test); the task collects them into memory, trains with
 * {@link TrialRunner} and returns the outcome as one JSON string. Everything it needs travels in its
 * fields as bytes and strings (the config, the earlier trials' curves), so the task does not depend
 * on driver-side objects.
 */
final class TrialTask implements MapPartitionsFunction<Row, String> {
    private static final long serialVersionUID = 1L;
    static final String ROLE = "_hpo_role";
    static final int TRAIN = 0;
    static final int EVAL = 1;
    static final int TEST = 2;

    private final int number;
    private final String params;
    private final byte[] config;
    private final String earlierCurves;
    private final String configDir;
    private final String runDir;
    private final ShippedStorage storage;
    private final int threads;
    private final String metric;
    private final String direction;
    private final String stopping;
    private final long baseEvaluationExamples;

    TrialTask(TrialSpec spec, TrialRunner runner, Path runDir, int threads) {
        this.number = spec.number();
        this.params = TrialJson.params(spec.params()).toString();
        this.config = ShippedConfig.prepare(spec.config(), runner.configDir()).toByteArray();
        this.earlierCurves = TrialJson.curves(spec.earlierCurves()).toString();
        this.configDir = Locations.uri(runner.configDir());
        this.runDir = Locations.uri(runDir);
        this.storage = ShippedStorage.fromDriver();
        this.threads = threads;
        this.metric = runner.objective().metric();
        this.direction = runner.objective().direction().name();
        this.stopping = runner.stopping().name();
        this.baseEvaluationExamples = runner.baseEvaluationExamples();
    }

    @Override
    public Iterator<String> call(Iterator<Row> rows) throws InvalidProtocolBufferException {
        PipelineConfig pipeline = PipelineConfig.parseFrom(config);
        TrialSpec spec = new TrialSpec(number, TrialJson.params(JsonParser.parseString(params).getAsJsonObject()), pipeline,
                TrialJson.curves(JsonParser.parseString(earlierCurves).getAsJsonArray()));
        storage.install();
        Path dir = Locations.of(configDir);
        TrialRunner runner = new TrialRunner(dir, threads, new Objective(metric, Direction.valueOf(direction)), TrialStopping.valueOf(stopping),
                baseEvaluationExamples);
        TrialOutcome outcome = runner.run(spec, () -> collect(rows, pipeline, dir), Locations.of(runDir));
        return List.of(TrialJson.outcome(outcome, new JsonObject()).toString()).iterator();
    }

    private static TrialData collect(Iterator<Row> rows, PipelineConfig config, Path configDir) {
        FeatureSchema schema = FeatureGenerator.compile(config.getFeatureConfig(), configDir).schema();
        SampleTableReader.Rows[] byRole = new SampleTableReader.Rows[3];
        for (int r = 0; r < byRole.length; r++) {
            byRole[r] = new SampleTableReader.Rows(schema, config.getInputConfig());
        }
        boolean[] seen = new boolean[3];
        while (rows.hasNext()) {
            Row row = rows.next();
            int role = row.getInt(row.fieldIndex(ROLE));
            byRole[role].add(row);
            seen[role] = true;
        }
        return new TrialData(byRole[TRAIN].build(), byRole[EVAL].build(), seen[TEST] ? Optional.of(byRole[TEST].build()) : Optional.empty());
    }
}

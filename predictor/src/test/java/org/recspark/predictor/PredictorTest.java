package org.recspark.predictor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureBatch;
import org.recspark.features.FeatureColumn;
import org.recspark.features.FeatureSpec;
import org.recspark.features.MapRecord;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.bundle.ExportException;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.ModelParameters;
import org.recspark.trainer.export.ModelExporter;
import org.recspark.trainer.model.SyntheticCtrData;
import org.recspark.trainer.model.ZooConfigs;
import org.recspark.trainer.model.ZooFixture;
import org.recspark.trainer.train.Trainer;

class PredictorTest {
    @TempDir
    static Path dir;
    private static Trainer deepFm;
    private static Trainer mmoe;
    private static Predictor deepFmPredictor;
    private static Predictor mmoePredictor;

    @BeforeAll
    static void trainAndExport() {
        deepFm = train(ZooConfigs.DEEPFM);
        mmoe = train(ZooConfigs.MMOE);
        deepFmPredictor = Predictor.load(export(ZooConfigs.DEEPFM, deepFm, "deepfm"));
        mmoePredictor = Predictor.load(export(ZooConfigs.MMOE, mmoe, "mmoe"));
    }

    private static PipelineConfig config(String model) {
        return ZooFixture.parse(model, ZooFixture.trainConfig(128, 1));
    }

    private static Trainer train(String model) {
        PipelineConfig config = config(model);
        ModelParameters params = new ModelParameters(config.getTrainConfig().getSeed());
        Model m = ModelFactory.create(new ModelContext(config, ZooFixture.data().generator().schema(), params));
        Trainer trainer = new Trainer(config.getTrainConfig(), m, params, 1);
        trainer.fit(ZooFixture.data().train(), null);
        return trainer;
    }

    private static Path export(String model, Trainer trainer, String name) {
        ModelExporter exporter = new ModelExporter(config(model), dir, ZooFixture.data().generator().schema(), trainer.model().tasks(),
                name);
        return exporter.export(trainer, dir.resolve(name), "final", Map.of());
    }

    /** A request of the synthetic data: one user, every test row's item of that user, one hour. */
    private record Request(int user, List<Integer> items, String hour) {}

    private static Request request() {
        SyntheticCtrData raw = ZooFixture.data().raw();
        int user = raw.testRows().get(0).user();
        List<Integer> items = new ArrayList<>();
        for (SyntheticCtrData.Row row : raw.testRows()) {
            if (row.user() == user) {
                items.add(row.item());
            }
        }
        for (int i = 0; items.size() < 25; i++) {
            items.add(i);
        }
        return new Request(user, items, "evening");
    }

    private static List<SyntheticCtrData.Row> rows(Request r) {
        return r.items().stream().map(i -> new SyntheticCtrData.Row(r.user(), i, r.hour(), false, false, 0)).toList();
    }

    private static Predictor.Scores predict(Predictor predictor, Request r) {
        SyntheticCtrData raw = ZooFixture.data().raw();
        List<MapRecord> items = r.items().stream().map(raw::item).toList();
        return predictor.predict(raw.user(r.user()), items, raw.context(r.hour()));
    }

    @Test
    void scoresEveryItemOfARequestAsTheTrainerScoresTheSameRows() {
        Request r = request();
        Examples rows = ZooFixture.data().raw().examples(ZooFixture.data().generator(), rows(r));
        float[] expected = deepFm.predict(rows, 512).get("click");
        float[] actual = predict(deepFmPredictor, r).scores();
        assertEquals(r.items().size(), actual.length);
        assertArrayEquals(expected, actual, 1e-6f);
    }

    @Test
    void userAndContextFeaturesAreComputedOncePerRequest() {
        SyntheticCtrData raw = ZooFixture.data().raw();
        Request r = request();
        FeatureBatch batch = deepFmPredictor.features(raw.user(r.user()), r.items().stream().map(raw::item).toList(), raw.context(r.hour()));
        for (FeatureSpec spec : deepFmPredictor.schema().features()) {
            FeatureColumn column = batch.column(spec.name());
            assertEquals(!spec.perItem(), column.isBroadcast(), spec.name());
        }
        assertTrue(deepFmPredictor.schema().features().stream().anyMatch(s -> !s.perItem()), "the fixture has request-side features");
    }

    @Test
    void aMultiTaskModelScoresEveryTask() {
        Request r = request();
        Examples rows = ZooFixture.data().raw().examples(ZooFixture.data().generator(), rows(r));
        Map<String, float[]> expected = mmoe.predict(rows, 512);
        Predictor.Scores scores = predict(mmoePredictor, r);
        assertEquals(List.of("ctr", "cvr"), mmoePredictor.tasks());
        assertArrayEquals(expected.get("ctr"), scores.task("ctr"), 1e-6f);
        assertArrayEquals(expected.get("cvr"), scores.task("cvr"), 1e-6f);
        assertThrows(IllegalStateException.class, scores::scores);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scores.task("ctcvr"));
        assertTrue(e.getMessage().contains("[ctr, cvr]"), e.getMessage());
    }

    @Test
    void concurrentRequestsGetTheSameScoresAsSequentialOnes() throws Exception {
        Request r = request();
        float[] expected = predict(deepFmPredictor, r).scores();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> futures = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                futures.add(pool.submit(() -> predict(deepFmPredictor, r).scores()));
            }
            for (Future<float[]> f : futures) {
                assertArrayEquals(expected, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anEmptyRequestScoresNothing() {
        SyntheticCtrData raw = ZooFixture.data().raw();
        assertEquals(0, deepFmPredictor.predict(raw.user(0), List.of(), raw.context("noon")).scores().length);
    }

    @Test
    void aDirectoryThatIsNotABundleIsRefused() {
        ExportException e = assertThrows(ExportException.class, () -> Predictor.load(dir.resolve("nothing")));
        assertTrue(e.getMessage().contains("is not an export bundle"), e.getMessage());
    }

    @Test
    void sparkIsNotOnThePredictorsClasspath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.spark.sql.SparkSession"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.hadoop.conf.Configuration"));
    }
}

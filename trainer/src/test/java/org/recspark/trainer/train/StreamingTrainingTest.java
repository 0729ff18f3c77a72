package org.recspark.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.bundle.CheckpointReader;
import org.recspark.model.data.Examples;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.recspark.trainer.data.CachedRowChunks;
import org.recspark.trainer.data.ExamplesChunks;
import org.recspark.trainer.data.InMemoryEvaluationData;
import org.recspark.trainer.data.PackedRowBatcher;
import org.recspark.trainer.data.RowLayout;
import org.recspark.trainer.data.StreamingEvaluationData;
import org.recspark.trainer.data.StreamingTrainingData;
import org.recspark.trainer.data.TrainingData;

/** The training loop on streamed rows: the same model as from memory, exact resume mid-epoch, exact scores. */
class StreamingTrainingTest {
    private static final String MODEL = """
            model_config {
              feature_groups { name: "all" features: ["user", "item", "tags", "price"] }
              deepfm { dnn { hidden_units: [16, 8] dropout: 0.2 } }
            }
            train_config {
              batch_size: 64
              num_epochs: 3
              max_steps: %d
              seed: 7
              shuffle: %s
              shuffle_buffer_rows: 100
              dense_optimizer { adam {} learning_rate { initial: 0.01 } }
              sparse_optimizer { adagrad {} learning_rate { initial: 0.02 } }
            }
            """;

    @TempDir
    Path dir;

    private static PipelineConfig config(long maxSteps, boolean shuffle) {
        return RandomExamples.config(MODEL.formatted(maxSteps, shuffle));
    }

    private static Trainer trainer(PipelineConfig config, int threads) {
        FeatureGenerator generator = FeatureGenerator.compile(config.getFeatureConfig(), Path.of("."));
        ModelParameters params = new ModelParameters(config.getTrainConfig().getSeed());
        Model model = ModelFactory.create(new ModelContext(config, generator.schema(), params));
        return new Trainer(config.getTrainConfig(), model, params, threads);
    }

    private static TrainingData stream(PipelineConfig config, Examples rows) {
        var train = config.getTrainConfig();
        return new StreamingTrainingData(ExamplesChunks.of(rows, 90), new PackedRowBatcher(new RowLayout(rows.schema(), List.of("click")), true),
                train.getSeed(), train.getShuffle(), train.getShuffleBufferRows(), 0);
    }

    @Test
    void unshuffledStreamedRowsTrainTheModelOfTheSameRowsInMemory() {
        PipelineConfig config = config(0, false);
        Examples rows = RandomExamples.generate(config, 700, 11);
        try (Trainer memory = trainer(config, 2); Trainer streamed = trainer(config, 2)) {
            memory.fit(rows, null);
            streamed.fit(stream(config, rows), null);
            assertEquals(memory.state().globalStep(), streamed.state().globalStep());
            assertSameWeights(memory.parameters(), streamed.parameters());
        }
    }

    @Test
    void cachedEpochsTrainTheModelOfStreamedEpochsFromRowsDecodedOnce() {
        PipelineConfig config = config(0, true);
        Examples rows = RandomExamples.generate(config, 700, 14);
        var train = config.getTrainConfig();
        ExamplesChunks source = ExamplesChunks.of(rows, 90);
        TrainingData cached = new StreamingTrainingData(new CachedRowChunks(source, 1L << 30, "test"),
                new PackedRowBatcher(new RowLayout(rows.schema(), List.of("click")), true), train.getSeed(), train.getShuffle(),
                train.getShuffleBufferRows(), 0);
        try (Trainer streamed = trainer(config, 1); Trainer fromCache = trainer(config, 1)) {
            streamed.fit(stream(config, rows), null);
            fromCache.fit(cached, null);
            assertEquals(3 * 11, fromCache.state().globalStep());
            assertSameWeights(streamed.parameters(), fromCache.parameters());
        }
        assertEquals(700, source.rowsRead(), "three epochs, each row decoded once");
    }

    @Test
    void aRunRestoredMidEpochContinuesWithTheBatchesOfTheStraightRun() {
        PipelineConfig straightConfig = config(25, true);
        Examples rows = RandomExamples.generate(straightConfig, 700, 12);
        try (Trainer straight = trainer(straightConfig, 1); Trainer first = trainer(config(15, true), 1);
             Trainer resumed = trainer(straightConfig, 1)) {
            straight.fit(stream(straightConfig, rows), null);
            // 11 batches an epoch: step 15 is batch 4 of epoch 1
            first.fit(stream(straightConfig, rows), null);
            assertEquals(4, first.state().batchInEpoch());
            Path checkpoint = new CheckpointWriter(dir, 1, "deepfm", straightConfig.toString(), "streaming-test").write(first);
            resumed.restore(CheckpointReader.open(checkpoint));
            resumed.fit(stream(straightConfig, rows), null);
            assertEquals(25, resumed.state().globalStep());
            assertSameWeights(straight.parameters(), resumed.parameters());
        }
    }

    @Test
    void streamedEvaluationRowsGetTheScoresOfTheRowsInMemory() {
        PipelineConfig config = config(0, true);
        Examples rows = RandomExamples.generate(config, 1000, 13);
        try (Trainer trainer = trainer(config, 2)) {
            trainer.fit(rows, null);
            StreamingEvaluationData streamed = new StreamingEvaluationData(ExamplesChunks.of(rows, 333),
                    new PackedRowBatcher(new RowLayout(rows.schema(), List.of("click")), true));
            Map<String, float[]> expected = trainer.predict(rows.slice(0, 900), 128);
            ScoredRows scored = trainer.score(streamed, 128, 900);
            assertEquals(900, scored.numRows());
            assertArrayEquals(expected.get("click"), scored.predictions().get("click"));
            assertArrayEquals(rows.slice(0, 900).label("click"), scored.labels().get("click"));
            ScoredRows fromMemory = Trainer.score(trainer.model(), new InMemoryEvaluationData(rows), 128);
            assertArrayEquals(Trainer.score(trainer.model(), streamed, 128).predictions().get("click"),
                    fromMemory.predictions().get("click"));
        }
    }

    private static void assertSameWeights(ModelParameters expected, ModelParameters actual) {
        for (Parameter p : expected.all()) {
            assertArrayEquals(p.value(), actual.parameter(p.name()).value(), "parameter " + p.name());
        }
        for (EmbeddingTable t : expected.tables()) {
            EmbeddingTable other = actual.tableNamed(t.name());
            assertEquals(t.size(), other.size(), "rows of " + t.name());
            float[] a = new float[t.dim()];
            float[] b = new float[t.dim()];
            for (long id : t.ids()) {
                t.read(id, a, 0);
                other.read(id, b, 0);
                assertArrayEquals(a, b, "row " + id + " of " + t.name());
            }
        }
    }
}

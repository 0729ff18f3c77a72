package org.recspark.trainer.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.AucAccumulator;
import org.recspark.evaluator.RankingMetric;
import org.recspark.features.FeatureGenerator;
import org.recspark.model.Model;
import org.recspark.model.ModelContext;
import org.recspark.model.ModelFactory;
import org.recspark.model.TaskSpec;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.data.Examples;
import org.recspark.model.nn.ModelParameters;
import org.recspark.trainer.data.InMemoryEvaluationData;
import org.recspark.trainer.retrieval.RetrievalCorpus;
import org.recspark.trainer.retrieval.RetrievalEvaluation;
import org.recspark.trainer.train.Trainer;
import org.recspark.trainer.train.TrainingListener;

/**
 * The synthetic data set through one shared feature config, and how the model tests turn a
 * text-format model_config into a trained model: parse, build with {@link ModelFactory}, train with
 * {@link Trainer}, predict and score. The data and its examples are built once per JVM.
 */
public final class ZooFixture {
    static final long DATA_SEED = 20240611L;
    static final int TRAIN_ROWS = 6000;
    static final int TEST_ROWS = 2000;
    static final long MODEL_SEED = 17L;

    /** Tables and label columns, so the configs also pass the pipeline validator. */
    public static final String INPUT_CONFIG = """
            name: "synthetic_ctr"
            input_config {
              samples {
                source { path: "synthetic/samples.csv" format: CSV }
                schema { name: "user_id" type: INT64 nullable: false }
                schema { name: "item_id" type: INT64 nullable: false }
                schema { name: "ts" type: INT64 nullable: false }
                schema { name: "hour" type: STRING }
                schema { name: "click" type: INT64 }
                schema { name: "conversion" type: INT64 }
              }
              users {
                source { path: "synthetic/users.csv" format: CSV }
                schema { name: "user_id" type: INT64 nullable: false }
                schema { name: "seq_items" type: STRING }
                schema { name: "seq_categories" type: STRING }
              }
              items {
                source { path: "synthetic/items.csv" format: CSV }
                schema { name: "item_id" type: INT64 nullable: false }
                schema { name: "category" type: STRING }
                schema { name: "quality" type: DOUBLE }
              }
              labels { name: "click" }
              labels { name: "conversion" }
            }
            """;

    /**
     * item_id and seq_items share the table "item_emb", category and seq_categories "category_emb"
     * (for DIN). category_own (a category without the shared table) and hour_dim4 (another embedding
     * dimension) exist for the config-error tests.
     */
    public static final String FEATURE_CONFIG = """
            feature_config {
              features { name: "user_id" id { input: "user.user_id" num_buckets: USERS } embedding_dim: 8 }
              features { name: "item_id" id { input: "item.item_id" num_buckets: ITEMS } embedding_dim: 8 shared_embedding: "item_emb" }
              features { name: "category" id { input: "item.category" vocab_list: CATEGORIES } embedding_dim: 8 shared_embedding: "category_emb" }
              features { name: "hour" id { input: "context.hour" vocab_list: ["morning", "noon", "evening", "night"] } embedding_dim: 8 }
              features { name: "quality" raw { input: "item.quality" } }
              features { name: "category_in_history" match { map_input: "user.seq_categories" key_input: "item.category" } }
              features { name: "seq_items" sequence { input: "user.seq_items" num_buckets: ITEMS max_length: 10 } embedding_dim: 8 shared_embedding: "item_emb" }
              features { name: "seq_categories" sequence { input: "user.seq_categories" vocab_list: CATEGORIES max_length: 10 } embedding_dim: 8 shared_embedding: "category_emb" }
              features { name: "category_own" id { input: "item.category" vocab_list: CATEGORIES } embedding_dim: 8 }
              features { name: "hour_dim4" id { input: "context.hour" vocab_list: ["morning", "noon", "evening", "night"] } embedding_dim: 4 }
            }
            """.replace("CATEGORIES", SyntheticCtrData.categoryVocab()).replace("USERS", "" + SyntheticCtrData.USERS).replace("ITEMS", "" + SyntheticCtrData.ITEMS);

    /** Adam on both parameter groups; the model tests train 4 epochs of 128 rows unless they say otherwise. */
    public static String trainConfig(int batchSize, int epochs) {
        return """
                train_config {
                  batch_size: %d
                  num_epochs: %d
                  seed: 11
                  dense_optimizer { adam {} learning_rate { initial: 0.01 } }
                  sparse_optimizer { adam {} learning_rate { initial: 0.01 } }
                  log_every_steps: 100000
                }
                """.formatted(batchSize, epochs);
    }

    static final String TRAIN_CONFIG = trainConfig(128, 4);

    /** The data through the feature jar, built once. */
    public record Data(SyntheticCtrData raw, FeatureGenerator generator, Examples train, Examples test) {}

    private static Data data;

    private ZooFixture() {
    }

    public static synchronized Data data() {
        if (data == null) {
            SyntheticCtrData raw = new SyntheticCtrData(DATA_SEED, TRAIN_ROWS, TEST_ROWS);
            FeatureGenerator generator = FeatureGenerator.compile(parse("").getFeatureConfig(), Path.of("."));
            data = new Data(raw, generator, raw.examples(generator, raw.trainRows()), raw.examples(generator, raw.testRows()));
        }
        return data;
    }

    /** The whole pipeline config of a model_config section (and optionally another train_config). */
    public static String pipelineText(String modelConfig, String trainConfig) {
        return INPUT_CONFIG + FEATURE_CONFIG + modelConfig + trainConfig;
    }

    static PipelineConfig parse(String modelConfig) {
        return parse(modelConfig, TRAIN_CONFIG);
    }

    public static PipelineConfig parse(String modelConfig, String trainConfig) {
        return ConfigParser.parseText(pipelineText(modelConfig, trainConfig), "synthetic.pbtxt");
    }

    /**
     * As {@link #parse(String, String)} with seq_items encoded in order by a self-attention encoder
     * (two heads, read out as {@code readout}: MOST_RECENT or MEAN) instead of mean-pooled; its ids,
     * and so the data, stay the same.
     */
    static PipelineConfig parseWithSelfAttentionHistory(String modelConfig, String trainConfig, String readout) {
        String pooled = "max_length: 10 } embedding_dim: 8 shared_embedding: \"item_emb\"";
        String text = pipelineText(modelConfig, trainConfig);
        if (!text.contains(pooled)) {
            throw new IllegalStateException("the fixture's seq_items feature changed");
        }
        return ConfigParser.parseText(text.replace(pooled,
                "max_length: 10 self_attention { num_heads: 2 ffn_dim: 16 pooling: " + readout + " } } embedding_dim: 8 shared_embedding: \"item_emb\""),
                "synthetic.pbtxt");
    }

    /** A model and the parameters it was built into. */
    record Built(Model model, ModelParameters parameters) {}

    static Built build(PipelineConfig config, long seed) {
        ModelParameters parameters = new ModelParameters(seed);
        Model model = ModelFactory.create(new ModelContext(config, data().generator().schema(), parameters));
        return new Built(model, parameters);
    }

    /** What a training run produced: test predictions per task, and the mean loss of each epoch. */
    record Run(Model model, ModelParameters parameters, Map<String, float[]> predictions, List<Double> epochLosses) {
        double firstEpochLoss() {
            return epochLosses.get(0);
        }

        double lastEpochLoss() {
            return epochLosses.get(epochLosses.size() - 1);
        }
    }

    static Run train(PipelineConfig config, int threads) {
        return train(config, threads, MODEL_SEED);
    }

    static Run train(PipelineConfig config, int threads, long seed) {
        return train(config, threads, seed, data().train(), data().test());
    }

    /** Trains on {@code train} and predicts {@code test}, rows of other data over the fixture's features. */
    static Run train(PipelineConfig config, int threads, long seed, Examples train, Examples test) {
        Built built = build(config, seed);
        List<Double> epochLosses = new ArrayList<>();
        try (Trainer trainer = new Trainer(config.getTrainConfig(), built.model(), built.parameters(), threads)) {
            trainer.fit(train, new TrainingListener() {
                private double sum;
                private int steps;

                @Override
                public boolean afterStep(Trainer t, double loss) {
                    sum += loss;
                    steps++;
                    return true;
                }

                @Override
                public boolean afterEpoch(Trainer t) {
                    epochLosses.add(sum / steps);
                    sum = 0;
                    steps = 0;
                    return true;
                }
            });
            Map<String, float[]> predictions = trainer.predict(test, 512);
            return new Run(built.model(), built.parameters(), predictions, epochLosses);
        }
    }

    /** AUC of predictions against a label of the test set. */
    public static double auc(float[] predictions, float[] labels) {
        AucAccumulator auc = new AucAccumulator();
        for (int i = 0; i < predictions.length; i++) {
            auc.add(predictions[i], labels[i]);
        }
        return auc.value();
    }

    /**
     * Recall@k of a two-tower model over the full item corpus: each test user's clicked test items
     * against every item, the items it clicked in training left out.
     */
    static double recall(TwoTowerModel model, int k) {
        return recall(model, k, data().train(), data().test());
    }

    /** {@link #recall(TwoTowerModel, int)} over other rows: {@code test}'s clicks found, {@code train}'s left out. */
    static double recall(TwoTowerModel model, int k, Examples train, Examples test) {
        RetrievalCorpus corpus = RetrievalCorpus.build(RetrievalCorpus.rows(new InMemoryEvaluationData(test)),
                List.of(RetrievalCorpus.rows(new InMemoryEvaluationData(train))), model.itemKeyFeature(), "click");
        RankingMetric recall = new RankingMetric(RankingMetric.Kind.RECALL, k);
        return new RetrievalEvaluation(corpus, List.of(recall), 1).evaluate(model).get(recall.name());
    }

    /** Test AUC per task, in the model's task order. */
    static Map<String, Double> taskAucs(Run run) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (TaskSpec task : run.model().tasks()) {
            out.put(task.name(), auc(run.predictions().get(task.name()), data().test().label(task.label())));
        }
        return out;
    }
}

package org.recspark.jobs;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.ConfigParser;
import org.recspark.config.proto.Metric;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.evaluator.ConfiguredMetrics;
import org.recspark.evaluator.RankingMetric;
import org.recspark.jobs.evaluation.DistributedEvaluation;
import org.recspark.jobs.prediction.Bundles;
import org.recspark.jobs.prediction.PredictionStage;
import org.recspark.jobs.samples.PartitionedOutputDirectory;
import org.recspark.jobs.training.ParquetSampleChunks;
import org.recspark.jobs.training.SamplePlanner;
import org.recspark.jobs.training.SampleSource;
import org.recspark.jobs.training.SampleSplit;
import org.recspark.jobs.training.SamplesSchemaCheck;
import org.recspark.model.TwoTowerModel;
import org.recspark.model.bundle.ExportBundle;
import org.recspark.predictor.Predictor;
import org.recspark.storage.Locations;
import org.recspark.trainer.data.Batches;
import org.recspark.trainer.data.EvaluationData;
import org.recspark.trainer.plan.PipelinePlan;
import org.recspark.trainer.retrieval.RetrievalCorpus;
import org.recspark.trainer.retrieval.RetrievalEvaluation;

/**
 * {@code recspark evaluate --bundle DIR [--predictions PATH] [--samples PATH] [--config CONFIG]}:
 * the metrics of the config's eval_config (the bundle's own by default). Point-wise metrics come
 * from a batch prediction's output (from {@code predict}), computed exactly on Spark. Ranking
 * metrics (recall@K and friends, two-tower bundles) rank the full item corpus of the samples table
 * the bundle was trained on, split by the config's input_config.split as {@code train} splits it:
 * the test rows' positives are relevant (the evaluation rows' without a test split) and the
 * earlier splits' positives are excluded, so the values equal the test metrics {@code train}
 * reports for that bundle.
 */
final class EvaluateCommand extends OptionCommand {
    EvaluateCommand(PrintStream out) {
        super("evaluate",
                "Spark job: the eval_config metrics of predict's output, exact, and a two-tower bundle's ranking metrics over its samples",
                out, Set.of("bundle", "predictions", "samples", "threads", ConfigOption.NAME, SplitOption.NAME), Set.of());
    }

    @Override
    String usage() {
        return "usage: recspark evaluate --bundle DIR [--predictions PATH] [--samples PATH] [--threads N] [--config CONFIG]\n"
                + "                         [--split train|eval|test|all]\n"
                + "  PATH of --predictions is the output of predict (score and label columns), needed for point-wise metrics (auc ...);\n"
                + "  --split computes them on the rows of that part of input_config.split only (PATH from predict --split);\n"
                + "  all (the default) on every row of PATH.\n"
                + "  PATH of --samples is the output of build-samples the bundle was trained on, needed for ranking metrics\n"
                + "  (recall@K, ndcg@K, hit_rate@K, mrr@K of a two-tower model): its test split's users rank the full item\n"
                + "  corpus, their training and evaluation items excluded. CONFIG's eval_config names the metrics\n"
                + "  (default: the bundle's config); N (default runtime_config.threads_per_worker) ranks user blocks at once.";
    }

    @Override
    int run(CommandLine cl) {
        Predictor predictor = Bundles.predictor(cl.required("bundle"));
        PipelineConfig config = cl.optional(ConfigOption.NAME).map(c -> ConfigParser.load(Locations.of(c))).orElse(predictor.config());
        SplitOption split = SplitOption.of(cl, config.getInputConfig());
        List<String> tasks = predictor.tasks();
        ConfiguredMetrics configured = new ConfiguredMetrics(config.getEvalConfig().getMetricsList(), tasks,
                config.getInputConfig().getUserIdField());
        List<RankingMetric> ranking = configured.rankingMetrics();
        List<Metric> pointWise = config.getEvalConfig().getMetricsList().stream().filter(m -> RankingMetric.of(m).isEmpty()).toList();
        if (!pointWise.isEmpty() && cl.optional("predictions").isEmpty()) {
            throw new UsageException("eval_config has point-wise metrics " + pointWise.stream().map(m -> m.getKindCase().name()
                    .toLowerCase(Locale.ROOT)).toList() + ": pass --predictions PATH (the output of predict)");
        }
        if (!ranking.isEmpty() && cl.optional("samples").isEmpty()) {
            throw new UsageException("eval_config has ranking metrics " + ranking.stream().map(RankingMetric::name).toList()
                    + ": pass --samples PATH (the built samples the bundle was trained on) to rank its item corpus");
        }
        if (pointWise.isEmpty()) {
            cl.optional("predictions").ifPresent(p -> {
                throw new UsageException("--predictions is for point-wise metrics; eval_config has none");
            });
        }
        if (ranking.isEmpty()) {
            cl.optional("samples").ifPresent(p -> {
                throw new UsageException("--samples is for ranking metrics (recall_at_k ...); eval_config has none");
            });
        }
        if (!pointWise.isEmpty()) {
            evaluatePointWise(cl.required("predictions"), split, predictor, config, pointWise, tasks);
        }
        if (!ranking.isEmpty()) {
            int threads = cl.positiveInt("threads", config.getRuntimeConfig().getThreadsPerWorker());
            evaluateRanking(cl.required("bundle"), cl.required("samples"), config, ranking, threads);
        }
        return 0;
    }

    private void evaluatePointWise(String predictions, SplitOption split, Predictor predictor, PipelineConfig config, List<Metric> metrics,
            List<String> tasks) {
        DistributedEvaluation evaluation = new DistributedEvaluation(metrics, tasks, config.getInputConfig().getUserIdField());
        Dataset<Row> scored = split.selectScored(PartitionedOutputDirectory.read(sparkSession("", List.of()), predictions), predictions);
        List<DistributedEvaluation.TaskColumns> columns = tasks.stream()
                .map(t -> new DistributedEvaluation.TaskColumns(t, PredictionStage.scoreColumn(tasks, t), predictor.label(t))).toList();
        long rows = scored.count();
        if (rows == 0 && split != SplitOption.ALL) {
            throw new UsageException("--split " + split.value() + ": the predictions at " + predictions + " hold no rows of the "
                    + split.value() + " split; score them with predict --split " + split.value());
        }
        Map<String, Double> values = JobDescriptions.run(scored.sparkSession(), "metrics", () -> evaluation.compute(scored, columns));
        out.printf(Locale.ROOT, "evaluate: %d rows%s: %s%n", rows, split == SplitOption.ALL ? "" : " of the " + split.value() + " split",
                format(values));
    }

    /** The bundle's model ranks the corpus of the samples' splits, as {@code train} reports it on the test rows. */
    private void evaluateRanking(String bundle, String samplesPath, PipelineConfig config, List<RankingMetric> metrics, int threads) {
        ExportBundle opened = ExportBundle.open(Locations.of(bundle));
        ExportBundle.LoadedModel loaded = opened.load();
        if (!(loaded.model() instanceof TwoTowerModel model)) {
            throw new UsageException("ranking metrics " + metrics.stream().map(RankingMetric::name).toList()
                    + " need a two-tower bundle (dssm, mf_bpr); " + bundle + " holds a " + opened.manifest().getModelType() + " model");
        }
        if (model.itemKeyFeature() < 0) {
            throw new UsageException("ranking metrics need a sparse feature identifying the item in the item tower's group; the bundle's "
                    + "item group has none");
        }
        PipelinePlan plan = PipelinePlan.compile(config, loaded.generator().schema());
        BuiltSamplesSplit.require(config.getInputConfig(), "ranking metrics need");
        SparkSession spark = sparkSession(config.getName(), List.of());
        Dataset<Row> samples = PartitionedOutputDirectory.read(spark, samplesPath);
        SamplesSchemaCheck.require(samples.schema(), plan.samples(), samplesPath);
        List<SampleSource> split = SamplePlanner.plan(spark, SampleSplit.parts(samples, config.getInputConfig()));
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        var schema = loaded.generator().schema();
        List<Supplier<Batches>> seen = new ArrayList<>();
        seen.add(RetrievalCorpus.rows(ParquetSampleChunks.training(split.get(0), conf, schema, config, 0)));
        EvaluationData eval = ParquetSampleChunks.evaluation(split.get(1), conf, schema, config.getInputConfig());
        Optional<EvaluationData> test = Optional.ofNullable(split.get(2))
                .map(t -> ParquetSampleChunks.evaluation(t, conf, schema, config.getInputConfig()));
        EvaluationData queries = test.orElse(eval);
        if (test.isPresent()) {
            seen.add(RetrievalCorpus.rows(eval));
        }
        RetrievalCorpus corpus = RetrievalCorpus.build(RetrievalCorpus.rows(queries), seen, model.itemKeyFeature(),
                model.tasks().get(0).label());
        Map<String, Double> values = new RetrievalEvaluation(corpus, metrics, threads).evaluate(model);
        out.printf(Locale.ROOT, "evaluate: ranking over %d items for %d users of the %s split (%d relevant, %d training items excluded): %s%n",
                corpus.numItems(), corpus.numUsers(), test.isPresent() ? "test" : "eval", corpus.relevantPairs(), corpus.excludedPairs(),
                format(values));
    }

    private static String format(Map<String, Double> metrics) {
        StringBuilder sb = new StringBuilder();
        metrics.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ').append(String.format(Locale.ROOT, "%.6f", v)));
        return sb.toString();
    }
}

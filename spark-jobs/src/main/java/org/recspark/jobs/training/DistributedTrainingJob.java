package org.recspark.jobs.training;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.jobs.JobDescriptions;
import org.recspark.jobs.storage.ShippedConfig;
import org.recspark.jobs.storage.ShippedStorage;
import org.recspark.model.nn.ModelParameters;
import org.recspark.storage.Locations;
import org.recspark.trainer.data.EvaluationData;
import org.recspark.trainer.distributed.CollectiveSettings;
import org.recspark.trainer.distributed.CollectiveWorkerGroup;
import org.recspark.trainer.distributed.RingCollective;
import org.recspark.trainer.distributed.RingListener;
import org.recspark.trainer.distributed.RingMember;
import org.recspark.trainer.distributed.RingSecret;
import org.recspark.trainer.eval.RunDirectory;
import org.recspark.trainer.eval.TrainingProgress;
import org.recspark.trainer.eval.TrainingRun;
import org.recspark.trainer.plan.PipelinePlan;
import org.recspark.trainer.train.ForwardingWorkerGroup;
import org.recspark.trainer.train.WorkerGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Data-parallel training on Spark: the training split's Parquet row groups are spread over N
 * workers with balanced row counts ({@link SampleSource#assign}), and one barrier task per worker
 * streams its share from the files with the driver's Hadoop configuration and runs a
 * {@link TrainingRun} with the other tasks as its {@link WorkerGroup}; worker 0 also streams the
 * held-out rows, and evaluates, checkpoints and exports. Every worker's row count is known on the
 * driver before training starts (from the plan), so every worker agrees on the steps of an epoch.
 * The barrier context is the control plane only: each task opens its listening
 * socket first, then publishes its address and row count with {@code allGather}; gradients flow
 * over the tasks' own TCP ring ({@link RingCollective}), whose handshake proves a secret the driver
 * creates for this run and names the stage attempt, so no outsider joins and a retried stage never
 * talks to a stale peer.
 *
 * <p>Failure: any task's exception fails the barrier stage, and Spark restarts all its tasks. The
 * tasks' output goes through a shuffle ({@code repartition(1)}), which makes the barrier stage a
 * shuffle-map stage that Spark retries, where a failed barrier result stage would abort the job.
 *
 * <p>Resuming: the driver prepares the run directory before the stage ({@link RunDirectory#prepare}:
 * resume the directory's run, start a fresh one, or refuse), and every attempt resumes from the
 * newest complete checkpoint of that run: worker 0 picks it (after removing a failed attempt's
 * partial writes) and hands its path to the others through the barrier, so every worker loads
 * the same checkpoint. Worker 0 writes the checkpoints, so {@code model_dir} must be a path
 * every executor sees: a Hadoop URI (hdfs://, s3a://) or a shared mount. The config travels
 * with its vocabularies inlined ({@link ShippedConfig}) and the driver's Hadoop configuration with
 * the task ({@link ShippedStorage}), so executors need nothing from the driver's disk.
 *
 * <p>Progress: worker 0's step, samples/s, evaluations and ETA reach the driver's log with the
 * executors' heartbeats ({@link DriverProgress}).
 */
public final class DistributedTrainingJob {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedTrainingJob.class);
    /** Test hook: the last worker of the first attempt fails at this step (a killed task). */
    public static final String FAIL_AT_STEP = "spark.recspark.test.failAtStep";
    /**
     * Whether each embedding row is summed and updated by its owner worker alone (the default), or by every worker
     * (same bits): for comparing the two on one build, and for turning the sharded update off where it does not pay.
     */
    public static final String SHARD_EMBEDDING_ROWS = "spark.recspark.collective.shardEmbeddingRows";

    private final SparkSession spark;
    private final PipelineConfig config;
    private final Path baseDir;
    private final Path runDir;
    private final int workers;
    private final int threads;
    private Consumer<TrainingProgress> progressObserver = p -> { };
    private boolean overwrite;

    public DistributedTrainingJob(SparkSession spark, PipelineConfig config, Path baseDir, Path runDir, int workers, int threads) {
        if (workers < 2) {
            throw new IllegalArgumentException("distributed training needs at least 2 workers, got " + workers);
        }
        this.spark = spark;
        this.config = config;
        this.baseDir = baseDir;
        this.runDir = runDir;
        this.workers = workers;
        this.threads = threads;
    }

    /** Lets a caller see every progress snapshot of worker 0 that reaches the driver ({@link DriverProgress}). */
    public DistributedTrainingJob observingProgress(Consumer<TrainingProgress> observer) {
        this.progressObserver = observer;
        return this;
    }

    /** Starts a fresh run even when the run directory holds one ({@link TrainingRun#overwriting}). */
    public DistributedTrainingJob overwriting(boolean overwriteEarlierRun) {
        this.overwrite = overwriteEarlierRun;
        return this;
    }

    /** Trains and returns worker 0's summary.json; the driver logs worker 0's progress meanwhile. */
    public String run(SampleSource train, SampleSource eval, Optional<SampleSource> test) {
        if (spark.conf().get("spark.dynamicAllocation.enabled", "false").equals("true")) {
            throw new IllegalStateException("barrier-mode training needs spark.dynamicAllocation.enabled=false (its tasks must all run at once)");
        }
        int taskCpus = Integer.parseInt(spark.conf().get("spark.task.cpus", "1"));
        int taskThreads = threads;
        if (threads > taskCpus) {
            LOG.warn("{} training threads per worker but spark.task.cpus is {}: using {} threads (raise spark.task.cpus for more)",
                    threads, taskCpus, taskCpus);
            taskThreads = taskCpus;
        }
        if (eval.numRows() == 0) {
            throw new IllegalArgumentException("the evaluation split is empty: check input_config.split");
        }
        // A config the trainer refuses fails here, on the driver, and not in every barrier task.
        PipelinePlan.compile(config, baseDir);
        RunDirectory.RunStart start = RunDirectory.prepare(runDir, config, overwrite);
        List<SampleSource> shares = train.assign(workers);
        long[] partitionRows = shares.stream().mapToLong(SampleSource::numRows).toArray();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SerializableConfiguration> conf = jsc.broadcast(new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        LOG.info("Barrier-mode training: {} workers x {} threads, training rows per worker {}, run directory {}", workers, taskThreads,
                java.util.Arrays.toString(partitionRows), runDir);
        try (DriverProgress progress = DriverProgress.follow(spark.sparkContext(), progressObserver)) {
            // The ring's secret reaches the executors in the task closure, over Spark's RPC: encrypted only where the
            // cluster sets spark.authenticate and spark.network.crypto.enabled. It is never logged.
            TrainTask task = new TrainTask(ShippedConfig.prepare(config, baseDir).toByteArray(), RingSecret.generate(), Locations.uri(baseDir),
                    Locations.uri(runDir), start.runId(), ShippedStorage.fromDriver(), taskThreads,
                    Long.parseLong(spark.conf().get(FAIL_AT_STEP, "0")),
                    Duration.ofSeconds(Long.parseLong(spark.conf().get("spark.recspark.collective.timeoutSeconds", "120"))),
                    Boolean.parseBoolean(spark.conf().get(SHARD_EMBEDDING_ROWS, "true")),
                    shares, partitionRows, eval, test.orElse(null), conf, progress.accumulator());
            // one element per worker: the barrier stage's tasks read their rows themselves
            RDD<Integer> ranks = jsc.parallelize(IntStream.range(0, workers).boxed().toList(), workers).rdd();
            RDD<String> results = ranks.barrier().mapPartitions(task, false, ClassTag$.MODULE$.apply(String.class));
            List<String> summaries = JobDescriptions.run(spark, "barrier training (" + workers + " workers)",
                    () -> results.toJavaRDD().repartition(1).collect()).stream().filter(s -> !s.isEmpty()).toList();
            if (summaries.size() != 1) {
                throw new IllegalStateException("expected worker 0's summary, got " + summaries.size());
            }
            return summaries.get(0);
        } finally {
            conf.destroy();
        }
    }

    /** One worker: its rank in, worker 0's summary out (the others give an empty string). */
    private static final class TrainTask extends AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<String>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final byte[] config;
        private final RingSecret ringSecret;
        private final String baseDir;
        private final String runDir;
        private final String runId;
        private final ShippedStorage storage;
        private final int threads;
        private final long failAtStep;
        private final Duration timeout;
        private final boolean shardEmbeddingRows;
        private final List<SampleSource> shares;
        private final long[] partitionRows;
        private final SampleSource eval;
        private final SampleSource test;
        private final Broadcast<SerializableConfiguration> conf;
        private final TrainingProgressAccumulator progress;

        /**
         * @param test the test rows, or null
         */
        TrainTask(byte[] config, RingSecret ringSecret, String baseDir, String runDir, String runId, ShippedStorage storage, int threads,
                  long failAtStep, Duration timeout, boolean shardEmbeddingRows,
                  List<SampleSource> shares, long[] partitionRows, SampleSource eval, SampleSource test,
                  Broadcast<SerializableConfiguration> conf, TrainingProgressAccumulator progress) {
            this.config = config;
            this.ringSecret = ringSecret;
            this.baseDir = baseDir;
            this.runDir = runDir;
            this.runId = runId;
            this.storage = storage;
            this.threads = threads;
            this.failAtStep = failAtStep;
            this.timeout = timeout;
            this.shardEmbeddingRows = shardEmbeddingRows;
            this.shares = shares;
            this.partitionRows = partitionRows;
            this.eval = eval;
            this.test = test;
            this.conf = conf;
            this.progress = progress;
        }

        @Override
        public scala.collection.Iterator<String> apply(scala.collection.Iterator<Integer> ignored) {
            BarrierTaskContext context = BarrierTaskContext.get();
            int rank = context.partitionId();
            int size = context.getTaskInfos().length;
            PipelineConfig pipeline;
            try {
                pipeline = PipelineConfig.parseFrom(config);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException("the driver sent a corrupt config", e);
            }
            storage.install();
            Path base = Locations.of(baseDir);
            FeatureSchema schema = FeatureGenerator.compile(pipeline.getFeatureConfig(), base).schema();
            var hadoop = conf.value().value();
            var input = pipeline.getInputConfig();
            var train = ParquetSampleChunks.training(shares.get(rank), hadoop, schema, pipeline, rank);
            EvaluationData evalRows = ParquetSampleChunks.evaluation(eval, hadoop, schema, input);
            Optional<EvaluationData> testRows = Optional.ofNullable(test).map(t -> ParquetSampleChunks.evaluation(t, hadoop, schema, input));
            String host = context.getTaskInfos()[rank].address();
            host = host.substring(0, host.lastIndexOf(':'));
            RingListener listener;
            try {
                listener = RingListener.open(InetAddress.getByName(host));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException("worker " + rank + ": cannot resolve its executor host " + host, e);
            }
            try {
                List<String> addresses = new ArrayList<>(List.of(context.allGather(listener.address())));
                String session = "stage-" + context.stageId() + "-attempt-" + context.stageAttemptNumber();
                RingMember member = new RingMember(session, ringSecret, rank, size);
                try (RingCollective ring = listener.join(member, addresses, CollectiveSettings.defaults().withTimeout(timeout));
                        CollectiveWorkerGroup collective = new CollectiveWorkerGroup(ring, partitionRows, true, shardEmbeddingRows)) {
                    WorkerGroup group = collective;
                    if (failAtStep > 0 && rank == size - 1 && context.stageAttemptNumber() == 0) {
                        group = new FailingAt(group, failAtStep);
                    }
                    LOG.info("Worker {} of {} ({}): {} training rows in {} row groups; ring {}", rank, size, session, train.numRows(),
                            shares.get(rank).rowGroups().size(), addresses);
                    Optional<TrainingRun.Summary> summary = new TrainingRun(pipeline, base, schema, Locations.of(runDir), threads)
                            .reportingProgressTo(progress::add)
                            .run(train, evalRows, testRows, group, new RunDirectory.RunStart(runId, resumeFrom(context, rank)));
                    String out = summary.map(s -> read(s.summaryFile())).orElse("");
                    return CollectionConverters.asScala(List.of(out).iterator());
                }
            } finally {
                listener.close();
            }
        }

        /**
         * The checkpoint every worker resumes from: worker 0 removes what a failed attempt left
         * half-written and picks the run's newest complete checkpoint (none at a fresh start), and
         * the barrier hands its choice to the others.
         */
        private Optional<Path> resumeFrom(BarrierTaskContext context, int rank) {
            String choice = "";
            if (rank == 0) {
                Path dir = Locations.of(runDir);
                if (context.stageAttemptNumber() > 0) {
                    RunDirectory.removeLeftovers(dir);
                }
                choice = RunDirectory.latestCheckpoint(dir, runId).map(Locations::uri).orElse("");
            }
            String chosen = context.allGather(choice)[0];
            return chosen.isEmpty() ? Optional.empty() : Optional.of(Locations.of(chosen));
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A worker that dies at a given step, as a killed executor would (the kill test). */
    private static final class FailingAt extends ForwardingWorkerGroup {
        private final long failAt;
        private long steps;

        FailingAt(WorkerGroup delegate, long failAt) {
            super(delegate);
            this.failAt = failAt;
        }

        @Override
        public StepExchange startStep(ModelParameters params) {
            if (++steps == failAt) {
                throw new IllegalStateException("injected failure of worker " + rank() + " at step " + steps + " (" + FAIL_AT_STEP + ")");
            }
            return super.startStep(params);
        }
    }
}

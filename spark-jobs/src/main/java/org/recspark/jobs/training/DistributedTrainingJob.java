package org.recspark.jobs.training;

import static org.apache.spark.sql.functions.lit;

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
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.recspark.config.proto.PipelineConfig;
import org.recspark.features.FeatureGenerator;
import org.recspark.features.FeatureSchema;
import org.recspark.jobs.JobDescriptions;
import org.recspark.jobs.storage.ShippedConfig;
import org.recspark.jobs.storage.ShippedStorage;
import org.recspark.storage.Locations;
import org.recspark.trainer.distributed.CollectiveSettings;
import org.recspark.trainer.distributed.CollectiveWorkerGroup;
import org.recspark.trainer.distributed.RingCollective;
import org.recspark.trainer.distributed.RingListener;
import org.recspark.trainer.distributed.RingMember;
import org.recspark.trainer.eval.TrainingProgress;
import org.recspark.trainer.eval.TrainingRun;
import org.recspark.trainer.nn.Gradients;
import org.recspark.trainer.nn.ModelParameters;
import org.recspark.trainer.train.WorkerGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Data-parallel training on Spark: the training rows are spread evenly over N partitions (the
 * held-out rows go to partition 0, whose worker evaluates, checkpoints and exports), and one
 * barrier task per partition runs a {@link TrainingRun} with the other tasks as its
 * {@link WorkerGroup}. The barrier context is the control plane only: each task opens its listening
 * socket first, then publishes its address and row count with {@code allGather}; gradients flow
 * over the tasks' own TCP ring ({@link RingCollective}), whose handshake names the stage attempt so a
 * retried stage never talks to a stale peer.
 *
 * <p>Failure: any task's exception fails the barrier stage, and Spark restarts all its tasks. The
 * tasks' output goes through a shuffle ({@code repartition(1)}), which makes the barrier stage a
 * shuffle-map stage that Spark retries, where a failed barrier result stage would abort the job. A
 * retried attempt resumes from worker 0's latest checkpoint, so {@code model_dir} must be a path
 * every executor sees: a Hadoop URI (hdfs://, s3a://) or a shared mount. The config travels
 * with its vocabularies inlined ({@link ShippedConfig}) and the driver's Hadoop configuration with
 * the task ({@link ShippedStorage}), so executors need nothing from the driver's disk.
 *
 * <p>Progress: worker 0's step, samples/s, evaluations and ETA reach the driver's log with the
 * executors' heartbeats ({@link DriverProgress}).
 */
public final class DistributedTrainingJob {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedTrainingJob.class);
    static final String ROLE = "_role";
    static final int TRAIN = 0;
    static final int EVAL = 1;
    static final int TEST = 2;
    /** Test hook: the last worker of the first attempt fails at this step (a killed task). */
    public static final String FAIL_AT_STEP = "spark.recspark.test.failAtStep";

    private final SparkSession spark;
    private final PipelineConfig config;
    private final Path baseDir;
    private final Path runDir;
    private final int workers;
    private final int threads;
    private Consumer<TrainingProgress> progressObserver = p -> { };

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

    /** Trains and returns worker 0's summary.json; the driver logs worker 0's progress meanwhile. */
    public String run(Dataset<Row> train, Dataset<Row> eval, Optional<Dataset<Row>> test) {
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
        var input = config.getInputConfig();
        if (JobDescriptions.run(spark, "check the evaluation split", () -> eval.isEmpty())) {
            throw new IllegalArgumentException("the evaluation split is empty: check input_config.split");
        }
        Dataset<Row> heldOut = SampleTableReader.select(eval, input).withColumn(ROLE, lit(EVAL));
        if (test.isPresent()) {
            heldOut = heldOut.unionByName(SampleTableReader.select(test.get(), input).withColumn(ROLE, lit(TEST)));
        }
        int n = workers;
        JavaPairRDD<Integer, Row> trainRows = SampleTableReader.select(train, input).withColumn(ROLE, lit(TRAIN)).javaRDD()
                .zipWithIndex().mapToPair(t -> new Tuple2<>((int) (t._2() % n), t._1()));
        JavaPairRDD<Integer, Row> heldOutRows = heldOut.javaRDD().mapToPair(r -> new Tuple2<>(0, r));
        JavaRDD<Row> placed = trainRows.union(heldOutRows).partitionBy(new RankPartitioner(workers)).values();
        List<String> summaries;
        try (DriverProgress progress = DriverProgress.follow(spark.sparkContext(), progressObserver)) {
            TrainTask task = new TrainTask(ShippedConfig.prepare(config, baseDir).toByteArray(), Locations.uri(baseDir),
                    Locations.uri(runDir), ShippedStorage.fromDriver(), taskThreads,
                    Long.parseLong(spark.conf().get(FAIL_AT_STEP, "0")),
                    Duration.ofSeconds(Long.parseLong(spark.conf().get("spark.recspark.collective.timeoutSeconds", "120"))),
                    progress.accumulator());
            LOG.info("Barrier-mode training: {} workers x {} threads, run directory {}", workers, taskThreads, runDir);
            RDD<String> results = placed.rdd().barrier().mapPartitions(task, false, ClassTag$.MODULE$.apply(String.class));
            summaries = JobDescriptions.run(spark, "barrier training (" + workers + " workers)", () -> results.toJavaRDD().repartition(1).collect())
                    .stream().filter(s -> !s.isEmpty()).toList();
        }
        if (summaries.size() != 1) {
            throw new IllegalStateException("expected worker 0's summary, got " + summaries.size());
        }
        return summaries.get(0);
    }

    /** Partition i gets the rows keyed i. */
    private static final class RankPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;

        RankPartitioner(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }
    }

    /** One worker: its rows in, worker 0's summary out (the others give an empty string). */
    private static final class TrainTask extends AbstractFunction1<scala.collection.Iterator<Row>, scala.collection.Iterator<String>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final byte[] config;
        private final String baseDir;
        private final String runDir;
        private final ShippedStorage storage;
        private final int threads;
        private final long failAtStep;
        private final Duration timeout;
        private final TrainingProgressAccumulator progress;

        TrainTask(byte[] config, String baseDir, String runDir, ShippedStorage storage, int threads, long failAtStep, Duration timeout,
                  TrainingProgressAccumulator progress) {
            this.config = config;
            this.baseDir = baseDir;
            this.runDir = runDir;
            this.storage = storage;
            this.threads = threads;
            this.failAtStep = failAtStep;
            this.timeout = timeout;
            this.progress = progress;
        }

        @Override
        public scala.collection.Iterator<String> apply(scala.collection.Iterator<Row> rows) {
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
            List<SampleTableReader.Rows> byRole = List.of(new SampleTableReader.Rows(schema, pipeline.getInputConfig()),
                    new SampleTableReader.Rows(schema, pipeline.getInputConfig()), new SampleTableReader.Rows(schema, pipeline.getInputConfig()));
            boolean hasTest = false;
            while (rows.hasNext()) {
                Row row = rows.next();
                int role = row.getInt(row.fieldIndex(ROLE));
                hasTest |= role == TEST;
                byRole.get(role).add(row);
            }
            var train = byRole.get(TRAIN).build();
            String host = context.getTaskInfos()[rank].address();
            host = host.substring(0, host.lastIndexOf(':'));
            RingListener listener;
            try {
                listener = RingListener.open(InetAddress.getByName(host));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException("worker " + rank + ": cannot resolve its executor host " + host, e);
            }
            try {
                String[] published = context.allGather(listener.address() + " " + train.numRows());
                List<String> addresses = new ArrayList<>();
                long[] sizes = new long[size];
                for (int r = 0; r < size; r++) {
                    String[] parts = published[r].split(" ");
                    addresses.add(parts[0]);
                    sizes[r] = Long.parseLong(parts[1]);
                }
                String token = "stage-" + context.stageId() + "-attempt-" + context.stageAttemptNumber();
                RingMember member = new RingMember(token, rank, size);
                try (RingCollective ring = listener.join(member, addresses, CollectiveSettings.defaults().withTimeout(timeout))) {
                    WorkerGroup group = new CollectiveWorkerGroup(ring, sizes);
                    if (failAtStep > 0 && rank == size - 1 && context.stageAttemptNumber() == 0) {
                        group = new FailingAt(group, failAtStep);
                    }
                    LOG.info("Worker {} of {} ({}): {} training rows; ring {}", rank, size, token, train.numRows(), addresses);
                    Optional<TrainingRun.Summary> summary = new TrainingRun(pipeline, base, schema, Locations.of(runDir), threads)
                            .reportingProgressTo(progress::add)
                            .run(train, byRole.get(EVAL).build(), hasTest ? Optional.of(byRole.get(TEST).build()) : Optional.empty(),
                                    group, context.stageAttemptNumber() > 0);
                    String out = summary.map(s -> read(s.summaryFile())).orElse("");
                    return CollectionConverters.asScala(List.of(out).iterator());
                }
            } finally {
                listener.close();
            }
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
    private static final class FailingAt implements WorkerGroup {
        private final WorkerGroup delegate;
        private final long failAt;
        private long steps;

        FailingAt(WorkerGroup delegate, long failAt) {
            this.delegate = delegate;
            this.failAt = failAt;
        }

        @Override
        public int rank() {
            return delegate.rank();
        }

        @Override
        public int size() {
            return delegate.size();
        }

        @Override
        public long[] partitionRows() {
            return delegate.partitionRows();
        }

        @Override
        public double allReduce(Gradients gradients, ModelParameters params, double localLoss) {
            if (++steps == failAt) {
                throw new IllegalStateException("injected failure of worker " + rank() + " at step " + steps + " (" + FAIL_AT_STEP + ")");
            }
            return delegate.allReduce(gradients, params, localLoss);
        }

        @Override
        public boolean anyOf(boolean value) {
            return delegate.anyOf(value);
        }

        @Override
        public void requireEqual(long value, String what) {
            delegate.requireEqual(value, what);
        }
    }
}

package org.recspark.trainer.train;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.recspark.config.proto.TrainConfig;
import org.recspark.config.proto.checkpoint.CheckpointManifest;
import org.recspark.model.KnowledgeDistillation;
import org.recspark.model.Model;
import org.recspark.model.ModelOutput;
import org.recspark.model.PenalizedObjective;
import org.recspark.model.SampledNegatives;
import org.recspark.model.TrainingObjective;
import org.recspark.model.bundle.CheckpointReader;
import org.recspark.model.data.Examples;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.nn.BatchNorm;
import org.recspark.model.nn.Gradients;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.recspark.model.nn.Pass;
import org.recspark.model.sampling.ItemCorpus;
import org.recspark.model.tensor.Blas;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;
import org.recspark.model.tensor.Workspace;
import org.recspark.trainer.data.Batches;
import org.recspark.trainer.data.EvaluationData;
import org.recspark.trainer.data.InMemoryEvaluationData;
import org.recspark.trainer.data.InMemoryTrainingData;
import org.recspark.trainer.data.TrainingData;
import org.recspark.trainer.optim.DenseOptimizer;
import org.recspark.trainer.optim.SparseOptimizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop of one worker. A step splits its batch into one contiguous shard per thread;
 * shards run forward and backward in parallel against the same weights, their gradients are summed
 * in shard order (so results do not depend on timing), and the optimizers update once. With one
 * thread a step is exactly one pass over the batch. Each epoch's batches come from the
 * {@link TrainingData} (rows in memory, or streamed), whose order depends only on the epoch, so a
 * run restored from a checkpoint continues with the same batches.
 */
public final class Trainer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainConfig config;
    private final Model model;
    private final TrainingObjective objective;
    private final ModelParameters params;
    private final int threads;
    private final ExecutorService pool;
    private final DenseOptimizer denseOptimizer;
    private final SparseOptimizer sparseOptimizer;
    private final TrainingState state = new TrainingState();
    private final StepProfile profile = new StepProfile();
    /**
     * Each training thread's buffers for fused ops (DIN's attention activations), reused from one
     * step to the next: a shard's graph is done with them when its backward pass returns.
     */
    private final ThreadLocal<Workspace> stepScratch = ThreadLocal.withInitial(Workspace::new);
    /**
     * Each training thread's op outputs and activation gradients (the graph's tensors), reused from
     * one step to the next for the same reason: nothing reads them after the shard's task returns
     * (its loss is read inside it, its parameter gradients are buffers of its own). A smaller last
     * batch of an epoch takes new arrays, which the next full batch replaces again.
     */
    private final ThreadLocal<Workspace> stepOutputs = ThreadLocal.withInitial(Workspace::new);
    private CheckpointWriter checkpoints;
    private WorkerGroup group;
    /** In a worker group, the workers agree on stopping after the steps that are multiples of this (0: none). */
    private long stopPointEvery = 1;
    private long plannedSteps;

    public Trainer(TrainConfig config, Model model, ModelParameters params, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        Blas.init();
        this.config = config;
        this.model = model;
        this.objective = PenalizedObjective.around(
                KnowledgeDistillation.around(TrainingObjective.of(model), config.getDistillationList(), model.tasks()), params.penalties());
        this.params = params;
        this.threads = threads;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "recspark-shard");
            t.setDaemon(true);
            return t;
        }) : null;
        this.denseOptimizer = DenseOptimizer.of(config.getDenseOptimizer(), "train_config.dense_optimizer");
        this.sparseOptimizer = SparseOptimizer.of(config.getSparseOptimizer(), "train_config.sparse_optimizer");
        for (EmbeddingTable table : params.tables()) {
            sparseOptimizer.attach(table);
        }
    }

    /**
     * In a worker group, has the workers agree on whether to stop only after the steps that are multiples of
     * {@code everySteps} (0: after none; epoch ends always), instead of a round trip after every step, as
     * PyTorch Lightning broadcasts its stop flag only after validation. The listener given to {@link #fit} must
     * then stop training only after those steps (where periodic evaluation decides): a stop requested after any
     * other step fails, since the other workers would not learn of it.
     */
    public Trainer withStopPoints(long everySteps) {
        if (everySteps < 0) {
            throw new IllegalArgumentException("stop points every " + everySteps + " steps; expected >= 0");
        }
        this.stopPointEvery = everySteps;
        return this;
    }

    /** Writes checkpoints as the config's checkpoint section says (none without a writer). */
    public Trainer withCheckpoints(CheckpointWriter writer) {
        this.checkpoints = writer;
        return this;
    }

    /**
     * Trains data-parallel with the other workers of the group: the rows given to {@link #fit} are
     * this worker's partition, train_config.batch_size is the global batch (a multiple of the
     * group's size), and every step's gradients are summed over the workers.
     */
    public Trainer withWorkers(WorkerGroup workers) {
        if (config.getBatchSize() % workers.size() != 0) {
            throw new IllegalArgumentException("train_config.batch_size " + config.getBatchSize() + " must be a multiple of the "
                    + workers.size() + " workers (each takes an equal share of the global batch)");
        }
        this.group = workers;
        return this;
    }

    public Model model() {
        return model;
    }

    public ModelParameters parameters() {
        return params;
    }

    public TrainingState state() {
        return state;
    }

    public StepProfile profile() {
        return profile;
    }

    /**
     * The global step {@link #fit} ends at unless a listener stops it earlier: epochs x batches per
     * epoch, or train_config.max_steps when smaller. 0 before fit starts.
     */
    public long plannedSteps() {
        return plannedSteps;
    }

    public DenseOptimizer denseOptimizer() {
        return denseOptimizer;
    }

    public SparseOptimizer sparseOptimizer() {
        return sparseOptimizer;
    }

    /**
     * Trains on rows in memory, each epoch in a permutation drawn from (seed, epoch) when
     * train_config.shuffle is on: {@link #fit(TrainingData, TrainingListener)} of
     * {@link InMemoryTrainingData}.
     */
    public TrainingState fit(Examples train, TrainingListener listener) {
        return fit(new InMemoryTrainingData(train, config.getSeed(), config.getShuffle()), listener);
    }

    /**
     * Trains for the configured epochs (or max_steps), continuing from the current state. With a
     * worker group, {@code train} is this worker's partition: a step takes batch_size / workers
     * rows from each partition, and an epoch has as many steps as the largest partition needs (a
     * worker whose partition is used up contributes an empty share, so no collective is skipped).
     */
    public TrainingState fit(TrainingData train, TrainingListener listener) {
        long n = train.numRows();
        int workers = group == null ? 1 : group.size();
        long[] partitionRows = group == null ? new long[]{n} : group.partitionRows();
        if (group != null && partitionRows[group.rank()] != n) {
            throw new IllegalStateException("worker " + group.rank() + " has " + n + " rows, the group says " + partitionRows[group.rank()]);
        }
        long totalRows = java.util.Arrays.stream(partitionRows).sum();
        if (totalRows == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        int batchSize = config.getBatchSize() / workers;
        long batchesPerEpoch = 0;
        for (long rows : partitionRows) {
            batchesPerEpoch = Math.max(batchesPerEpoch, (rows + batchSize - 1) / batchSize);
        }
        collectItemCorpus(train, batchSize);
        plannedSteps = config.getNumEpochs() * batchesPerEpoch;
        if (config.getMaxSteps() > 0) {
            plannedSteps = Math.min(plannedSteps, config.getMaxSteps());
        }
        long logEvery = config.getLogEverySteps();
        double lossSinceLog = 0;
        long stepsSinceLog = 0;
        long samplesSinceLog = 0;
        long logStarted = System.nanoTime();
        boolean stop = false;
        while (!stop && state.epoch() < config.getNumEpochs()) {
            try (Batches batches = threads == 1 ? train.epochForOneThread(state.epoch(), state.batchInEpoch(), batchSize)
                    : train.epoch(state.epoch(), state.batchInEpoch(), batchSize)) {
                for (long b = state.batchInEpoch(); b < batchesPerEpoch; b++) {
                    if (config.getMaxSteps() > 0 && state.globalStep() >= config.getMaxSteps()) {
                        stop = true;
                        break;
                    }
                    long waitStarted = System.nanoTime();
                    Examples batch = batches.hasNext() ? batches.next() : null;
                    profile.dataNanos += System.nanoTime() - waitStarted;
                    long globalRows = 0;
                    for (long p : partitionRows) {
                        globalRows += Math.max(0, Math.min(p, (b + 1) * batchSize) - b * batchSize);
                    }
                    double loss = step(batch, globalRows);
                    lossSinceLog += loss;
                    stepsSinceLog++;
                    samplesSinceLog += globalRows;
                    if (state.globalStep() % logEvery == 0) {
                        double seconds = (System.nanoTime() - logStarted) / 1e9;
                        LOG.info("step {} epoch {}: loss {} ({} samples/s, lr {})", state.globalStep(), state.epoch(),
                                String.format(java.util.Locale.ROOT, "%.5f", lossSinceLog / stepsSinceLog),
                                Math.round(samplesSinceLog / seconds), String.format(java.util.Locale.ROOT, "%.3g", denseOptimizer.learningRate()));
                        lossSinceLog = 0;
                        stepsSinceLog = 0;
                        samplesSinceLog = 0;
                        logStarted = System.nanoTime();
                    }
                    if (config.getCheckpoint().getEverySteps() > 0 && state.globalStep() % config.getCheckpoint().getEverySteps() == 0) {
                        checkpoint();
                    }
                    boolean stopHere = listener != null && !listener.afterStep(this, loss);
                    if (group != null && stopPointEvery > 0 && state.globalStep() % stopPointEvery == 0) {
                        // The workers' agreement on stopping is a round trip: part of the step's sync.
                        long agreeing = System.nanoTime();
                        stopHere = group.anyOf(stopHere);
                        profile.syncNanos += System.nanoTime() - agreeing;
                    } else if (group != null && stopHere) {
                        throw new IllegalStateException("training was asked to stop after step " + state.globalStep()
                                + ", which is not a stop point of the " + group.size() + " workers ("
                                + (stopPointEvery == 0 ? "epoch ends only" : "every " + stopPointEvery + " steps")
                                + "): the other workers would go on without it");
                    }
                    if (stopHere) {
                        stop = true;
                        break;
                    }
                }
            }
            if (!stop) {
                state.epochDone();
                if (config.getCheckpoint().getEverySteps() == 0) {
                    checkpoint();
                }
                boolean stopHere = listener != null && !listener.afterEpoch(this);
                if (group != null ? group.anyOf(stopHere) : stopHere) {
                    stop = true;
                }
            }
        }
        LOG.info("Training stopped at {}; {}", state, profile);
        return state;
    }

    /**
     * Gives an objective that samples negatives the items of the training rows (counted), with the
     * item table's when it draws from one, read once before the first step. In a worker group each
     * worker draws from its own partition's items.
     */
    private void collectItemCorpus(TrainingData train, int batchSize) {
        // the model, not the objective: distillation or penalties wrap the model's objective
        if (!(model instanceof SampledNegatives sampled) || !sampled.samplesNegatives() || sampled.hasItemCorpus()) {
            return;
        }
        long started = System.nanoTime();
        ItemCorpus.Collector collector = sampled.newItemCorpus();
        try (Batches batches = train.epoch(0, 0, batchSize)) {
            while (batches.hasNext()) {
                collector.add(batches.next());
            }
        }
        ItemCorpus corpus = collector.build();
        if (corpus.size() == 0) {
            throw new IllegalArgumentException("no training row has an item id, so there are no items to draw negatives from");
        }
        sampled.useItemCorpus(corpus);
        String seconds = String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9);
        if (sampled.drawsFromItemTable()) {
            long unseen = java.util.stream.IntStream.range(0, corpus.size()).filter(i -> corpus.count(i) == 0).count();
            LOG.info("Negatives are drawn from the {} items of the item table and the training rows, {} of them in none of the {} "
                    + "training rows (read in {} s)", corpus.size(), unseen, train.numRows(), seconds);
        } else {
            LOG.info("Negatives are drawn from the {} distinct items of {} training rows (read in {} s)", corpus.size(), train.numRows(),
                    seconds);
        }
    }

    /** Writes a checkpoint when this worker has a writer; every worker of a group takes part. */
    private void checkpoint() {
        gatherOptimizerState();
        if (checkpoints != null) {
            checkpoints.write(this);
        }
    }

    /**
     * Makes the dense optimizer's state whole on this worker before a checkpoint is written from it:
     * in a worker group each worker keeps only its own slices current. Every worker of the group must
     * call it at the same point; without a group it does nothing.
     */
    public void gatherOptimizerState() {
        if (group != null) {
            group.gatherOptimizerState(denseOptimizer, sparseOptimizer, params);
        }
    }

    /**
     * One optimizer step on this worker's share of a batch of {@code globalRows} rows (all of them
     * without a worker group); returns the batch's mean loss. An empty share (null) still takes
     * part in the step's collectives.
     */
    public double step(Examples batch, long globalRows) {
        long t0 = System.nanoTime();
        float scale = 1f / globalRows;
        long step = state.globalStep();
        List<Gradients> perShard = new ArrayList<>();
        double loss = 0;
        long t1;
        long t2;
        WorkerGroup.StepExchange exchange = group == null ? null : group.startStep(params);
        if (batch != null && batch.numRows() > 0) {
            int rows = batch.numRows();
            objective.beforeStep(batch, state.globalStep());
            params.allocateRows(batch);
            if (model instanceof SampledNegatives sampled && sampled.samplesNegatives()) {
                params.allocateRows(sampled.stepNegatives());
                if (sampled.stepHardNegatives() != null) {
                    params.allocateRows(sampled.stepHardNegatives());
                }
            }
            int shardCount = Math.min(threads, rows);
            List<Examples> shards = new ArrayList<>(shardCount);
            for (int s = 0; s < shardCount; s++) {
                int from = (int) ((long) rows * s / shardCount);
                int to = (int) ((long) rows * (s + 1) / shardCount);
                shards.add(shardCount == 1 ? batch : batch.slice(from, to));
            }
            t1 = System.nanoTime();
            List<ShardResult> results = runShards(shards, s -> {
                long started = System.nanoTime();
                Workspace scratch = stepScratch.get();
                scratch.begin();
                Workspace outputs = stepOutputs.get();
                outputs.begin();
                Graph graph = new Graph(true, mix(config.getSeed(), step, s + shardCount * (group == null ? 0 : group.rank())), outputs,
                        scratch);
                Gradients gradients = new Gradients();
                Pass pass = new Pass(graph, shards.get(s), gradients);
                ModelOutput output = model.forward(pass);
                Tensor lossTensor = objective.loss(pass, output, scale);
                // With one shard its gradients are the worker's own, so each can leave as soon as it is final.
                graph.backward(lossTensor, exchange != null && shardCount == 1 ? handOver(gradients, exchange) : buffer -> { });
                return new ShardResult(gradients, lossTensor.data()[0], pass.embeddingNanos(), System.nanoTime() - started);
            });
            t2 = System.nanoTime();
            for (ShardResult r : results) {
                perShard.add(r.gradients());
                loss += r.loss();
                profile.embeddingThreadNanos += r.embeddingNanos();
                profile.computeThreadNanos += r.nanos();
            }
        } else {
            t1 = System.nanoTime();
            t2 = t1;
            perShard.add(new Gradients());
        }
        Gradients merged = Gradients.merge(perShard);
        long tSync = System.nanoTime();
        long denseUpdate;
        long sparseUpdate = 0;
        if (exchange != null) {
            loss = exchange.finish(merged, loss, denseOptimizer, sparseOptimizer, config.getGradientClipNorm());
            denseUpdate = exchange.denseUpdateNanos();
            sparseUpdate = exchange.sparseUpdateNanos();
        } else {
            clip(merged);
            long started = System.nanoTime();
            denseOptimizer.step(params.trainable(), merged.denseGradients());
            denseUpdate = System.nanoTime() - started;
        }
        long tSynced = System.nanoTime();
        for (Map.Entry<Parameter, float[]> e : merged.bufferObservations().entrySet()) {
            BatchNorm.foldInto(e.getKey(), e.getValue());
        }
        long t4 = System.nanoTime();
        if (exchange == null) {
            sparseOptimizer.stepAll(params.tables(), merged.sparseGradients());
        }
        sparseOptimizer.advance();
        long t5 = System.nanoTime();
        profile.prepareNanos += t1 - t0;
        profile.computeNanos += t2 - t1;
        profile.mergeNanos += (tSync - t2) + (t4 - tSynced);
        profile.syncNanos += tSynced - tSync - denseUpdate - sparseUpdate;
        profile.denseOptimizerNanos += denseUpdate;
        profile.sparseOptimizerNanos += t5 - t4 + sparseUpdate;
        profile.steps++;
        state.stepDone((int) globalRows);
        if (!Double.isFinite(loss)) {
            throw new IllegalStateException("loss is " + loss + " at step " + state.globalStep()
                    + "; lower the learning rate or enable gradient_clip_norm");
        }
        return loss;
    }

    /** Hands each of a shard's finished parameter gradients to the step's exchange. */
    private static Consumer<float[]> handOver(Gradients gradients, WorkerGroup.StepExchange exchange) {
        Map<float[], Parameter> parameterOf = new IdentityHashMap<>();
        return buffer -> {
            if (parameterOf.isEmpty()) {
                gradients.denseGradients().forEach((p, g) -> parameterOf.put(g, p));
            }
            Parameter p = parameterOf.get(buffer);
            if (p != null) {
                exchange.gradientFinished(p, buffer);
            }
        };
    }

    private record ShardResult(Gradients gradients, double loss, long embeddingNanos, long nanos) {}

    private interface ShardTask<T> {
        T run(int shard);
    }

    private <T> List<T> runShards(List<?> shards, ShardTask<T> task) {
        List<T> out = new ArrayList<>(shards.size());
        if (pool == null || shards.size() == 1) {
            for (int s = 0; s < shards.size(); s++) {
                out.add(task.run(s));
            }
            return out;
        }
        List<Future<T>> futures = new ArrayList<>();
        for (int s = 0; s < shards.size(); s++) {
            int shard = s;
            futures.add(pool.submit(() -> task.run(shard)));
        }
        for (Future<T> f : futures) {
            try {
                out.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("a training shard failed", e.getCause());
            }
        }
        return out;
    }

    private void clip(Gradients merged) {
        double maxNorm = config.getGradientClipNorm();
        if (maxNorm <= 0) {
            return;
        }
        double sq = 0;
        for (Map.Entry<Parameter, float[]> e : merged.denseGradients().entrySet()) {
            if (e.getKey().trainable()) {
                for (float g : e.getValue()) {
                    sq += (double) g * g;
                }
            }
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            float f = (float) (maxNorm / norm);
            for (float[] g : merged.denseGradients().values()) {
                for (int i = 0; i < g.length; i++) {
                    g[i] *= f;
                }
            }
        }
    }

    static long mix(long seed, long step, int shard) {
        long h = seed ^ (step * 0x9E3779B97F4A7C15L) ^ ((long) shard << 48);
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }

    /**
     * Predictions for every row, per task, in evaluation mode (no dropout, running batch-norm
     * statistics), batch by batch across the trainer's threads.
     */
    public Map<String, float[]> predict(Examples data, int batchSize) {
        return score(new InMemoryEvaluationData(data), batchSize, 0).predictions();
    }

    /** Predictions of any model, single-threaded. */
    public static Map<String, float[]> predict(Model model, Examples data, int batchSize) {
        return score(model, new InMemoryEvaluationData(data), batchSize).predictions();
    }

    /**
     * Scores rows read batch by batch (the first {@code maxRows} when > 0) with the current weights
     * in evaluation mode, across the trainer's threads, keeping what metrics need.
     */
    public ScoredRows score(EvaluationData data, int batchSize, long maxRows) {
        return BatchScorer.score(model, data, batchSize, maxRows, pool, threads);
    }

    /** Scores rows with any model, single-threaded, keeping what metrics need. */
    public static ScoredRows score(Model model, EvaluationData data, int batchSize) {
        return BatchScorer.score(model, data, batchSize, 0, null, 1);
    }

    /**
     * Continues from a checkpoint of this run exactly: parameters, buffers, tables and both
     * optimizers' state, and the training position.
     */
    public void restore(CheckpointReader checkpoint) {
        checkpoint.restoreParameters(params);
        CheckpointManifest manifest = checkpoint.manifest();
        denseOptimizer.restore(checkpoint.denseOptimizerState(), manifest.getDenseOptimizerSteps());
        sparseOptimizer.setSteps(manifest.getSparseOptimizerSteps());
        state.restore(manifest.getGlobalStep(), manifest.getEpoch(), manifest.getBatchInEpoch(), manifest.getSamplesSeen());
        LOG.info("Restored {} at {}", checkpoint.path(), state);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}

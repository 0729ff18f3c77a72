package org.recspark.trainer.distributed;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;
import org.recspark.model.nn.Gradients;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.recspark.trainer.optim.DenseOptimizer;
import org.recspark.trainer.optim.SparseOptimizer;
import org.recspark.trainer.train.WorkerGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link WorkerGroup} over a {@link RingCollective}, with a sharded dense update (ZeRO-1, Rajbhandari et al.
 * 2020) and the exchange overlapped with the backward pass (as PyTorch's DDP buckets gradients).
 *
 * <p>Each step's dense state travels in one fused buffer ({@link FusedGradientLayout}): trainable gradients in
 * buckets, then every worker's batch statistics and loss. As soon as the backward pass has finished every gradient
 * of a bucket, its reduce-scatter starts, in bucket order on every worker. Started buckets advance from the training thread itself, as MPI
 * progresses non-blocking collectives: each finished gradient moves what the sockets allow (chunks out, received
 * chunks added) and returns to the backward pass, and the rest completes once the pass is over. With a worker per
 * core a communication thread would find no core free while the pass computes, and its hand-offs cost wake-ups.
 * Each worker then holds the summed gradient of its own chunk of every bucket, updates those coordinates only
 * with the dense optimizer (so it computes, and keeps current, the optimizer state of its slices alone), writes
 * the new weights into the buffer, and one all-gather of every bucket at once hands every chunk to every worker: the
 * weights are copies of their owner's, identical to the bit, and the bytes on the wire are those of one all-reduce.
 * The statistics and losses need no reduce-scatter of their own: each worker's travel in that all-gather, and every
 * worker sums them in rank order. The bucketing does not depend on timing, so the overlapped and the sequential
 * exchange give the same bits.
 *
 * <p>Embedding gradients travel as (id, row) pairs per table, so only touched rows cross the wire. Their update is
 * sharded too, by row owner ({@link RowOwners}, {@link OwnedRowsExchange}): once the backward pass is over, each
 * worker's rows that other workers own leave for their owners behind the last bucket's reduce-scatter (no round trip
 * of their own); each owner sums its rows in rank order, updates them with the sparse optimizer (whose state for
 * those rows is then current on the owner alone), and the updated rows' values ride on the weights' all-gather. An
 * optimizer that moves every allocated row each step (exact {@code adam}) would have to send every owned row back,
 * so with it every worker still receives every worker's rows with the all-gather, sums them in rank order
 * ({@link SparseGradientExchange}) and updates every row itself. Both give the same bits.
 */
public final class CollectiveWorkerGroup implements WorkerGroup, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CollectiveWorkerGroup.class);
    /** Where the exchange's time goes, logged at DEBUG when the group closes. */
    private final ExchangeTimes times = new ExchangeTimes();
    private final RingCollective ring;
    private final long[] partitionRows;
    /** Whether buckets start during the backward pass (false: all after it, same result). */
    private final boolean overlap;
    private final SparseGradientExchange sparse;
    private final OwnedRowsExchange ownedRows;
    /** Whether embedding rows are updated by their owner alone where the sparse optimizer allows (false: by all). */
    private final boolean shardRows;
    private FusedGradientLayout layout;
    private List<FusedGradientLayout.Segment> owned;
    private float[] fused = new float[0];

    /** A group whose exchange overlaps the backward pass. */
    public CollectiveWorkerGroup(RingCollective ring, long[] partitionRows) {
        this(ring, partitionRows, true, true);
    }

    /**
     * @param overlap whether buckets are summed during the backward pass (false: all after it, same result)
     * @param shardRows whether each embedding row is summed and updated by its owner alone when the sparse optimizer
     *     changes only the rows of the step's gradient (false: every worker sums and updates every row, same result)
     */
    public CollectiveWorkerGroup(RingCollective ring, long[] partitionRows, boolean overlap, boolean shardRows) {
        if (partitionRows.length != ring.member().size()) {
            throw new IllegalArgumentException(partitionRows.length + " partition sizes for " + ring.member().size() + " workers");
        }
        this.ring = ring;
        this.partitionRows = partitionRows.clone();
        this.sparse = new SparseGradientExchange(ring);
        this.ownedRows = new OwnedRowsExchange(ring);
        this.overlap = overlap;
        this.shardRows = shardRows;
    }

    @Override
    public int rank() {
        return ring.member().rank();
    }

    @Override
    public int size() {
        return ring.member().size();
    }

    @Override
    public long[] partitionRows() {
        return partitionRows.clone();
    }

    private boolean shardsRows(SparseOptimizer optimizer) {
        return shardRows && optimizer.updatesTouchedRowsOnly();
    }

    private FusedGradientLayout layout(ModelParameters params) {
        if (layout == null || !layout.describes(params.all())) {
            layout = new FusedGradientLayout(params.all(), size());
            owned = layout.chunkSegments(ring.ownedChunk(), size());
            fused = new float[layout.length()];
        }
        return layout;
    }

    @Override
    public StepExchange startStep(ModelParameters params) {
        layout(params);
        Arrays.fill(fused, 0f);
        return new Exchange(params);
    }

    /** One step: buckets leave as their gradients are finished, in bucket order. */
    private final class Exchange implements StepExchange {
        private final ModelParameters params;
        private final boolean[] finished = new boolean[layout.trainableCount()];
        private final int[] pending = new int[layout.bucketCount()];
        private int launched;
        private long updateNanos;
        private long sparseUpdateNanos;

        Exchange(ModelParameters params) {
            this.params = params;
            for (int b = 0; b < pending.length; b++) {
                pending[b] = layout.parametersInBucket(b);
            }
        }

        @Override
        public void gradientFinished(Parameter parameter, float[] gradient) {
            int index = layout.indexOf(parameter);
            if (index < 0) {
                throw new IllegalArgumentException("no trainable parameter " + parameter.name() + " in the exchange's layout");
            }
            take(index, gradient);
            ring.advanceStarted();
        }

        private void take(int index, float[] gradient) {
            if (finished[index]) {
                return;
            }
            finished[index] = true;
            if (gradient != null) {
                System.arraycopy(gradient, 0, fused, layout.offset(index), gradient.length);
            }
            pending[layout.bucketOf(index)]--;
            // Buckets leave in order on every worker, so the ranks' collectives match.
            while (overlap && launched < pending.length && pending[launched] == 0) {
                int bucket = launched++;
                ring.startReduceScatterSum(fused, layout.bucketStart(bucket), layout.bucketLength(bucket));
            }
        }

        @Override
        public double finish(Gradients gradients, double localLoss, DenseOptimizer optimizer, SparseOptimizer sparseOptimizer,
                double clipNorm) {
            Map<Parameter, float[]> dense = gradients.denseGradients();
            for (int i = 0; i < finished.length; i++) {
                take(i, dense.get(layout.trainable(i)));
            }
            Map<Parameter, float[]> observed = gradients.bufferObservations();
            // This worker's tail goes in the chunk of the tails it owns, so the all-gather hands it to every worker.
            int pos = layout.tailOfChunk(ring.ownedChunk());
            for (Parameter p : layout.all()) {
                if (!p.trainable()) {
                    float[] v = observed.get(p);
                    if (v != null) {
                        System.arraycopy(v, 0, fused, pos, p.size());
                    }
                    pos += p.size();
                    fused[pos++] = v == null ? 0f : 1f;
                }
            }
            fused[pos] = (float) localLoss;
            // Encoded while the overlapped buckets may still be on the wire: owned rows start for their owners behind
            // the last bucket, the others travel with the all-gather.
            boolean sharded = shardsRows(sparseOptimizer);
            List<EmbeddingTable> tables = List.copyOf(params.tables());
            Map<EmbeddingTable, SparseGradient> sparseGradients = gradients.sparseGradients();
            long encodeStarted = System.nanoTime();
            GatheredBytes rows = null;
            if (sharded) {
                ownedRows.encodeRouted(tables, sparseGradients);
            } else {
                rows = sparse.encode(tables, sparseGradients);
            }
            long encodeNanos = System.nanoTime() - encodeStarted;
            if (sharded) {
                ownedRows.startRouting();
            }
            long waitStarted = System.nanoTime();
            ring.completeStarted();
            long overlappedDone = System.nanoTime();
            for (int b = launched; b < layout.bucketCount(); b++) {
                ring.reduceScatterSum(fused, layout.bucketStart(b), layout.bucketLength(b));
            }
            long remainingDone = System.nanoTime();
            updateOwnedSlices(optimizer, clipNorm);
            long sumNanos = 0;
            sparseUpdateNanos = 0;
            if (sharded) {
                long sumStarted = System.nanoTime();
                List<SparseGradient> owned = ownedRows.sumOwned(tables, sparseGradients);
                long updateStarted = System.nanoTime();
                for (int t = 0; t < tables.size(); t++) {
                    sparseOptimizer.step(tables.get(t), owned.get(t));
                }
                long updateDone = System.nanoTime();
                rows = ownedRows.encodeUpdated(tables);
                sparseUpdateNanos = updateDone - updateStarted;
                sumNanos = System.nanoTime() - sumStarted - sparseUpdateNanos;
            }
            long gatherStarted = System.nanoTime();
            // Every bucket's updated chunks, every worker's tail and sparse rows in one collective: one round trip per ring step.
            ring.allGatherChunks(fused, layout.gatherStarts(), layout.gatherLengths(), rows);
            for (int i = 0; i < layout.trainableCount(); i++) {
                Parameter p = layout.trainable(i);
                System.arraycopy(fused, layout.offset(i), p.value(), 0, p.size());
            }
            long gatherDone = System.nanoTime();
            float[] tail = summedTails();
            pos = 0;
            for (Parameter p : layout.all()) {
                if (!p.trainable()) {
                    float count = tail[pos + p.size()];
                    if (count > 0) {
                        float[] mean = new float[p.size()];
                        for (int i = 0; i < mean.length; i++) {
                            mean[i] = tail[pos + i] / count;
                        }
                        gradients.observe(p, mean);
                    } else {
                        observed.remove(p);
                    }
                    pos += p.size() + 1;
                }
            }
            double loss = tail[pos];
            long sparseStarted = System.nanoTime();
            if (sharded) {
                ownedRows.applyUpdated(tables);
            } else {
                sparse.sumInto(tables, sparseGradients);
            }
            long sparseDone = System.nanoTime();
            if (!sharded) {
                sparseOptimizer.stepAll(tables, sparseGradients);
                sparseUpdateNanos = System.nanoTime() - sparseDone;
            }
            times.add(overlappedDone - waitStarted, remainingDone - overlappedDone, gatherDone - gatherStarted,
                    encodeNanos + sumNanos + sparseDone - sparseStarted, sparseUpdateNanos, launched, layout.bucketCount());
            return loss;
        }

        /** The workers' tails summed in rank order, the same bits on every worker. */
        private float[] summedTails() {
            int n = layout.tailLength();
            int ranks = size();
            int first = tailOfRank(0);
            float[] tail = Arrays.copyOfRange(fused, first, first + n);
            for (int r = 1; r < ranks; r++) {
                int from = tailOfRank(r);
                for (int i = 0; i < n; i++) {
                    tail[i] += fused[from + i];
                }
            }
            return tail;
        }

        private int tailOfRank(int rank) {
            return layout.tailOfChunk(ring.chunkOwnedBy(rank));
        }

        /** Clips by the global norm (summed over the owners' slices) and updates this worker's slices in place. */
        private void updateOwnedSlices(DenseOptimizer optimizer, double clipNorm) {
            long started = System.nanoTime();
            optimizer.beginStep();
            if (clipNorm > 0) {
                double squares = 0;
                for (FusedGradientLayout.Segment s : owned) {
                    for (int i = s.offset(); i < s.offset() + s.to() - s.from(); i++) {
                        squares += (double) fused[i] * fused[i];
                    }
                }
                long waited = System.nanoTime();
                double total = 0;
                for (long bits : ring.allGatherLongs(Double.doubleToLongBits(squares))) {
                    total += Double.longBitsToDouble(bits);
                }
                started += System.nanoTime() - waited;
                double norm = Math.sqrt(total);
                if (norm > clipNorm) {
                    float factor = (float) (clipNorm / norm);
                    for (FusedGradientLayout.Segment s : owned) {
                        for (int i = s.offset(); i < s.offset() + s.to() - s.from(); i++) {
                            fused[i] *= factor;
                        }
                    }
                }
            }
            for (FusedGradientLayout.Segment s : owned) {
                optimizer.update(s.parameter(), s.from(), s.to(), fused, s.offset());
                System.arraycopy(s.parameter().value(), s.from(), fused, s.offset(), s.to() - s.from());
            }
            updateNanos = System.nanoTime() - started;
        }

        @Override
        public long denseUpdateNanos() {
            return updateNanos;
        }

        @Override
        public long sparseUpdateNanos() {
            return sparseUpdateNanos;
        }
    }

    @Override
    public void gatherOptimizerState(DenseOptimizer optimizer, SparseOptimizer sparseOptimizer, ModelParameters params) {
        if (shardsRows(sparseOptimizer)) {
            ownedRows.gatherState(List.copyOf(params.tables()));
        }
        FusedGradientLayout l = layout(params);
        int slots = l.trainableCount() == 0 ? 0 : optimizer.stateOf(l.trainable(0)).length;
        float[] buffer = new float[l.length()];
        for (int slot = 0; slot < slots; slot++) {
            Arrays.fill(buffer, 0f);
            for (FusedGradientLayout.Segment s : owned) {
                System.arraycopy(optimizer.stateOf(s.parameter())[slot], s.from(), buffer, s.offset(), s.to() - s.from());
            }
            // Every coordinate is current on its owner alone and zero elsewhere, so the sum is the owner's value.
            ring.allReduceSum(buffer);
            for (int i = 0; i < l.trainableCount(); i++) {
                Parameter p = l.trainable(i);
                System.arraycopy(buffer, l.offset(i), optimizer.stateOf(p)[slot], 0, p.size());
            }
        }
    }

    @Override
    public boolean anyOf(boolean value) {
        return ring.maxAcrossRanks(value ? 1 : 0) == 1;
    }

    @Override
    public void requireEqual(long value, String what) {
        long[] all = ring.allGatherLongs(value);
        for (int r = 0; r < all.length; r++) {
            if (all[r] != all[0]) {
                throw new IllegalStateException(what + " differs between workers: " + Arrays.toString(all)
                        + " (worker " + rank() + " of " + size() + ")");
            }
        }
    }

    /** Logs where the exchange's time went; the ring is its owner's to close. */
    @Override
    public void close() {
        LOG.debug("{}: gradient exchange {}", ring.member(), times);
    }
}

package org.recspark.trainer.distributed;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;
import org.recspark.model.nn.Gradients;
import org.recspark.model.nn.ModelParameters;
import org.recspark.model.nn.Parameter;
import org.recspark.trainer.train.WorkerGroup;

/**
 * A {@link WorkerGroup} over a {@link RingCollective}. Each step's dense state travels in one
 * fused buffer, laid out in the parameters' creation order (the same on every worker): every
 * trainable parameter's gradient (zeros for one the local share did not use), then every
 * buffer's batch statistic followed by a count of the workers that observed it, then the loss.
 * Embedding gradients travel as (id, row) pairs per table, so only touched rows cross the wire.
 */
public final class CollectiveWorkerGroup implements WorkerGroup {
    private final RingCollective ring;
    private final long[] partitionRows;
    private float[] fused = new float[0];

    public CollectiveWorkerGroup(RingCollective ring, long[] partitionRows) {
        if (partitionRows.length != ring.member().size()) {
            throw new IllegalArgumentException(partitionRows.length + " partition sizes for " + ring.member().size() + " workers");
        }
        this.ring = ring;
        this.partitionRows = partitionRows.clone();
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

    @Override
    public double allReduce(Gradients gradients, ModelParameters params, double localLoss) {
        int length = 1;
        for (Parameter p : params.all()) {
            length += p.trainable() ? p.size() : p.size() + 1;
        }
        if (fused.length != length) {
            fused = new float[length];
        } else {
            java.util.Arrays.fill(fused, 0f);
        }
        int pos = 0;
        Map<Parameter, float[]> dense = gradients.denseGradients();
        Map<Parameter, float[]> observed = gradients.bufferObservations();
        for (Parameter p : params.all()) {
            float[] v = p.trainable() ? dense.get(p) : observed.get(p);
            if (v != null) {
                System.arraycopy(v, 0, fused, pos, p.size());
            }
            pos += p.size();
            if (!p.trainable()) {
                fused[pos++] = v == null ? 0f : 1f;
            }
        }
        fused[pos] = (float) localLoss;
        ring.allReduceSum(fused);

        pos = 0;
        for (Parameter p : params.all()) {
            if (p.trainable()) {
                System.arraycopy(fused, pos, gradients.dense(p), 0, p.size());
                pos += p.size();
            } else {
                float count = fused[pos + p.size()];
                if (count > 0) {
                    float[] mean = new float[p.size()];
                    for (int i = 0; i < mean.length; i++) {
                        mean[i] = fused[pos + i] / count;
                    }
                    gradients.observe(p, mean);
                } else {
                    observed.remove(p);
                }
                pos += p.size() + 1;
            }
        }
        double loss = fused[pos];
        exchangeSparse(gradients, params);
        return loss;
    }

    private void exchangeSparse(Gradients gradients, ModelParameters params) {
        List<EmbeddingTable> tables = new ArrayList<>(params.tables());
        List<SparseRows> local = new ArrayList<>(tables.size());
        for (EmbeddingTable table : tables) {
            SparseGradient g = gradients.sparseGradients().get(table);
            if (g == null || g.size() == 0) {
                local.add(SparseRows.empty(table.dim()));
                continue;
            }
            long[] ids = new long[g.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = table.idAt(g.slot(i));
            }
            local.add(new SparseRows(table.dim(), ids, java.util.Arrays.copyOf(g.rows(), ids.length * table.dim())));
        }
        List<SparseRows> summed = ring.allReduceSparse(local);
        for (int t = 0; t < tables.size(); t++) {
            EmbeddingTable table = tables.get(t);
            SparseRows rows = summed.get(t);
            SparseGradient g = new SparseGradient(table.dim());
            int dim = table.dim();
            for (int i = 0; i < rows.size(); i++) {
                int offset = g.offsetOf(table.slotOf(rows.ids()[i]));
                System.arraycopy(rows.rows(), i * dim, g.rows(), offset, dim);
            }
            gradients.sparseGradients().put(table, g);
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
                throw new IllegalStateException(what + " differs between workers: " + java.util.Arrays.toString(all)
                        + " (worker " + rank() + " of " + size() + ")");
            }
        }
    }
}

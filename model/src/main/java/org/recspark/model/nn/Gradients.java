package org.recspark.model.nn;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.recspark.model.embedding.EmbeddingTable;
import org.recspark.model.embedding.SparseGradient;

/**
 * The gradients one batch shard produced: a full buffer per dense parameter it used and the touched
 * rows of each embedding table; plus the batch statistics its batch-norm layers saw. Shards merge
 * in a fixed order, so a step's result does not depend on thread timing.
 */
public final class Gradients {
    private final Map<Parameter, float[]> dense = new IdentityHashMap<>();
    private final Map<EmbeddingTable, SparseGradient> sparse = new LinkedHashMap<>();
    private final Map<Parameter, float[]> bufferObservations = new IdentityHashMap<>();

    public float[] dense(Parameter p) {
        return dense.computeIfAbsent(p, k -> new float[k.size()]);
    }

    public SparseGradient sparse(EmbeddingTable table) {
        return sparse.computeIfAbsent(table, t -> new SparseGradient(t.dim()));
    }

    /** The table's gradient, created sized for about {@code expectedRows} touched rows. */
    public SparseGradient sparse(EmbeddingTable table, int expectedRows) {
        return sparse.computeIfAbsent(table, t -> new SparseGradient(t.dim(), expectedRows));
    }

    public Map<Parameter, float[]> denseGradients() {
        return dense;
    }

    public Map<EmbeddingTable, SparseGradient> sparseGradients() {
        return sparse;
    }

    /** A batch statistic for a buffer (the shard's mean or variance), folded in after the step. */
    public void observe(Parameter buffer, float[] batchValue) {
        bufferObservations.put(buffer, batchValue);
    }

    public Map<Parameter, float[]> bufferObservations() {
        return bufferObservations;
    }

    /**
     * Sums the shards' gradients in list order and averages their buffer observations. The first
     * shard's gradient arrays become the sums (adding them to zeros gave the same values), so the
     * shards' gradients must not be used afterwards.
     */
    public static Gradients merge(List<Gradients> shards) {
        if (shards.size() == 1) {
            return shards.get(0);
        }
        Gradients out = new Gradients();
        Gradients first = shards.get(0);
        out.dense.putAll(first.dense);
        out.sparse.putAll(first.sparse);
        for (Gradients shard : shards) {
            if (shard != first) {
                addGradients(out, shard);
            }
            for (Map.Entry<Parameter, float[]> e : shard.bufferObservations.entrySet()) {
                float[] target = out.bufferObservations.computeIfAbsent(e.getKey(), k -> new float[k.size()]);
                float[] v = e.getValue();
                for (int i = 0; i < v.length; i++) {
                    target[i] += v[i] / shards.size();
                }
            }
        }
        return out;
    }

    private static void addGradients(Gradients out, Gradients shard) {
        for (Map.Entry<Parameter, float[]> e : shard.dense.entrySet()) {
            float[] target = out.dense(e.getKey());
            float[] g = e.getValue();
            for (int i = 0; i < g.length; i++) {
                target[i] += g[i];
            }
        }
        for (Map.Entry<EmbeddingTable, SparseGradient> e : shard.sparse.entrySet()) {
            out.sparse(e.getKey()).addAll(e.getValue());
        }
    }
}

package org.recspark.model.nn;

import org.recspark.model.data.Examples;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;
import org.recspark.model.tensor.Workspace;

/**
 * One forward (and, in training, backward) pass of a model over one batch shard: the graph that
 * records it, the batch, and where gradients go. Without gradients (evaluation, serving) parameters
 * enter as constants and nothing is recorded.
 */
public final class Pass {
    private final Graph graph;
    private final Examples batch;
    private final Gradients gradients;
    private long embeddingNanos;

    public Pass(Graph graph, Examples batch, Gradients gradients) {
        this.graph = graph;
        this.batch = batch;
        this.gradients = gradients;
    }

    /** An evaluation pass: no dropout, running batch-norm statistics, no gradients. */
    public static Pass inference(Examples batch) {
        return inference(batch, null);
    }

    /** An evaluation pass whose matrix products' outputs come from {@code workspace} (null: allocated). */
    public static Pass inference(Examples batch, Workspace workspace) {
        return new Pass(new Graph(false, 0, workspace), batch, null);
    }

    public Graph graph() {
        return graph;
    }

    public Examples batch() {
        return batch;
    }

    public int rows() {
        return batch.numRows();
    }

    public boolean training() {
        return graph.training();
    }

    /** Whether gradients are collected. */
    public boolean differentiable() {
        return gradients != null;
    }

    /** Null in an inference pass. */
    public Gradients gradients() {
        return gradients;
    }

    /** Time spent in embedding lookups and their backward passes (for the step profile). */
    public void addEmbeddingNanos(long nanos) {
        embeddingNanos += nanos;
    }

    public long embeddingNanos() {
        return embeddingNanos;
    }

    /** A parameter as a graph input: its gradient accumulates into this shard's buffer. */
    public Tensor param(Parameter p) {
        if (gradients == null || !p.trainable()) {
            return Tensor.constant(p.rows(), p.cols(), p.value());
        }
        return graph.leaf(p.rows(), p.cols(), p.value(), gradients.dense(p));
    }
}

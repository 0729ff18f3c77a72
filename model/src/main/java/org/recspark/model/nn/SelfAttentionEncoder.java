package org.recspark.model.nn;

import java.util.ArrayList;
import java.util.List;
import org.recspark.config.proto.SequenceSelfAttention;
import org.recspark.model.embedding.EmbeddingLookup.SequenceEmbedding;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * A behaviour sequence encoded in order (SASRec, Kang and McAuley 2018), candidate-free so that a
 * two-tower model's user tower can use it: each position's item embedding plus a learned embedding
 * of its recency rank (0 for the most recent), then blocks of multi-head self-attention within the
 * sequence, residual and layer norm, a point-wise ReLU feed-forward layer, residual and layer norm;
 * read out at the most recent position or as the mean over the positions (B x dim, zeros for an
 * empty sequence). Attention runs in both directions: the whole history precedes the target, so
 * SASRec's causal mask (for its next-item loss at every position) has nothing to hide here.
 */
public final class SelfAttentionEncoder {
    private static final Initializer POSITION_INIT = new Initializer.Normal(0.01f);

    private final int dim;
    private final int heads;
    private final float dropout;
    private final boolean mostRecent;
    private final Parameter positions;
    private final List<Block> blocks = new ArrayList<>();

    /**
     * @param maxLength the longest sequence (the sequence feature's max_length): the number of position embeddings
     */
    public SelfAttentionEncoder(ModelParameters params, String name, int dim, int maxLength, SequenceSelfAttention config) {
        if (dim % config.getNumHeads() != 0) {
            throw new IllegalArgumentException(name + ": " + config.getNumHeads() + " heads do not divide the width " + dim);
        }
        this.dim = dim;
        this.heads = config.getNumHeads();
        this.dropout = config.getDropout();
        this.mostRecent = config.getPooling() == SequenceSelfAttention.Readout.MOST_RECENT;
        this.positions = params.weight(name + "/positions", maxLength, dim, POSITION_INIT);
        int ffn = config.hasFfnDim() ? config.getFfnDim() : dim;
        for (int b = 0; b < config.getNumBlocks(); b++) {
            blocks.add(new Block(params, name + "/block_" + b, dim, ffn));
        }
    }

    /** One block: self-attention, then the point-wise feed-forward layer, each with its residual and layer norm. */
    private static final class Block {
        private final Linear query;
        private final Linear key;
        private final Linear value;
        private final Linear output;
        private final LayerNorm attentionNorm;
        private final Linear ffnIn;
        private final Linear ffnOut;
        private final LayerNorm ffnNorm;

        Block(ModelParameters params, String name, int dim, int ffn) {
            this.query = new Linear(params, name + "/query", dim, dim, true);
            // a key bias adds q . b to all of a query's scores alike, which the softmax ignores: it would never learn
            this.key = new Linear(params, name + "/key", dim, dim, false);
            this.value = new Linear(params, name + "/value", dim, dim, true);
            this.output = new Linear(params, name + "/output", dim, dim, true);
            this.attentionNorm = new LayerNorm(params, name + "/attention_norm", dim);
            this.ffnIn = new Linear(params, name + "/ffn_in", dim, ffn, true);
            this.ffnOut = new Linear(params, name + "/ffn_out", ffn, dim, true);
            this.ffnNorm = new LayerNorm(params, name + "/ffn_norm", dim);
        }

        Tensor forward(Pass pass, Tensor x, int[] offsets, int heads, float dropout) {
            Graph g = pass.graph();
            Tensor attended = g.sequenceSelfAttention(query.forward(pass, x), key.forward(pass, x), value.forward(pass, x), offsets, heads);
            Tensor h = attentionNorm.forward(pass, g.add(x, g.dropout(output.forward(pass, attended), dropout)));
            Tensor f = ffnOut.forward(pass, g.relu(ffnIn.forward(pass, h)));
            return ffnNorm.forward(pass, g.add(h, g.dropout(f, dropout)));
        }
    }

    public int outputDim() {
        return dim;
    }

    /** The sequences' encodings: B x dim for B = {@code sequence.sequences()}. */
    public Tensor forward(Pass pass, SequenceEmbedding sequence) {
        Graph g = pass.graph();
        int[] offsets = sequence.offsets();
        int rows = sequence.sequences();
        int n = sequence.positions().length;
        if (sequence.values().cols() != dim) {
            throw new IllegalArgumentException("an encoder of width " + dim + " over embeddings " + sequence.values());
        }
        if (n == 0) {
            return Tensor.constant(rows, dim, new float[rows * dim]);
        }
        int[] rank = g.indexArray(n);
        float[] readout = g.outputArray(n);
        for (int r = 0; r < rows; r++) {
            int len = offsets[r + 1] - offsets[r];
            if (len > positions.rows()) {
                throw new IllegalArgumentException("a sequence of " + len + " values, longer than the " + positions.rows()
                        + " positions embedded (the feature's max_length)");
            }
            for (int p = offsets[r]; p < offsets[r + 1]; p++) {
                rank[p] = p - offsets[r];
                readout[p] = mostRecent ? (p == offsets[r] ? 1 : 0) : 1f / len;
            }
        }
        Tensor x = g.add(g.selectRows(sequence.values(), sequence.positions()), g.selectRows(pass.param(positions), rank));
        x = g.dropout(x, dropout);
        for (Block block : blocks) {
            x = block.forward(pass, x, offsets, heads, dropout);
        }
        int[] own = g.indexArray(n);
        for (int p = 0; p < n; p++) {
            own[p] = p;
        }
        return g.weightedSequenceSum(Tensor.constant(n, 1, readout), x, own, offsets);
    }
}

package org.recspark.trainer.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.recspark.trainer.tensor.Graph;
import org.recspark.trainer.tensor.Tensor;

/**
 * A fully connected layer, x W + b, with PyTorch's default initialisation (weights and bias uniform
 * in +-1/sqrt(fan_in)) so accuracy comparisons with the PyTorch reference start from the same place.
 */
public final class Linear {
    private final Parameter weight;
    private final Parameter bias;

    public Linear(ModelParameters params, String name, int in, int out, boolean withBias) {
        float bound = (float) (1 / Math.sqrt(in));
        this.weight = params.weight(name + "/weight", in, out, new Initializer.Uniform(bound));
        this.bias = withBias ? params.weight(name + "/bias", 1, out, new Initializer.Uniform(bound)) : null;
    }

    public int outputDim() {
        return weight.cols();
    }

    public Tensor forward(Pass pass, Tensor x) {
        if (x.cols() != weight.rows()) {
            throw new IllegalArgumentException(weight.name() + " expects " + weight.rows() + " inputs, got " + x);
        }
        return pass.graph().linear(x, pass.param(weight), bias == null ? null : pass.param(bias));
    }

    /**
     * The layer over an input given as column blocks in order, each either shared by every row (1 x d:
     * a request-side feature of a 1 x N request) or one row per item (N x d). The shared blocks'
     * product with their rows of W is computed once and added like the bias, so a request pays the
     * GEMM for its item-side columns only. Inference only: nothing flows back to the weights.
     */
    public Tensor forwardSplit(Pass pass, List<Tensor> blocks, boolean[] shared, int rows) {
        if (pass.differentiable()) {
            throw new IllegalStateException(weight.name() + ": the split forward pass is for inference only");
        }
        int out = weight.cols();
        float[] w = weight.value();
        float[] rowTerm = bias == null ? new float[out] : bias.value().clone();
        List<Tensor> itemBlocks = new ArrayList<>();
        int itemCols = 0;
        int cols = 0;
        for (int b = 0; b < blocks.size(); b++) {
            Tensor block = blocks.get(b);
            if (shared[b]) {
                if (block.rows() != 1) {
                    throw new IllegalArgumentException(weight.name() + ": a shared block has one row, got " + block);
                }
                float[] x = block.data();
                for (int k = 0; k < block.cols(); k++) {
                    float v = x[k];
                    if (v != 0) {
                        int wo = (cols + k) * out;
                        for (int j = 0; j < out; j++) {
                            rowTerm[j] += v * w[wo + j];
                        }
                    }
                }
            } else {
                if (block.rows() != rows) {
                    throw new IllegalArgumentException(weight.name() + ": an item block has " + rows + " rows, got " + block);
                }
                itemBlocks.add(block);
                itemCols += block.cols();
            }
            cols += block.cols();
        }
        if (cols != weight.rows()) {
            throw new IllegalArgumentException(weight.name() + " expects " + weight.rows() + " inputs, got " + cols);
        }
        Graph g = pass.graph();
        if (itemBlocks.isEmpty()) {
            return g.repeatRows(Tensor.constant(1, out, rowTerm), rows);
        }
        // The item columns side by side plus a column of ones, whose weight row is the shared term:
        // one GEMM writes every output without a bias pass over it.
        float[] ones = new float[rows];
        Arrays.fill(ones, 1f);
        itemBlocks.add(Tensor.constant(rows, 1, ones));
        int k = itemCols + 1;
        float[] itemWeights = new float[k * out];
        int itemCol = 0;
        int col = 0;
        for (int b = 0; b < blocks.size(); b++) {
            int d = blocks.get(b).cols();
            if (!shared[b]) {
                System.arraycopy(w, col * out, itemWeights, itemCol * out, d * out);
                itemCol += d;
            }
            col += d;
        }
        System.arraycopy(rowTerm, 0, itemWeights, itemCols * out, out);
        return g.matmul(g.concat(itemBlocks), Tensor.constant(k, out, itemWeights), false);
    }
}

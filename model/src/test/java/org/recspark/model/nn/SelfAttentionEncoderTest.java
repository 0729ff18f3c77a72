package org.recspark.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recspark.model.tensor.GradientChecker.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.SequenceSelfAttention;
import org.recspark.model.embedding.EmbeddingLookup.SequenceEmbedding;
import org.recspark.model.tensor.GradientChecker;
import org.recspark.model.tensor.GradientChecker.Variable;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * The SASRec-style sequence encoder: gradients of every parameter and of the item embeddings
 * against central differences (histories of 0, 1 and several positions, an item in two histories),
 * and a planted pattern that only the order of a history reveals, which the encoder learns and a
 * mean of the same embeddings cannot.
 */
class SelfAttentionEncoderTest {
    private static final int DIM = 4;
    /** Histories of 3, 0, 1 and 5 positions over 6 distinct items (item 2 is in two histories). */
    private static final int[] OFFSETS = {0, 3, 3, 4, 9};
    private static final int[] ITEMS = {0, 1, 2, 3, 4, 2, 5, 1, 0};
    private static final int DISTINCT = 6;

    private static void randomiseNorms(ModelParameters params) {
        for (Parameter p : params.trainable()) {
            if (p.name().endsWith("/gamma") || p.name().endsWith("/beta")) {
                float[] r = uniform(p.name().hashCode(), p.size(), 0.5);
                float center = p.name().endsWith("/gamma") ? 1 : 0;
                for (int i = 0; i < r.length; i++) {
                    p.value()[i] = center + r[i];
                }
            }
        }
    }

    /** Checks the encoder's output (training passes) against every trainable parameter and the item embeddings. */
    private static void checkGradients(String label, boolean training, SequenceSelfAttention config) {
        ModelParameters params = new ModelParameters(21);
        SelfAttentionEncoder encoder = new SelfAttentionEncoder(params, "enc", DIM, 5, config);
        randomiseNorms(params);
        float[] items = uniform(3, DISTINCT * DIM, 1.0);
        List<Parameter> trainable = params.trainable();
        Gradients[] lastGradients = new Gradients[1];
        float[][] lastItemGrad = new float[1][];
        GradientChecker.Forward forward = graph -> {
            lastGradients[0] = new Gradients();
            lastItemGrad[0] = new float[items.length];
            Pass pass = new Pass(graph, null, lastGradients[0]);
            SequenceEmbedding sequence = new SequenceEmbedding(graph.leaf(DISTINCT, DIM, items, lastItemGrad[0]), ITEMS, OFFSETS);
            return encoder.forward(pass, sequence);
        };
        List<Variable> variables = new ArrayList<>();
        for (Parameter p : trainable) {
            variables.add(Variable.of(p.name(), p.value()));
        }
        variables.add(Variable.of("items", items));
        GradientChecker.check(label, GradientChecker.DEFAULT.withTraining(training).withStep(1e-3), forward, variables,
                v -> v < trainable.size() ? lastGradients[0].denseGradients().get(trainable.get(v)) : lastItemGrad[0]);
    }

    @Test
    void gradientsOfTwoBlocksOfTwoHeadsWithDropoutReadAtTheMostRecentPosition() {
        checkGradients("2 blocks, 2 heads, most recent", true, SequenceSelfAttention.newBuilder().setNumBlocks(2).setNumHeads(2)
                .setFfnDim(6).setDropout(0.2f).build());
    }

    @Test
    void gradientsOfOneBlockReadAsTheMean() {
        checkGradients("1 block, 1 head, mean", false, SequenceSelfAttention.newBuilder()
                .setPooling(SequenceSelfAttention.Readout.MEAN).build());
    }

    @Test
    void readsOutTheMostRecentPositionOrTheMeanAndGivesZerosForAnEmptyHistory() {
        SequenceSelfAttention mean = SequenceSelfAttention.newBuilder().setPooling(SequenceSelfAttention.Readout.MEAN).build();
        ModelParameters params = new ModelParameters(5);
        SelfAttentionEncoder encoder = new SelfAttentionEncoder(params, "enc", DIM, 5, mean);
        float[] items = uniform(4, DISTINCT * DIM, 1.0);
        Graph g = new Graph(false, 0);
        Tensor out = encoder.forward(new Pass(g, null, null), new SequenceEmbedding(Tensor.constant(DISTINCT, DIM, items), ITEMS, OFFSETS));
        assertEquals(4, out.rows());
        assertArrayEquals(new float[DIM], java.util.Arrays.copyOfRange(out.data(), DIM, 2 * DIM), "the empty history");
        // each encoded position is layer-normed with gamma 1 and beta 0, so their mean has mean 0 across columns too
        float sum = 0;
        for (int c = 0; c < DIM; c++) {
            sum += out.get(3, c);
        }
        assertEquals(0, sum, 1e-4);
        Tensor none = encoder.forward(new Pass(g, null, null), new SequenceEmbedding(Tensor.constant(DISTINCT, DIM, items), new int[0],
                new int[] {0, 0, 0}));
        assertArrayEquals(new float[2 * DIM], none.data(), "a batch of empty histories");
        assertThrows(IllegalArgumentException.class, () -> encoder.forward(new Pass(g, null, null),
                new SequenceEmbedding(Tensor.constant(DISTINCT, DIM, items), new int[] {0, 1, 2, 3, 4, 5}, new int[] {0, 6})),
                "6 positions with 5 position embeddings");
        assertThrows(IllegalArgumentException.class, () -> new SelfAttentionEncoder(new ModelParameters(1), "e", DIM, 5,
                SequenceSelfAttention.newBuilder().setNumHeads(3).build()));
    }

    /**
     * Histories of three distinct items out of eight, in every order; the target is the oldest of
     * the three. A mean (or any pooling blind to order) sees the same set for the three targets of
     * a set, so it can be right a third of the time at best; the encoder, read at the most recent
     * position, must attend to the right position to find it.
     */
    @Test
    void learnsATargetThatOnlyTheOrderOfTheHistoryReveals() {
        int items = 8;
        List<int[]> histories = new ArrayList<>();
        for (int a = 0; a < items; a++) {
            for (int b = 0; b < items; b++) {
                for (int c = 0; c < items; c++) {
                    if (a != b && b != c && a != c) {
                        histories.add(new int[] {a, b, c});
                    }
                }
            }
        }
        int rows = histories.size();
        int[] positions = new int[rows * 3];
        int[] offsets = new int[rows + 1];
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(histories.get(r), 0, positions, 3 * r, 3);
            offsets[r + 1] = 3 * (r + 1);
            targets[r] = histories.get(r)[2];
        }
        int dim = 16;
        float encoded = train(true, items, dim, positions, offsets, targets);
        float pooled = train(false, items, dim, positions, offsets, targets);
        assertTrue(pooled < 0.4f, "a mean of the history cannot tell its oldest item, yet was right " + pooled);
        assertTrue(encoded > 0.9f, "the encoder should find the oldest item, right " + encoded + " (the mean " + pooled + ")");
    }

    /** Trains item embeddings, the encoder (or a mean) and an output layer with Adam; returns the training accuracy. */
    private static float train(boolean encode, int items, int dim, int[] positions, int[] offsets, int[] targets) {
        ModelParameters params = new ModelParameters(7);
        Parameter embeddings = params.weight("items", items, dim, new Initializer.Normal(0.5f));
        SelfAttentionEncoder encoder = encode ? new SelfAttentionEncoder(params, "enc", dim, 3,
                SequenceSelfAttention.newBuilder().setNumHeads(2).setFfnDim(32).build()) : null;
        Linear classes = new Linear(params, "out", dim, items, true);
        Map<Parameter, float[][]> moments = new java.util.HashMap<>();
        int rows = targets.length;
        float[] weights = new float[positions.length];
        java.util.Arrays.fill(weights, 1f / 3);
        float accuracy = 0;
        for (int step = 0; step <= 400; step++) {
            Gradients gradients = new Gradients();
            Graph g = new Graph(true, step);
            Pass pass = new Pass(g, null, gradients);
            Tensor table = pass.param(embeddings);
            int[] own = new int[positions.length];
            for (int p = 0; p < own.length; p++) {
                own[p] = p;
            }
            Tensor user = encode ? encoder.forward(pass, new SequenceEmbedding(table, positions, offsets))
                    : g.weightedSequenceSum(Tensor.constant(positions.length, 1, weights), g.selectRows(table, positions), own, offsets);
            Tensor logits = classes.forward(pass, user);
            accuracy = accuracy(logits, targets);
            g.backward(g.softmaxCrossEntropy(logits, targets, null, 1f / rows));
            adam(params, gradients, moments, step + 1, 0.01f);
        }
        return accuracy;
    }

    private static float accuracy(Tensor logits, int[] targets) {
        int right = 0;
        for (int r = 0; r < targets.length; r++) {
            int best = 0;
            for (int c = 1; c < logits.cols(); c++) {
                if (logits.get(r, c) > logits.get(r, best)) {
                    best = c;
                }
            }
            right += best == targets[r] ? 1 : 0;
        }
        return (float) right / targets.length;
    }

    private static void adam(ModelParameters params, Gradients gradients, Map<Parameter, float[][]> moments, int t, float lr) {
        for (Parameter p : params.trainable()) {
            float[] grad = gradients.denseGradients().get(p);
            if (grad == null) {
                continue;
            }
            float[][] m = moments.computeIfAbsent(p, k -> new float[2][p.size()]);
            for (int i = 0; i < p.size(); i++) {
                m[0][i] = 0.9f * m[0][i] + 0.1f * grad[i];
                m[1][i] = 0.999f * m[1][i] + 0.001f * grad[i] * grad[i];
                double mHat = m[0][i] / (1 - Math.pow(0.9, t));
                double vHat = m[1][i] / (1 - Math.pow(0.999, t));
                p.value()[i] -= (float) (lr * mHat / (Math.sqrt(vHat) + 1e-8));
            }
        }
    }
}

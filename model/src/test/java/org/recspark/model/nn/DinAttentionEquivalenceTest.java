package org.recspark.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recspark.model.tensor.GradientChecker.uniform;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.config.proto.Activation;
import org.recspark.config.proto.MLP;
import org.recspark.model.embedding.EmbeddingLookup.SequenceEmbedding;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/**
 * DIN's attention as it is computed now (packed sequences over distinct keys, the fused unit layer,
 * DICE as one op) against the padded formulation it replaced (every row padded to the longest
 * sequence, each position its own copy of its key, the query repeated per position, [q, k, q - k,
 * q * k] concatenated, the scores masked), from the same parameters: the interest vectors and every
 * gradient agree within float rounding.
 */
class DinAttentionEquivalenceTest {
    private static final int DIM = 3;
    /** Sequences of 4, 1, 0 and 3 positions over 5 distinct keys, two of them at several positions. */
    private static final int[] OFFSETS = {0, 4, 5, 5, 8};
    private static final int[] POSITIONS = {0, 1, 2, 1, 3, 0, 4, 1};
    private static final int DISTINCT = 5;
    private static final int ROWS = OFFSETS.length - 1;
    private static final int LONGEST = 4;

    private record Run(float[] interest, float[] queryGrad, float[] keysGrad, Gradients gradients) {}

    private static Run run(ModelParameters params, Mlp attention, Linear score, boolean training, boolean padded) {
        float[] query = uniform(1, ROWS * DIM, 1.0);
        float[] keys = uniform(2, DISTINCT * DIM, 1.0);
        Graph g = new Graph(training, 0);
        Gradients gradients = new Gradients();
        Pass pass = new Pass(g, null, gradients);
        float[] queryGrad = new float[query.length];
        float[] keysGrad = new float[keys.length];
        Tensor q = g.leaf(ROWS, DIM, query, queryGrad);
        Tensor k = g.leaf(DISTINCT, DIM, keys, keysGrad);
        Tensor interest = padded ? paddedInterest(pass, attention, score, q, k) : packedInterest(pass, attention, score, q, k);
        g.backward(g.total(g.mul(interest, Tensor.constant(ROWS, DIM, uniform(3, ROWS * DIM, 1.0)))));
        return new Run(interest.data(), queryGrad, keysGrad, gradients);
    }

    private static Tensor packedInterest(Pass pass, Mlp attention, Linear score, Tensor query, Tensor keys) {
        SequenceEmbedding seq = new SequenceEmbedding(keys, POSITIONS, OFFSETS);
        Tensor scores = score.forward(pass, attention.forwardDinUnit(pass, query, seq));
        return pass.graph().weightedSequenceSum(scores, keys, POSITIONS, OFFSETS);
    }

    private static Tensor paddedInterest(Pass pass, Mlp attention, Linear score, Tensor query, Tensor keys) {
        Graph g = pass.graph();
        int[] paddedRows = new int[ROWS * LONGEST];
        float[] mask = new float[ROWS * LONGEST];
        int[] uniformOffsets = new int[ROWS + 1];
        int[] identity = new int[ROWS * LONGEST];
        // padding positions read a zero row appended to the keys
        Tensor withZero = g.concat(List.of(g.reshape(keys, 1, keys.size()), Tensor.constant(1, DIM, new float[DIM])));
        Tensor keyRows = g.reshape(withZero, DISTINCT + 1, DIM);
        for (int r = 0; r < ROWS; r++) {
            uniformOffsets[r + 1] = (r + 1) * LONGEST;
            for (int l = 0; l < LONGEST; l++) {
                int pos = OFFSETS[r] + l;
                boolean real = pos < OFFSETS[r + 1];
                paddedRows[r * LONGEST + l] = real ? POSITIONS[pos] : DISTINCT;
                identity[r * LONGEST + l] = r * LONGEST + l;
                mask[r * LONGEST + l] = real ? 1 : 0;
            }
        }
        Tensor paddedKeys = g.selectRows(keyRows, paddedRows);
        Tensor repeated = g.repeatRows(query, LONGEST);
        Tensor unit = g.concat(List.of(repeated, paddedKeys, g.sub(repeated, paddedKeys), g.mul(repeated, paddedKeys)));
        Tensor scores = g.mul(score.forward(pass, attention.forward(pass, unit)), Tensor.constant(ROWS * LONGEST, 1, mask));
        return g.weightedSequenceSum(scores, paddedKeys, identity, uniformOffsets);
    }

    private static void assertSame(ModelParameters params, Run packed, Run padded, String mode) {
        assertArrayEquals(padded.interest(), packed.interest(), 1e-5f, mode + ": interest");
        assertArrayEquals(padded.queryGrad(), packed.queryGrad(), 1e-5f, mode + ": query gradient");
        assertArrayEquals(padded.keysGrad(), packed.keysGrad(), 1e-5f, mode + ": keys gradient");
        for (Parameter p : params.trainable()) {
            float[] expected = padded.gradients().denseGradients().get(p);
            float[] actual = packed.gradients().denseGradients().get(p);
            assertArrayEquals(expected, actual, 1e-5f, mode + ": gradient of " + p.name());
        }
        assertTrue(packed.interest()[0] != 0, mode + ": a non-trivial interest vector");
    }

    private static MLP attentionConfig(Activation activation) {
        return MLP.newBuilder().addHiddenUnits(5).addHiddenUnits(4).setActivation(activation).build();
    }

    @Test
    void reluAttentionTrainsAsThePaddedOne() {
        ModelParameters params = new ModelParameters(7);
        Mlp attention = new Mlp(params, "att", 4 * DIM, attentionConfig(Activation.RELU));
        Linear score = new Linear(params, "att/out", attention.outputDim(), 1, true);
        assertSame(params, run(params, attention, score, true, false), run(params, attention, score, true, true), "relu training");
    }

    /**
     * With DICE the batch statistics of training passes differ by design (padding no longer counts
     * in them), so the equivalence holds where DICE normalises with its running statistics.
     */
    @Test
    void diceAttentionPredictsAsThePaddedOne() {
        ModelParameters params = new ModelParameters(8);
        Mlp attention = new Mlp(params, "att", 4 * DIM, attentionConfig(Activation.DICE));
        Linear score = new Linear(params, "att/out", attention.outputDim(), 1, true);
        for (String buffer : List.of("att/0/act/dice_bn/running_mean", "att/1/act/dice_bn/running_mean", "att/0/act/dice_alpha",
                "att/1/act/dice_alpha")) {
            float[] v = params.parameter(buffer).value();
            System.arraycopy(uniform(buffer.hashCode(), v.length, 0.5), 0, v, 0, v.length);
        }
        assertSame(params, run(params, attention, score, false, false), run(params, attention, score, false, true), "dice evaluation");
    }
}

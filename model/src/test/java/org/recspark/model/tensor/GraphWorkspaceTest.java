package org.recspark.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.recspark.model.tensor.GradientChecker.uniform;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A training graph whose tensors and gradients come from a workspace reused across passes, as the
 * trainer's steps do: every pass gives, to the bit, what a graph that allocates gives, also when a
 * pass of another batch size comes in between (an epoch's smaller last batch).
 */
class GraphWorkspaceTest {
    private static final int FIELDS = 3;
    private static final int DIM = 4;
    private static final int HIDDEN = 5;

    /** A DeepFM-like pass (concat, fused hidden layer, dropout, linear, FM, sum, bias); its loss, output and every input gradient. */
    private static List<float[]> run(int rows, long seed, Workspace workspace) {
        if (workspace != null) {
            workspace.begin();
        }
        Graph g = new Graph(true, seed, workspace);
        List<float[]> grads = new ArrayList<>();
        List<Tensor> fields = new ArrayList<>();
        for (int f = 0; f < FIELDS; f++) {
            fields.add(g.source(rows, DIM, uniform(seed + f, rows * DIM, 1.0), true));
        }
        Tensor w1 = leaf(g, FIELDS * DIM, HIDDEN, uniform(10, FIELDS * DIM * HIDDEN, 0.5), grads);
        Tensor b1 = leaf(g, 1, HIDDEN, uniform(11, HIDDEN, 0.5), grads);
        Tensor w2 = leaf(g, HIDDEN, 1, uniform(12, HIDDEN, 0.5), grads);
        Tensor b2 = leaf(g, 1, 1, uniform(13, 1, 0.5), grads);
        Tensor input = g.concat(fields);
        Tensor hidden = g.dropout(g.linearLeakyRelu(input, w1, b1, 0.1f), 0.2f);
        Tensor logits = g.sum(List.of(g.linear(hidden, w2, b2), g.factorizationMachine(input, FIELDS),
                g.rowSum(g.sigmoid(g.slice(input, 1, 3)))));
        float[] labels = new float[rows];
        for (int r = 0; r < rows; r += 2) {
            labels[r] = 1;
        }
        Tensor loss = g.binaryCrossEntropyWithLogits(logits, labels, 1f / rows);
        g.backward(loss);
        List<float[]> out = new ArrayList<>();
        out.add(loss.data().clone());
        out.add(logits.data().clone());
        for (Tensor f : fields) {
            out.add(f.grad().clone());
        }
        out.addAll(grads);
        return out;
    }

    private static Tensor leaf(Graph g, int rows, int cols, float[] data, List<float[]> grads) {
        float[] grad = new float[data.length];
        grads.add(grad);
        return g.leaf(rows, cols, data, grad);
    }

    @Test
    void passesOverAReusedWorkspaceEqualAllocatingOnesToTheBit() {
        Workspace workspace = new Workspace();
        int[] rows = {8, 8, 3, 8, 3, 8};
        for (int i = 0; i < rows.length; i++) {
            List<float[]> expected = run(rows[i], 100 + i, null);
            List<float[]> actual = run(rows[i], 100 + i, workspace);
            assertEquals(expected.size(), actual.size());
            for (int k = 0; k < expected.size(); k++) {
                assertArrayEquals(expected.get(k), actual.get(k), 0f, "pass " + i + " (" + rows[i] + " rows), result " + k);
            }
        }
    }

    @Test
    void opOutputsAndGradientsAreTheWorkspacesArrays() {
        Workspace workspace = new Workspace();
        workspace.begin();
        Graph g = new Graph(true, 1, workspace);
        Tensor x = g.source(2, 2, new float[] {1, 2, 3, 4}, true);
        Tensor y = g.concat(List.of(x, x));
        g.backward(g.total(y));
        float[] values = y.data();
        float[] gradient = x.grad();
        assertArrayEquals(new float[] {2, 2, 2, 2}, gradient, 0f, "x is used twice");
        workspace.begin();
        Graph next = new Graph(true, 2, workspace);
        Tensor x2 = next.source(2, 2, new float[] {5, 6, 7, 8}, true);
        Tensor y2 = next.concat(List.of(x2, x2));
        assertSame(values, y2.data(), "the next pass's concatenation reuses the array");
        next.backward(next.total(y2));
        float[] gradient2 = x2.grad();
        assertSame(gradient, gradient2, "and the gradient its array");
        assertArrayEquals(new float[] {2, 2, 2, 2}, gradient2, 0f, "a reused gradient starts from zeros");
    }
}

package org.recspark.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Graph#backward(Tensor, java.util.function.Consumer)} hands over each leaf gradient once it is final. */
class GraphFinishedGradientsTest {

    @Test
    void eachLeafGradientComesOnceWhenFinalLastLayerFirst() {
        Graph graph = new Graph(true, 1);
        Tensor x = Tensor.constant(4, 3, GradientChecker.uniform(1, 12, 1.0));
        float[] w1Grad = new float[15];
        float[] b1Grad = new float[5];
        float[] w2Grad = new float[5];
        Tensor w1 = graph.leaf(3, 5, GradientChecker.uniform(2, 15, 1.0), w1Grad);
        Tensor b1 = graph.leaf(1, 5, GradientChecker.uniform(3, 5, 1.0), b1Grad);
        Tensor hidden = graph.relu(graph.linear(x, w1, b1));
        Tensor w2 = graph.leaf(5, 1, GradientChecker.uniform(4, 5, 1.0), w2Grad);
        // w1 used a second time, after w2: its gradient is final only once this use is back-propagated too
        Tensor again = graph.leaf(3, 5, w1.data(), w1Grad);
        Tensor loss = graph.add(graph.total(graph.matmul(hidden, w2, false)), graph.total(graph.matmul(x, again, false)));

        List<float[]> order = new ArrayList<>();
        List<float[]> atHandOver = new ArrayList<>();
        graph.backward(loss, grad -> {
            order.add(grad);
            atHandOver.add(grad.clone());
        });

        assertEquals(3, order.size(), "each buffer once, the second leaf of w1 adds none");
        assertSame(w2Grad, order.get(0), "the last layer's gradient is finished first");
        assertSame(w1Grad, order.get(2), "w1's gradient waits for its first use");
        for (int i = 0; i < order.size(); i++) {
            assertArrayEquals(order.get(i), atHandOver.get(i), "buffer " + i + " changed after it was handed over");
        }
    }
}

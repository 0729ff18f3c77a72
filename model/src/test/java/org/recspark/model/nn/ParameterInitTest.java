package org.recspark.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;

/** A parameter's initial value depends only on (seed, name); Linear follows PyTorch's bounds. */
class ParameterInitTest {

    @Test
    void sameSeedAndNameGiveTheSameValuesWhateverTheOrder() {
        ModelParameters first = new ModelParameters(42);
        Parameter a1 = first.weight("tower/a", 3, 4, new Initializer.Uniform(1f));
        Parameter b1 = first.weight("tower/b", 2, 2, new Initializer.Normal(0.5f));
        ModelParameters second = new ModelParameters(42);
        second.weight("other", 10, 10, new Initializer.Uniform(1f));
        Parameter b2 = second.weight("tower/b", 2, 2, new Initializer.Normal(0.5f));
        Parameter a2 = second.weight("tower/a", 3, 4, new Initializer.Uniform(1f));
        assertArrayEquals(a1.value(), a2.value(), "same seed and name, created in another order");
        assertArrayEquals(b1.value(), b2.value(), "same seed and name, normal initializer");
        assertFalse(Arrays.equals(a1.value(), new ModelParameters(43).weight("tower/a", 3, 4, new Initializer.Uniform(1f)).value()),
                "another seed gives other values");
        assertFalse(Arrays.equals(a1.value(), first.weight("tower/c", 3, 4, new Initializer.Uniform(1f)).value()),
                "another name gives other values");
        assertFalse(Arrays.equals(Arrays.copyOf(a1.value(), 4), Arrays.copyOfRange(a1.value(), 4, 8)), "rows differ");
    }

    @Test
    void linearInitialisationIsUniformWithinOneOverSqrtFanIn() {
        ModelParameters params = new ModelParameters(7);
        Linear linear = new Linear(params, "fc", 16, 64, true);
        assertEquals(64, linear.outputDim(), "output dimension");
        float[] w = params.parameter("fc/weight").value();
        float[] b = params.parameter("fc/bias").value();
        assertEquals(16 * 64, w.length, "weight is in x out");
        assertEquals(64, b.length, "bias is 1 x out");
        float bound = 0.25f;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        double sum = 0;
        for (float v : w) {
            assertTrue(Math.abs(v) <= bound, "weight " + v + " outside +-1/sqrt(16)");
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        assertTrue(min < -0.24 && max > 0.24, "the draws fill the range, got [" + min + ", " + max + "]");
        assertEquals(0, sum / w.length, 0.02, "mean about 0");
        // the variance of U(-a, a) is a^2 / 3
        double var = 0;
        for (float v : w) {
            var += (v - sum / w.length) * (v - sum / w.length);
        }
        assertEquals(bound * bound / 3, var / w.length, 0.003, "variance of a uniform draw");
        float bMax = 0;
        for (float v : b) {
            assertTrue(Math.abs(v) <= bound, "bias " + v + " outside +-1/sqrt(16)");
            bMax = Math.max(bMax, Math.abs(v));
        }
        assertTrue(bMax > 0.15f, "bias is drawn too, max |b| " + bMax);
        // a second model with the same seed starts identically
        ModelParameters again = new ModelParameters(7);
        new Linear(again, "fc", 16, 64, true);
        assertArrayEquals(w, again.parameter("fc/weight").value(), "deterministic weights");
        assertArrayEquals(b, again.parameter("fc/bias").value(), "deterministic bias");
    }

    @Test
    void normsStartAtIdentityAndBuffersAreNotTrainable() {
        ModelParameters params = new ModelParameters(3);
        new LayerNorm(params, "ln", 3);
        new BatchNorm(params, "bn", 3, true);
        assertArrayEquals(new float[] {1, 1, 1}, params.parameter("ln/gamma").value(), "layer-norm gain");
        assertArrayEquals(new float[] {0, 0, 0}, params.parameter("ln/beta").value(), "layer-norm bias");
        assertArrayEquals(new float[] {1, 1, 1}, params.parameter("bn/gamma").value(), "batch-norm gain");
        List<String> trainable = params.trainable().stream().map(Parameter::name).toList();
        assertEquals(List.of("ln/gamma", "ln/beta", "bn/gamma", "bn/beta"), trainable, "trainable in creation order");
        assertEquals(6, params.all().size(), "with the two running statistics");
        assertEquals(18, params.denseParameterCount(), "six vectors of three");
        // a buffer enters a pass as a constant, a weight as a leaf sending gradients to the shard's buffer
        Gradients gradients = new Gradients();
        Pass pass = new Pass(new Graph(true, 0), null, gradients);
        Tensor buffer = pass.param(params.parameter("bn/running_mean"));
        Tensor weight = pass.param(params.parameter("bn/gamma"));
        assertFalse(buffer.requiresGrad(), "buffers take no gradient");
        assertTrue(weight.requiresGrad(), "weights take a gradient");
        assertSame(params.parameter("bn/gamma").value(), weight.data(), "a parameter's values are not copied");
        assertFalse(Pass.inference(null).param(params.parameter("bn/gamma")).requiresGrad(), "no gradients at inference");
    }

    @Test
    void namesAreUnique() {
        ModelParameters params = new ModelParameters(1);
        params.weight("w", 1, 1, Initializer.zeros());
        assertThrows(IllegalArgumentException.class, () -> params.weight("w", 2, 2, Initializer.zeros()), "a weight twice");
        assertThrows(IllegalArgumentException.class, () -> params.buffer("w", 1, 1, Initializer.zeros()), "a buffer over a weight");
        new Linear(params, "fc", 2, 2, true);
        assertThrows(IllegalArgumentException.class, () -> new Linear(params, "fc", 2, 2, true), "two layers of one name");
    }

    @Test
    void truncatedNormalStaysWithinTwoStandardDeviations() {
        float[] v = new ModelParameters(5).weight("e", 100, 100, new Initializer.TruncatedNormal(0.1f)).value();
        double sumSq = 0;
        for (float x : v) {
            assertTrue(Math.abs(x) <= 0.2f + 1e-7f, "value " + x + " beyond two standard deviations");
            sumSq += x * x;
        }
        // the variance of a standard normal truncated to [-2, 2] is about 0.774
        assertEquals(0.774 * 0.01, sumSq / v.length, 0.0005, "truncated-normal variance");
    }
}

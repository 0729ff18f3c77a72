package org.recspark.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * Numerical gradient checking for the reverse-mode ops of {@link Graph}, reusable for whole layers
 * (parameters in {@code ModelParameters}) and embedding tables (rows in the table's chunks).
 *
 * <p>The function checked is the scalar {@code loss = total(mul(out, R))} of a forward pass's output
 * with a fixed random weight matrix R of the output's shape. Its analytic gradient comes from
 * {@link Graph#backward}; the numerical one is the central difference {@code (f(x + h) - f(x - h)) /
 * 2h} of every perturbed float, with {@code f} summed in double precision from the output's values
 * (the step is the difference of the two perturbed floats as stored, so float rounding of {@code x +-
 * h} does not bias the quotient). A pair passes when {@code |a - n| <= rtol * max(|a|, |n|) + atol}.
 */
public final class GradientChecker {
    /** Fixed seed of every graph a check builds, so dropout masks agree between the passes. */
    public static final long GRAPH_SEED = 20240611L;

    /** What {@link #checkOp} leaves' gradient buffers hold before the backward pass. */
    static final float PRIOR_GRADIENT = 0.375f;

    /** How a check runs. */
    public record Settings(boolean training, double step, double relativeTolerance, double absoluteTolerance) {
        public Settings withTraining(boolean value) {
            return new Settings(value, step, relativeTolerance, absoluteTolerance);
        }

        public Settings withStep(double value) {
            return new Settings(training, value, relativeTolerance, absoluteTolerance);
        }

        public Settings withTolerance(double relative, double absolute) {
            return new Settings(training, step, relative, absolute);
        }
    }

    /** Training graphs, h = 1e-2, 1% relative plus 1e-3 absolute (float32 forward passes of size ~1). */
    public static final Settings DEFAULT = new Settings(true, 1e-2, 1e-2, 1e-3);

    /**
     * Floats to perturb: {@code length} values of {@code values} from {@code offset}. When {@code
     * mayBeZero} is false the check also demands a numerical gradient that is not all zeros, so a
     * variable the output does not depend on cannot pass vacuously.
     */
    public record Variable(String name, float[] values, int offset, int length, boolean mayBeZero) {
        public static Variable of(String name, float[] values) {
            return new Variable(name, values, 0, values.length, false);
        }

        public static Variable of(String name, float[] values, int offset, int length) {
            return new Variable(name, values, offset, length, false);
        }

        public Variable allowingZeroGradient() {
            return new Variable(name, values, offset, length, true);
        }
    }

    /**
     * Builds the output on a fresh graph from the current values of the variables. Each call must send
     * gradients to fresh buffers (the analytic gradients are read after the first call's backward).
     */
    @FunctionalInterface
    public interface Forward {
        Tensor run(Graph graph);
    }

    /** An op applied to graph inputs (see {@link Input}). */
    @FunctionalInterface
    public interface Op {
        Tensor apply(Graph graph, Tensor[] inputs);
    }

    /** An input of an op: its shape, values and whether it takes a gradient (a leaf) or is a constant. */
    public record Input(String name, int rows, int cols, float[] values, boolean requiresGrad) {
        public Input {
            if (values.length != rows * cols) {
                throw new IllegalArgumentException(name + " has " + values.length + " values, not " + rows + " x " + cols);
            }
        }

        public static Input of(String name, int rows, int cols, float[] values) {
            return new Input(name, rows, cols, values, true);
        }

        public static Input constant(String name, int rows, int cols, float[] values) {
            return new Input(name, rows, cols, values, false);
        }
    }

    /** What a check measured, for tests that make further claims. */
    public record Result(float[][] analytic, double[][] numerical, double maxError) {}

    private GradientChecker() {
    }

    /** Random values uniform in (-scale, scale), deterministic in the seed. */
    public static float[] uniform(long seed, int n, double scale) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return out;
    }

    /** Random values with {@code min <= |v| < max} and random sign (away from the kinks of relu and friends). */
    public static float[] awayFromZero(long seed, int n, double min, double max) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            double magnitude = min + random.nextDouble() * (max - min);
            out[i] = (float) (random.nextBoolean() ? magnitude : -magnitude);
        }
        return out;
    }

    /** The fixed weights R for an output shape. */
    static float[] lossWeights(int rows, int cols) {
        float[] r = uniform(0x5EEDL + 1_000_003L * rows + cols, rows * cols, 1.0);
        for (int i = 0; i < r.length; i++) {
            // keep every weight away from zero so no output element is ignored
            r[i] += r[i] >= 0 ? 0.25f : -0.25f;
        }
        return r;
    }

    /** Checks an op's gradients with respect to every input that requires one, with default settings. */
    public static Result checkOp(String label, Op op, Input... inputs) {
        return checkOp(label, DEFAULT, op, inputs);
    }

    /**
     * Checks an op's gradients with respect to every input that requires one. Each input's gradient
     * buffer starts at {@link #PRIOR_GRADIENT}, so an op that overwrites instead of accumulating fails.
     */
    public static Result checkOp(String label, Settings settings, Op op, Input... inputs) {
        float[][] values = new float[inputs.length][];
        float[][][] lastGrads = new float[1][][];
        List<Variable> variables = new ArrayList<>();
        List<Integer> variableInputs = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            values[i] = inputs[i].values().clone();
            if (inputs[i].requiresGrad()) {
                variables.add(Variable.of(inputs[i].name(), values[i]));
                variableInputs.add(i);
            }
        }
        if (variables.isEmpty()) {
            throw new IllegalArgumentException(label + ": no input requires a gradient");
        }
        Forward forward = graph -> {
            float[][] grads = new float[inputs.length][];
            Tensor[] tensors = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                Input in = inputs[i];
                if (in.requiresGrad()) {
                    // a buffer that already holds a gradient: ops must add to it (+=), never overwrite it
                    grads[i] = new float[values[i].length];
                    Arrays.fill(grads[i], PRIOR_GRADIENT);
                    tensors[i] = graph.leaf(in.rows(), in.cols(), values[i], grads[i]);
                } else {
                    tensors[i] = Tensor.constant(in.rows(), in.cols(), values[i]);
                }
            }
            lastGrads[0] = grads;
            float[][] before = new float[inputs.length][];
            for (int i = 0; i < inputs.length; i++) {
                before[i] = values[i].clone();
            }
            Tensor out = op.apply(graph, tensors);
            for (int i = 0; i < inputs.length; i++) {
                assertArrayEquals(before[i], values[i], label + ": the op modified input " + inputs[i].name());
            }
            return out;
        };
        return check(label, settings, forward, variables, v -> {
            float[] accumulated = lastGrads[0][variableInputs.get(v)];
            float[] own = new float[accumulated.length];
            for (int k = 0; k < own.length; k++) {
                own[k] = accumulated[k] - PRIOR_GRADIENT;
            }
            return own;
        });
    }

    /**
     * The general check: {@code analytic.apply(v)} returns variable v's analytic gradient ({@code
     * length} floats) after the first forward pass's backward.
     */
    public static Result check(String label, Settings settings, Forward forward, List<Variable> variables,
                               IntFunction<float[]> analytic) {
        Graph graph = new Graph(settings.training(), GRAPH_SEED);
        Tensor out = forward.run(graph);
        assertTrue(out.requiresGrad(), label + ": the output does not depend on any variable");
        float[] weights = lossWeights(out.rows(), out.cols());
        Tensor loss = graph.total(graph.mul(out, Tensor.constant(out.rows(), out.cols(), weights)));
        double baseline = weightedSum(out, weights);
        assertEquals(baseline, loss.data()[0], 1e-4 * Math.max(1, Math.abs(baseline)), label + ": total(mul(out, R))");
        graph.backward(loss);

        float[][] analyticGrads = new float[variables.size()][];
        for (int v = 0; v < variables.size(); v++) {
            float[] a = analytic.apply(v);
            Variable var = variables.get(v);
            analyticGrads[v] = a == null ? new float[var.length()] : Arrays.copyOf(a, var.length());
        }

        double[][] numerical = new double[variables.size()][];
        double maxError = 0;
        StringBuilder failures = new StringBuilder();
        int failed = 0;
        for (int v = 0; v < variables.size(); v++) {
            Variable var = variables.get(v);
            numerical[v] = new double[var.length()];
            double largest = 0;
            for (int k = 0; k < var.length(); k++) {
                int i = var.offset() + k;
                float original = var.values()[i];
                float plus = (float) (original + settings.step());
                float minus = (float) (original - settings.step());
                var.values()[i] = plus;
                double fPlus = weightedSum(forward.run(new Graph(settings.training(), GRAPH_SEED)), weights);
                var.values()[i] = minus;
                double fMinus = weightedSum(forward.run(new Graph(settings.training(), GRAPH_SEED)), weights);
                var.values()[i] = original;
                double n = (fPlus - fMinus) / ((double) plus - (double) minus);
                numerical[v][k] = n;
                largest = Math.max(largest, Math.abs(n));
                double a = analyticGrads[v][k];
                double error = Math.abs(a - n);
                double allowed = settings.relativeTolerance() * Math.max(Math.abs(a), Math.abs(n)) + settings.absoluteTolerance();
                maxError = Math.max(maxError, error);
                if (!(error <= allowed)) {
                    if (failed++ < 10) {
                        failures.append(String.format("%n  d/d %s[%d]: analytic %.6g, numerical %.6g", var.name(), k, a, n));
                    }
                }
            }
            if (!var.mayBeZero() && largest < 1e-4) {
                failures.append(String.format("%n  %s: the numerical gradient is zero everywhere (a vacuous check)", var.name()));
                failed++;
            }
        }
        if (failed > 0) {
            fail(label + ": " + failed + " gradient mismatches" + failures);
        }
        return new Result(analyticGrads, numerical, maxError);
    }

    private static double weightedSum(Tensor out, float[] weights) {
        float[] d = out.data();
        if (d.length != weights.length) {
            throw new IllegalStateException("the output changed shape between passes");
        }
        double s = 0;
        for (int i = 0; i < d.length; i++) {
            s += (double) d[i] * weights[i];
        }
        return s;
    }
}

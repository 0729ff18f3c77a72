package org.recspark.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.recspark.model.tensor.Blas;
import org.recspark.model.tensor.Graph;
import org.recspark.model.tensor.Tensor;
import org.recspark.model.tensor.Workspace;

/**
 * The dense part of one DeepFM training shard on one thread, forward and backward, with the hidden
 * layers and the FM term built from separate ops ("composed": linear then ReLU; two field sums, a
 * square, a difference, a row sum and a scale) against the fused ops the model uses
 * ({@link Graph#linearLeakyRelu}, {@link Graph#factorizationMachine}). MovieLens shapes: a shard of
 * 512 rows, 7 fields x 16 = 112 inputs, MLP 256-128, output 1. The two variants alternate round by
 * round in one JVM, so a busy machine slows both alike; per variant it prints the fastest and the
 * median round in microseconds per step, of this thread's CPU time (what the step costs, which a
 * machine with more runnable threads than cores stretches less than wall time) and of wall time.
 * As in the trainer, each step's op outputs, activation gradients and fused ops' buffers come from
 * workspaces begun anew every step, and the leaves' gradient buffers are kept across steps.
 *
 * <pre>
 *   DenseStepBench [rounds] [steps per round] [rows]
 * </pre>
 */
public final class DenseStepBench {
    private static final int FIELDS = 7;
    private static final int DIM = 16;
    private static final int[] LAYERS = {FIELDS * DIM, 256, 128, 1};

    private DenseStepBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        Blas.init();
        SplittableRandom random = new SplittableRandom(7);
        float[] input = values(random, rows * LAYERS[0], 0.1);
        float[][] weights = new float[LAYERS.length - 1][];
        float[][] biases = new float[LAYERS.length - 1][];
        for (int l = 0; l + 1 < LAYERS.length; l++) {
            weights[l] = values(random, LAYERS[l] * LAYERS[l + 1], 1 / Math.sqrt(LAYERS[l]));
            biases[l] = values(random, LAYERS[l + 1], 1 / Math.sqrt(LAYERS[l]));
        }
        float[] labels = new float[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = random.nextBoolean() ? 1 : 0;
        }
        Buffers buffers = new Buffers(input, weights, biases);
        double checksum = 0;
        for (int warm = 0; warm < 200; warm++) {
            checksum += step(warm % 2 == 1, rows, buffers, labels);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<List<Double>> cpu = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> wall = List.of(new ArrayList<>(), new ArrayList<>());
        for (int round = 0; round < rounds; round++) {
            for (int variant = 0; variant < 2; variant++) {
                long cpuStarted = threads.getCurrentThreadCpuTime();
                long started = System.nanoTime();
                for (int s = 0; s < steps; s++) {
                    checksum += step(variant == 1, rows, buffers, labels);
                }
                wall.get(variant).add((System.nanoTime() - started) / 1e3 / steps);
                cpu.get(variant).add((threads.getCurrentThreadCpuTime() - cpuStarted) / 1e3 / steps);
            }
        }
        System.out.println(String.format(Locale.ROOT, "{\"rows\": %d, \"rounds\": %d, \"steps_per_round\": %d, \"cpu\": %s, \"wall\": %s, \"checksum\": %.3f}",
                rows, rounds, steps, compare(cpu), compare(wall), checksum));
    }

    /** The leaves' values and gradient buffers, and the step's workspaces, kept across steps as the trainer keeps them. */
    private record Buffers(float[] input, float[] inputGrad, float[][] weights, float[][] weightGrads, float[][] biases,
                           float[][] biasGrads, Workspace outputs, Workspace scratch) {
        Buffers(float[] input, float[][] weights, float[][] biases) {
            this(input, new float[input.length], weights, zerosLike(weights), biases, zerosLike(biases), new Workspace(), new Workspace());
        }

        private static float[][] zerosLike(float[][] arrays) {
            float[][] zeros = new float[arrays.length][];
            for (int i = 0; i < arrays.length; i++) {
                zeros[i] = new float[arrays[i].length];
            }
            return zeros;
        }

        /** Zeroes the gradients (backward adds into them) and begins the workspaces' next pass. */
        void begin() {
            Arrays.fill(inputGrad, 0f);
            for (int l = 0; l < weightGrads.length; l++) {
                Arrays.fill(weightGrads[l], 0f);
                Arrays.fill(biasGrads[l], 0f);
            }
            outputs.begin();
            scratch.begin();
        }
    }

    /** One forward and backward pass; returns the loss. */
    private static double step(boolean fused, int rows, Buffers buffers, float[] labels) {
        buffers.begin();
        Graph g = new Graph(true, 1, buffers.outputs(), buffers.scratch());
        Tensor fields = g.leaf(rows, LAYERS[0], buffers.input(), buffers.inputGrad());
        Tensor h = fields;
        for (int l = 0; l < buffers.weights().length; l++) {
            Tensor w = g.leaf(LAYERS[l], LAYERS[l + 1], buffers.weights()[l], buffers.weightGrads()[l]);
            Tensor b = g.leaf(1, LAYERS[l + 1], buffers.biases()[l], buffers.biasGrads()[l]);
            boolean hidden = l + 2 < LAYERS.length;
            if (!hidden) {
                h = g.linear(h, w, b);
            } else if (fused) {
                h = g.linearLeakyRelu(h, w, b, 0f);
            } else {
                h = g.relu(g.linear(h, w, b));
            }
        }
        Tensor fm;
        if (fused) {
            fm = g.factorizationMachine(fields, FIELDS);
        } else {
            Tensor sum = g.sumGroups(fields, FIELDS);
            Tensor sumOfSquares = g.sumGroups(g.mul(fields, fields), FIELDS);
            fm = g.scale(g.rowSum(g.sub(g.mul(sum, sum), sumOfSquares)), 0.5f);
        }
        Tensor loss = g.binaryCrossEntropyWithLogits(g.add(h, fm), labels, 1f / rows);
        g.backward(loss);
        return loss.data()[0];
    }

    private static float[] values(SplittableRandom random, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-scale, scale);
        }
        return v;
    }

    private static String compare(List<List<Double>> perStep) {
        double[] composed = minAndMedian(perStep.get(0));
        double[] fused = minAndMedian(perStep.get(1));
        return String.format(Locale.ROOT, "{\"composed_us\": {\"min\": %.1f, \"median\": %.1f}, \"fused_us\": {\"min\": %.1f, \"median\": %.1f}, "
                + "\"speedup_min\": %.3f, \"speedup_median\": %.3f}", composed[0], composed[1], fused[0], fused[1],
                composed[0] / fused[0], composed[1] / fused[1]);
    }

    private static double[] minAndMedian(List<Double> values) {
        return new double[] {values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(), Median.of(values)};
    }
}

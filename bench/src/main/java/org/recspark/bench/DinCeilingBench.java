package org.recspark.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.recspark.model.tensor.Blas;

/**
 * The GEMM ceiling of one training step of the MovieLens DIN config (examples/trainer/movielens/din.pbtxt)
 * and of DeepFM, on one core: every matrix product of one shard's step (forward and backward) at its
 * exact shape, timed through the trainer's {@link Blas} (heap arrays copied to native buffers) and
 * through OpenBLAS on native buffers alone (no copies). A step's samples/s bound is the shard's rows
 * over the sum of its GEMM times, times the shards (one per core): the rate if nothing but the GEMMs
 * took time. Shapes follow the trainer's DIN: the unit's first layer split into a query term (per
 * row), a key term (per distinct item) and a product term (per position), see AttentionOps.
 * <pre>java -cp bench/target/benchmarks.jar org.recspark.bench.DinCeilingBench [--rows 512] [--positions 38.2] [--distinct 1600] [--repeats 15]</pre>
 */
public final class DinCeilingBench {
    private static final int DIM = 16;
    private static final int DEEP_INPUT = 7 * DIM;
    private static final int ATT1 = 64;
    private static final int ATT2 = 32;
    private static final int DNN1 = 256;
    private static final int DNN2 = 128;

    /** One GEMM: op(A) m x k times op(B) k x n. */
    private record Gemm(String what, boolean transA, boolean transB, int m, int n, int k) {
        double flops() {
            return 2.0 * m * n * k;
        }
    }

    private DinCeilingBench() {
    }

    public static void main(String[] args) {
        BenchArgs a = BenchArgs.parse(args, "usage: DinCeilingBench [--rows N] [--positions P] [--distinct N] [--repeats N]",
                Set.of("rows", "positions", "distinct", "repeats"));
        int rows = a.integer("rows", 512);
        double positions = a.number("positions", 38.2);
        int distinct = a.integer("distinct", 1600);
        int repeats = a.integer("repeats", 15);
        Blas.init();
        int n = (int) Math.round(rows * positions);
        System.out.printf(Locale.ROOT, "one shard: %d rows, %d positions (%.1f per row), %d distinct items, d %d%n",
                rows, n, positions, distinct, DIM);
        report("DIN", din(rows, n, distinct), rows, repeats);
        report("DeepFM", deepFm(rows), rows, repeats);
    }

    private static List<Gemm> din(int b, int n, int u) {
        List<Gemm> g = new ArrayList<>();
        g.add(new Gemm("unit query term", false, false, b, ATT1, DIM));
        g.add(new Gemm("unit key term", false, false, u, ATT1, DIM));
        g.add(new Gemm("unit product term", false, false, n, ATT1, DIM));
        g.add(new Gemm("attention layer 2", false, false, n, ATT2, ATT1));
        g.add(new Gemm("attention output", false, false, n, 1, ATT2));
        g.add(new Gemm("dW attention output", true, false, ATT2, 1, n));
        g.add(new Gemm("dX attention output", false, true, n, ATT2, 1));
        g.add(new Gemm("dW attention layer 2", true, false, ATT1, ATT2, n));
        g.add(new Gemm("dX attention layer 2", false, true, n, ATT1, ATT2));
        g.add(new Gemm("dW unit query", true, false, DIM, ATT1, b));
        g.add(new Gemm("dW unit key", true, false, DIM, ATT1, u));
        g.add(new Gemm("dW unit product", true, false, DIM, ATT1, n));
        g.add(new Gemm("dX unit product", false, true, n, DIM, ATT1));
        g.add(new Gemm("dX unit query", false, true, b, DIM, ATT1));
        g.add(new Gemm("dX unit key", false, true, u, DIM, ATT1));
        g.addAll(tower(b, DEEP_INPUT + 2 * DIM));
        return g;
    }

    private static List<Gemm> deepFm(int b) {
        return tower(b, DEEP_INPUT);
    }

    /** The final MLP (256, 128) and its output, forward and backward. */
    private static List<Gemm> tower(int b, int input) {
        List<Gemm> g = new ArrayList<>();
        int[] dims = {input, DNN1, DNN2, 1};
        for (int l = 0; l + 1 < dims.length; l++) {
            g.add(new Gemm("tower " + l, false, false, b, dims[l + 1], dims[l]));
        }
        for (int l = dims.length - 2; l >= 0; l--) {
            g.add(new Gemm("dW tower " + l, true, false, dims[l], dims[l + 1], b));
            g.add(new Gemm("dX tower " + l, false, true, b, dims[l], dims[l + 1]));
        }
        return g;
    }

    private static void report(String model, List<Gemm> gemms, int rows, int repeats) {
        System.out.println();
        System.out.println(model + " (per shard step, one core; medians of " + repeats + " after warm-up)");
        System.out.printf(Locale.ROOT, "%-22s %-16s %10s %10s %10s %10s%n", "product", "m x k x n", "MFLOP", "Blas us", "native us", "GFLOP/s");
        double flops = 0;
        double viaBlas = 0;
        double nativeOnly = 0;
        for (Gemm g : gemms) {
            double[] t = time(g, repeats);
            flops += g.flops();
            viaBlas += t[0];
            nativeOnly += t[1];
            System.out.printf(Locale.ROOT, "%-22s %-16s %10.2f %10.0f %10.0f %10.1f%n", g.what(), g.m() + "x" + g.k() + "x" + g.n(),
                    g.flops() / 1e6, t[0] * 1e6, t[1] * 1e6, g.flops() / t[1] / 1e9);
        }
        System.out.printf(Locale.ROOT, "%s total: %.1f MFLOP per shard step, %.0f FLOP per sample (forward + backward GEMMs)%n",
                model, flops / 1e6, flops / rows);
        System.out.printf(Locale.ROOT, "%s GEMM time per step: %.2f ms through Blas (%.1f GFLOP/s), %.2f ms native only (%.1f GFLOP/s)%n",
                model, viaBlas * 1e3, flops / viaBlas / 1e9, nativeOnly * 1e3, flops / nativeOnly / 1e9);
        System.out.printf(Locale.ROOT, "%s ceiling on 2 cores (GEMMs only, one shard per core): %.0f samples/s through Blas, %.0f native only%n",
                model, 2 * rows / viaBlas, 2 * rows / nativeOnly);
    }

    /** Median seconds of one GEMM through Blas (heap) and through OpenBLAS on native buffers. */
    private static double[] time(Gemm g, int repeats) {
        SplittableRandom random = new SplittableRandom(7);
        float[] a = randoms(random, g.m() * g.k());
        float[] b = randoms(random, g.k() * g.n());
        float[] c = new float[g.m() * g.n()];
        double[] viaBlas = new double[repeats];
        double[] nativeOnly = new double[repeats];
        try (FloatPointer pa = new FloatPointer(a); FloatPointer pb = new FloatPointer(b); FloatPointer pc = new FloatPointer(c)) {
            int lda = g.transA() ? g.m() : g.k();
            int ldb = g.transB() ? g.k() : g.n();
            for (int r = -3; r < repeats; r++) {
                long t0 = System.nanoTime();
                Blas.gemm(g.transA(), g.transB(), g.m(), g.n(), g.k(), 1f, a, b, 0f, c);
                long t1 = System.nanoTime();
                openblas_nolapack.cblas_sgemm(CblasRowMajor, g.transA() ? CblasTrans : CblasNoTrans, g.transB() ? CblasTrans : CblasNoTrans,
                        g.m(), g.n(), g.k(), 1f, pa, lda, pb, ldb, 0f, pc, g.n());
                long t2 = System.nanoTime();
                if (r >= 0) {
                    viaBlas[r] = (t1 - t0) / 1e9;
                    nativeOnly[r] = (t2 - t1) / 1e9;
                }
            }
        }
        return new double[] {Median.of(viaBlas), Median.of(nativeOnly)};
    }

    private static float[] randoms(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }
}

package org.recspark.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.recspark.model.tensor.Blas;

/**
 * Single-precision GEMM at the trainer's shapes (m x k times k x n), one thread: the trainer's path
 * (OpenBLAS on heap arrays through {@link Blas}), nd4j's own gemm on off-heap INDArrays, and nd4j
 * when the data lives on the heap and must be copied in and out. Shapes: DeepFM's two hidden layers
 * at batch 1,024 (7 fields x 16 = 112 inputs), a backward weight gradient (k = batch), and DIN's
 * attention MLP over 1,024 x 50 positions. GFLOP/s = 2 m n k / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class GemmBenchmark {
    @Param({"1024x112x256", "1024x256x128", "112x1024x256", "51200x64x64"})
    public String shape;

    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;
    private INDArray na;
    private INDArray nb;
    private INDArray nc;

    @Setup
    public void setUp() {
        String[] p = shape.split("x");
        m = Integer.parseInt(p[0]);
        k = Integer.parseInt(p[1]);
        n = Integer.parseInt(p[2]);
        SplittableRandom random = new SplittableRandom(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextDouble(-1, 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) random.nextDouble(-1, 1);
        }
        Blas.init();
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        na = Nd4j.create(a, new long[]{m, k}, DataType.FLOAT);
        nb = Nd4j.create(b, new long[]{k, n}, DataType.FLOAT);
        nc = Nd4j.create(DataType.FLOAT, m, n);
    }

    @Benchmark
    public float[] heapOpenBlas() {
        Blas.gemm(false, false, m, n, k, 1f, a, b, 0f, c);
        return c;
    }

    @Benchmark
    public INDArray nd4jOffHeap() {
        Nd4j.gemm(na, nb, nc, false, false, 1.0, 0.0);
        return nc;
    }

    @Benchmark
    public float[] nd4jCopyingHeapData() {
        INDArray x = Nd4j.create(a, new long[]{m, k}, DataType.FLOAT);
        INDArray y = Nd4j.create(b, new long[]{k, n}, DataType.FLOAT);
        INDArray z = Nd4j.create(DataType.FLOAT, m, n);
        Nd4j.gemm(x, y, z, false, false, 1.0, 0.0);
        return z.data().asFloat();
    }
}

package org.recspark.model.tensor;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Single-precision GEMM on heap arrays through the OpenBLAS that nd4j-native ships. Operands are
 * copied into per-thread native buffers that are reused across calls: JavaCPP's own float[]
 * overload costs the same at small shapes but is 13x slower at DIN's attention shape (51,200 x 64),
 * while the copies cost a few percent (bench/RESULTS.md). Training parallelises
 * over batch shards in Java threads, so BLAS itself runs single-threaded by default: at the
 * trainer's shapes (a few hundred columns, a batch of 1,024) shard threads beat BLAS threads
 * (bench/RESULTS.md). The system property {@value #THREADS_PROPERTY} overrides the BLAS threads.
 */
public final class Blas {
    public static final String THREADS_PROPERTY = "recspark.blas.threads";

    static {
        openblas_nolapack.blas_set_num_threads(Integer.getInteger(THREADS_PROPERTY, 1));
    }

    private Blas() {
    }

    /** Makes sure the native library is loaded and single-threaded. */
    public static void init() {
        // the static initialiser does the work
    }

    /**
     * C (m x n) = alpha * op(A) * op(B) + beta * C, all row-major; op(A) is m x k and op(B) is k x n.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, float[] b,
                            float beta, float[] c) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            scale(c, m * n, beta);
            return;
        }
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        Scratch s = SCRATCH.get();
        FloatPointer pa = s.a = fill(s.a, a, m * k);
        FloatPointer pb = s.b = fill(s.b, b, k * n);
        FloatPointer pc = s.c = beta == 0 ? capacity(s.c, (long) m * n) : fill(s.c, c, m * n);
        openblas_nolapack.cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, pa, lda, pb, ldb, beta, pc, n);
        pc.get(c, 0, m * n);
    }

    /** Native operand buffers of one thread, grown as needed and reused. */
    private static final class Scratch {
        FloatPointer a;
        FloatPointer b;
        FloatPointer c;
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static FloatPointer capacity(FloatPointer p, long n) {
        if (p != null && p.capacity() >= n) {
            return p;
        }
        if (p != null) {
            p.close();
        }
        return new FloatPointer(Math.max(n, 1 << 16));
    }

    private static FloatPointer fill(FloatPointer p, float[] values, int n) {
        FloatPointer out = capacity(p, n);
        out.put(values, 0, n);
        return out;
    }

    private static void scale(float[] c, int length, float beta) {
        for (int i = 0; i < length; i++) {
            c[i] = beta == 0 ? 0 : c[i] * beta;
        }
    }
}

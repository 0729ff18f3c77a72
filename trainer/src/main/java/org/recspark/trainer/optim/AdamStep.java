package org.recspark.trainer.optim;

/**
 * One Adam update (Kingma and Ba) of a run of coordinates, shared by dense parameters and embedding
 * rows, in single precision as PyTorch's {@code torch.optim.Adam} computes it: m = b1 m + (1 - b1)
 * g, v = b2 v + (1 - b2) g^2, w -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps). The
 * bias corrections are folded into two scalars once per step, and the loop is plain float arithmetic
 * so the JIT vectorises it; the same update in double precision with per-coordinate divisions ran
 * 45x slower (1.35 ms against 0.03 ms for 66,000 coordinates).
 */
final class AdamStep {
    private final float beta1;
    private final float beta2;
    private final float oneMinusBeta1;
    private final float oneMinusBeta2;
    private final float stepSize;
    private final float sqrtCorrection2;
    private final float epsilon;

    /** @param t the 1-based step number the bias corrections are for */
    AdamStep(double learningRate, double beta1, double beta2, double epsilon, long t) {
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.oneMinusBeta1 = (float) (1 - beta1);
        this.oneMinusBeta2 = (float) (1 - beta2);
        this.stepSize = (float) (learningRate / (1 - Math.pow(beta1, t)));
        this.sqrtCorrection2 = (float) Math.sqrt(1 - Math.pow(beta2, t));
        this.epsilon = (float) epsilon;
    }

    /** Updates w[wo..wo+n), its moments m[mo..) and v[vo..) from the gradient g[go..). */
    void apply(float[] w, int wo, float[] m, int mo, float[] v, int vo, float[] g, int go, int n) {
        if (wo == mo && mo == vo && vo == go) {
            applyAtCommonOffset(w, m, v, g, wo, wo + n);
            return;
        }
        for (int j = 0; j < n; j++) {
            float gj = g[go + j];
            float mj = beta1 * m[mo + j] + oneMinusBeta1 * gj;
            float vj = beta2 * v[vo + j] + oneMinusBeta2 * gj * gj;
            m[mo + j] = mj;
            v[vo + j] = vj;
            w[wo + j] -= stepSize * (mj / ((float) Math.sqrt(vj) / sqrtCorrection2 + epsilon));
        }
    }

    /**
     * The same update of [from, to) in all four arrays (a dense parameter and its own state). With
     * one index for every array the JIT of JDK 17 vectorises the loop; with four different offsets
     * it does not, and the update of a 74,000-coordinate MLP took 170 us instead of 12 us. Both
     * loops do the same float operations in the same order, so the results are identical.
     */
    private void applyAtCommonOffset(float[] w, float[] m, float[] v, float[] g, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[i];
            float mi = beta1 * m[i] + oneMinusBeta1 * gi;
            float vi = beta2 * v[i] + oneMinusBeta2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            w[i] -= stepSize * (mi / ((float) Math.sqrt(vi) / sqrtCorrection2 + epsilon));
        }
    }
}

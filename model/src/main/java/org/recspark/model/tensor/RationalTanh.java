package org.recspark.model.tensor;

/**
 * tanh and the logistic function in single precision from a rational function with only
 * multiplications, additions, one division and a clamp, so that a loop over an array of them compiles
 * to SIMD code (Math.exp is a scalar call that C2 does not vectorise). The coefficients are Eigen's
 * (generic_fast_tanh_float): a degree-13 odd numerator over a degree-6 even denominator, exact to a
 * few float ulps on [-7.9, 7.9], beyond which tanh is 1 to float precision. DICE evaluates its gate
 * with this for every unit of every attention position.
 */
final class RationalTanh {
    private static final float CLAMP = 7.90531110763549805f;
    private static final float A1 = 4.89352455891786e-03f;
    private static final float A3 = 6.37261928875436e-04f;
    private static final float A5 = 1.48572235717979e-05f;
    private static final float A7 = 5.12229709037114e-08f;
    private static final float A9 = -8.60467152213735e-11f;
    private static final float A11 = 2.00018790482477e-13f;
    private static final float A13 = -2.76076847742355e-16f;
    private static final float B0 = 4.89352518554385e-03f;
    private static final float B2 = 2.26843463243900e-03f;
    private static final float B4 = 1.18534705686654e-04f;
    private static final float B6 = 1.19825839466702e-06f;

    private RationalTanh() {
    }

    static float tanh(float z) {
        float x = Math.min(Math.max(z, -CLAMP), CLAMP);
        float x2 = x * x;
        float p = ((((((A13 * x2 + A11) * x2 + A9) * x2 + A7) * x2 + A5) * x2 + A3) * x2 + A1) * x;
        float q = ((B6 * x2 + B4) * x2 + B2) * x2 + B0;
        return p / q;
    }

    /** 1 / (1 + e^-z) as (1 + tanh(z / 2)) / 2. */
    static float logistic(float z) {
        return 0.5f + 0.5f * tanh(0.5f * z);
    }
}

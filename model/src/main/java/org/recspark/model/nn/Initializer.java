package org.recspark.model.nn;

import java.util.SplittableRandom;

/** How a parameter or an embedding row starts: values drawn from a seeded source. */
public sealed interface Initializer {
    void fill(float[] target, int offset, int length, SplittableRandom random);

    static Initializer zeros() {
        return new Constant(0f);
    }

    static Initializer ones() {
        return new Constant(1f);
    }

    /** U(-bound, bound): PyTorch's default for linear layers uses bound = 1 / sqrt(fan_in). */
    record Uniform(float bound) implements Initializer {
        @Override
        public void fill(float[] target, int offset, int length, SplittableRandom random) {
            for (int i = 0; i < length; i++) {
                target[offset + i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
        }
    }

    record Normal(float stddev) implements Initializer {
        @Override
        public void fill(float[] target, int offset, int length, SplittableRandom random) {
            for (int i = 0; i < length; i++) {
                target[offset + i] = (float) (gaussian(random) * stddev);
            }
        }
    }

    /** Normal redrawn beyond two standard deviations (TensorFlow's truncated_normal). */
    record TruncatedNormal(float stddev) implements Initializer {
        @Override
        public void fill(float[] target, int offset, int length, SplittableRandom random) {
            for (int i = 0; i < length; i++) {
                double g;
                do {
                    g = gaussian(random);
                } while (Math.abs(g) > 2);
                target[offset + i] = (float) (g * stddev);
            }
        }
    }

    record Constant(float value) implements Initializer {
        @Override
        public void fill(float[] target, int offset, int length, SplittableRandom random) {
            for (int i = 0; i < length; i++) {
                target[offset + i] = value;
            }
        }
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}

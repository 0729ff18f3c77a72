package org.recspark.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.recspark.config.proto.CosineDecay;
import org.recspark.config.proto.ExponentialDecay;
import org.recspark.config.proto.LearningRate;

/** Learning rates by 0-based step: linear warm-up, then constant, exponential or cosine decay. */
class LearningRateScheduleTest {

    private static final double TOLERANCE = 1e-12;

    private static LearningRateSchedule schedule(LearningRate.Builder config) {
        return new LearningRateSchedule(config.build());
    }

    @Test
    void constantByDefault() {
        LearningRateSchedule s = schedule(LearningRate.newBuilder());
        assertEquals(0.001, s.at(0), TOLERANCE, "the default initial rate");
        assertEquals(0.001, s.at(1_000_000), TOLERANCE, "no decay without a schedule");
    }

    @Test
    void linearWarmupFromZero() {
        LearningRateSchedule s = schedule(LearningRate.newBuilder().setInitial(0.1).setWarmupSteps(4));
        double[] expected = {0.025, 0.05, 0.075, 0.1, 0.1, 0.1};
        for (int step = 0; step < expected.length; step++) {
            assertEquals(expected[step], s.at(step), TOLERANCE, "step " + step);
        }
    }

    @Test
    void exponentialDecayAfterWarmup() {
        LearningRate.Builder config = LearningRate.newBuilder().setInitial(0.1).setWarmupSteps(2)
                .setExponentialDecay(ExponentialDecay.newBuilder().setDecaySteps(10).setDecayRate(0.5));
        LearningRateSchedule s = schedule(config);
        assertEquals(0.05, s.at(0), TOLERANCE, "warm-up step 0");
        assertEquals(0.1, s.at(1), TOLERANCE, "warm-up step 1");
        assertEquals(0.1, s.at(2), TOLERANCE, "decay starts after the warm-up");
        assertEquals(0.1 * Math.sqrt(0.5), s.at(7), TOLERANCE, "half a decay period: 0.1 * 0.5^0.5");
        assertEquals(0.05, s.at(12), TOLERANCE, "one period");
        assertEquals(0.1 * Math.pow(0.5, 2.5), s.at(27), TOLERANCE, "2.5 periods");
    }

    @Test
    void staircaseExponentialDecay() {
        LearningRateSchedule s = schedule(LearningRate.newBuilder().setInitial(0.1).setWarmupSteps(2)
                .setExponentialDecay(ExponentialDecay.newBuilder().setDecaySteps(10).setDecayRate(0.5).setStaircase(true)));
        assertEquals(0.1, s.at(7), TOLERANCE, "within the first period");
        assertEquals(0.1, s.at(11), TOLERANCE, "the last step of the first period");
        assertEquals(0.05, s.at(12), TOLERANCE, "one period");
        assertEquals(0.025, s.at(27), TOLERANCE, "2.5 periods floor to 2");
    }

    @Test
    void cosineDecayWithAlpha() {
        LearningRateSchedule s = schedule(LearningRate.newBuilder().setInitial(0.1)
                .setCosineDecay(CosineDecay.newBuilder().setDecaySteps(100).setAlpha(0.1)));
        // initial * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)
        assertEquals(0.1, s.at(0), TOLERANCE, "start");
        assertEquals(0.08681980515339464, s.at(25), TOLERANCE, "a quarter: 0.1 * (0.9 * (1 + cos(pi / 4)) / 2 + 0.1)");
        assertEquals(0.055, s.at(50), TOLERANCE, "half way: 0.1 * (0.9 * 0.5 + 0.1)");
        assertEquals(0.01, s.at(100), TOLERANCE, "the end: alpha * initial");
        assertEquals(0.01, s.at(1000), TOLERANCE, "stays at alpha * initial");
    }

    @Test
    void cosineDecayToZeroAfterWarmup() {
        LearningRateSchedule s = schedule(LearningRate.newBuilder().setInitial(0.2).setWarmupSteps(10)
                .setCosineDecay(CosineDecay.newBuilder().setDecaySteps(40)));
        assertEquals(0.02, s.at(0), TOLERANCE, "warm-up");
        assertEquals(0.2, s.at(9), TOLERANCE, "the last warm-up step reaches the initial rate");
        assertEquals(0.2, s.at(10), TOLERANCE, "decay starts");
        assertEquals(0.1, s.at(30), TOLERANCE, "half way");
        assertEquals(0.0, s.at(50), TOLERANCE, "alpha 0 ends at 0");
    }
}

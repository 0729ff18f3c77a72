package org.recspark.model.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RationalTanhTest {

    @Test
    void tanhIsWithinAFewFloatUlpsOfTheDoubleOne() {
        for (float z = -20f; z <= 20f; z += 1e-3f) {
            assertEquals(Math.tanh(z), RationalTanh.tanh(z), 4e-7, "tanh(" + z + ")");
        }
    }

    @Test
    void logisticIsWithinAFewFloatUlpsOfTheDoubleOne() {
        for (float z = -40f; z <= 40f; z += 1e-3f) {
            assertEquals(1 / (1 + Math.exp(-z)), RationalTanh.logistic(z), 3e-7, "logistic(" + z + ")");
        }
    }

    @Test
    void saturatesAndKeepsItsSymmetry() {
        assertEquals(1f, RationalTanh.tanh(1e6f), 1e-7f);
        assertEquals(-1f, RationalTanh.tanh(-1e6f), 1e-7f);
        assertEquals(0f, RationalTanh.tanh(0f));
        assertEquals(0.5f, RationalTanh.logistic(0f));
        for (float z = 0.01f; z < 10f; z *= 1.5f) {
            assertEquals(-RationalTanh.tanh(z), RationalTanh.tanh(-z), "odd at " + z);
        }
    }
}
